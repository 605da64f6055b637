import uuid
from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from connections.phones import phone_key
from connections.querysets import InteractionQuerySet, PersonQuerySet

PHOTO_MAX_BYTES = 5 * 1024 * 1024


class Circle(models.TextChoices):
    INNER = "inner", "Inner circle"
    CLOSE = "close", "Close"
    WIDER = "wider", "Wider"
    ACQUAINTANCE = "acquaintance", "Acquaintance"


# How often each circle is reached out to by default, in days; None means no rhythm.
CIRCLE_CADENCE_DAYS = {
    Circle.INNER: 7,
    Circle.CLOSE: 30,
    Circle.WIDER: 90,
    Circle.ACQUAINTANCE: None,
}


class InteractionKind(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    CALL = "call", "Phone call"
    VOICE = "voice", "Voice message"
    TEXT = "text", "Text / chat"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


# The "mindful technology" habit: which kinds count as face to face, voice, or written.
KIND_DEPTH = {
    InteractionKind.IN_PERSON: "face",
    InteractionKind.VIDEO: "face",
    InteractionKind.CALL: "voice",
    InteractionKind.VOICE: "voice",
    InteractionKind.TEXT: "written",
    InteractionKind.EMAIL: "written",
    InteractionKind.LETTER: "written",
}


def validate_photo_size(photo) -> None:
    if photo and photo.size > PHOTO_MAX_BYTES:
        raise ValidationError("Choose a photo under 5 MB.")


class Tag(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "owner", name="tag_name_unique_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class Value(models.Model):
    """A value in the user's vocabulary ("honesty", "family"); `is_mine` marks the user's own."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="values"
    )
    name = models.CharField(max_length=80)
    is_mine = models.BooleanField("one of my values", default=False)
    note = models.CharField("what it means to me", max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "owner", name="value_name_unique_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name


def next_birthday(day: int, month: int, today: date) -> date | None:
    """The next date (today included) a birthday on `day`/`month` falls on; 29 February is
    the 28th in other years."""
    for year in (today.year, today.year + 1):
        on = 28 if (month == 2 and day == 29 and not _is_leap(year)) else day
        candidate = date(year, month, on)
        if candidate >= today:
            return candidate
    return None


class Person(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="people"
    )
    full_name = models.CharField("full name", max_length=200)
    nickname = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    photo = models.ImageField(
        upload_to="photos/%Y/%m/", blank=True, validators=[validate_photo_size]
    )
    birthday_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    birthday_month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    birthday_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    how_we_met = models.TextField("how we met", blank=True)
    story = models.TextField("their story", blank=True, help_text="What shaped them.")
    preferred_channel = models.CharField(
        "prefers to connect by", max_length=20, choices=InteractionKind.choices, blank=True
    )
    connect_notes = models.TextField(
        "how they like to connect",
        blank=True,
        help_text="Time of day, language, cultural notes.",
    )
    organisation = models.CharField(max_length=200, blank=True)
    job_title = models.CharField("title", max_length=200, blank=True)
    circle = models.CharField(max_length=20, choices=Circle.choices, default=Circle.CLOSE)
    cadence_days = models.PositiveSmallIntegerField(
        "reach out every (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    cadence_is_custom = models.BooleanField(default=False)
    paused = models.BooleanField(default=False, help_text="No nudges while paused.")
    archived_at = models.DateTimeField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="people")
    values = models.ManyToManyField(Value, through="PersonValue", blank=True, related_name="people")
    last_interaction_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # The address book's own id for this contact (vCard UID), so a re-import finds them again.
    external_uid = models.CharField(max_length=255, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["owner", "full_name"]),
            models.Index(fields=["owner", "last_interaction_at"]),
            # Covering: rhythm, birthday and overdue reads (dashboard, weekly three, insights,
            # counts) are index-only scans over the owner's entries, without reading rows.
            models.Index(
                fields=["owner", "archived_at", "circle"],
                include=[
                    "id",
                    "paused",
                    "cadence_days",
                    "last_interaction_at",
                    "created_at",
                    "full_name",
                    "birthday_day",
                    "birthday_month",
                    "birthday_year",
                ],
                name="person_owner_rhythm",
            ),
            models.Index(fields=["owner", "external_uid"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birthday_day__isnull=True)
                | models.Q(birthday_month__isnull=False),
                name="person_birthday_has_month",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        if not self.cadence_is_custom:
            self.cadence_days = CIRCLE_CADENCE_DAYS[Circle(self.circle)]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.full_name = " ".join(self.full_name.split())
        if not self.full_name:
            raise ValidationError({"full_name": "Enter a name."})
        parts = (self.birthday_day, self.birthday_month)
        if any(part is not None for part in parts) and None in parts:
            raise ValidationError({"birthday_day": "Enter both the day and the month."})
        if None not in parts:
            try:
                # 2000 is a leap year, so 29 February is valid without a year.
                date(self.birthday_year or 2000, self.birthday_month, self.birthday_day)
            except ValueError:
                raise ValidationError({"birthday_day": "That day does not exist."}) from None

    @property
    def display_name(self) -> str:
        return self.nickname or self.full_name.split(" ")[0]

    @property
    def initials(self) -> str:
        parts = self.full_name.split()
        return "".join(part[0] for part in parts[:2]).upper() if parts else "?"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def has_birthday(self) -> bool:
        return self.birthday_day is not None and self.birthday_month is not None

    def next_birthday(self, today: date) -> date | None:
        """The next date (today included) the birthday falls on; 29 Feb is 28 Feb otherwise."""
        if not self.has_birthday:
            return None
        return next_birthday(self.birthday_day, self.birthday_month, today)

    def age_on(self, day: date) -> int | None:
        if not self.birthday_year or not self.has_birthday:
            return None
        return day.year - self.birthday_year

    def cadence_anchor(self):
        return self.last_interaction_at or self.created_at

    def cadence_due_at(self):
        if not self.cadence_days:
            return None
        return self.cadence_anchor() + timedelta(days=self.cadence_days)

    def overdue_ratio(self, now) -> float | None:
        """How far past the cadence: 1.0 is exactly due, 2.0 is twice the cadence."""
        if not self.cadence_days or self.paused or self.is_archived:
            return None
        elapsed = (now - self.cadence_anchor()).total_seconds() / 86400
        return elapsed / self.cadence_days


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


class ContactPoint(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        ADDRESS = "address", "Address"
        WEBSITE = "website", "Website or profile"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    label = models.CharField(max_length=60, blank=True, help_text="home, work, mobile…")
    value = models.CharField(max_length=500)
    # Lowercased email, digits-only phone: what de-duplication and search compare.
    normalized = models.CharField(max_length=500, blank=True, editable=False)
    # A phone's national digits (connections.phones.phone_key): what an import matches the
    # owner's numbers by, however they were written, without parsing them again. Kept by
    # save() and the import's inserts; read with the owner's people, so not indexed.
    phone_key = models.CharField(max_length=500, blank=True, editable=False)

    class Meta:
        ordering = ["kind", "id"]
        # Equality only (de-duplication, merging): `db_index=True` would also add PostgreSQL's
        # pattern index, which no query uses and every import writes.
        indexes = [models.Index(fields=["normalized"], name="contactpoint_normalized")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args, **kwargs):
        self.normalized = normalize_contact_value(self.kind, self.value)
        self.phone_key = phone_key_of(self.kind, self.value)
        super().save(*args, **kwargs)

    @property
    def href(self) -> str | None:
        if self.kind == self.Kind.EMAIL:
            return f"mailto:{self.value}"
        if self.kind == self.Kind.PHONE:
            return f"tel:{''.join(ch for ch in self.value if ch.isdigit() or ch == '+')}"
        if self.kind == self.Kind.WEBSITE:
            # Only web addresses become links: never javascript:, data: or other schemes.
            if "://" not in self.value:
                return f"https://{self.value}"
            return self.value if self.value.lower().startswith(("http://", "https://")) else None
        return None


def phone_key_of(kind: str, value: str) -> str:
    return phone_key(value) if kind == ContactPoint.Kind.PHONE else ""


def normalize_contact_value(kind: str, value: str) -> str:
    value = value.strip()
    if kind == ContactPoint.Kind.EMAIL:
        return value.lower()
    if kind == ContactPoint.Kind.PHONE:
        digits = "".join(filter(str.isdigit, value))
        return ("+" if value.startswith("+") else "") + digits
    return value.lower()


class Relationship(models.Model):
    """A tie between two people, stored once and shown on both sides."""

    class Kind(models.TextChoices):
        PARTNER = "partner", "Partner"
        PARENT = "parent", "Parent"
        CHILD = "child", "Child"
        SIBLING = "sibling", "Sibling"
        FRIEND = "friend", "Friend"
        COLLEAGUE = "colleague", "Colleague"

    # `from_person` is <kind> of `to_person`: "Ana is parent of Tomás".
    from_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="relationships_from"
    )
    to_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    INVERSE = {Kind.PARENT: Kind.CHILD, Kind.CHILD: Kind.PARENT}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_person", "to_person"], name="relationship_once_per_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_person=models.F("to_person")),
                name="relationship_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_person} is {self.get_kind_display().lower()} of {self.to_person}"

    def seen_from(self, person: Person) -> tuple[str, Person]:
        """(label, other person) as shown on `person`'s page: "Parent · Ana"."""
        if person.pk == self.from_person_id:
            kind = self.INVERSE.get(self.Kind(self.kind), self.Kind(self.kind))
            return kind.label, self.to_person
        return self.Kind(self.kind).label, self.from_person


class PersonValue(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="person_values")
    value = models.ForeignKey(Value, on_delete=models.CASCADE, related_name="person_values")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "value"], name="person_value_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.value}"


class Interaction(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interactions"
    )
    occurred_at = models.DateTimeField("when", default=timezone.now)
    people = models.ManyToManyField(Person, related_name="interactions")
    kind = models.CharField(max_length=20, choices=InteractionKind.choices)
    duration_minutes = models.PositiveIntegerField(
        "duration (minutes)", null=True, blank=True, validators=[MaxValueValidator(24 * 60)]
    )
    what_i_heard = models.TextField(
        "what I heard", blank=True, help_text="What they feel, and why. In their words if you can."
    )
    what_i_shared = models.TextField("what I shared", blank=True)
    connection_rating = models.PositiveSmallIntegerField(
        "how connected it felt",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    topics = models.ManyToManyField(Tag, blank=True, related_name="interactions")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # Covering: insights count a user's interactions by week and kind from the index
            # alone, without reading a row (see docs/benchmarks.md).
            models.Index(
                fields=["owner", "-occurred_at"], include=["kind"], name="interaction_owner_when"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(connection_rating__isnull=True)
                | models.Q(connection_rating__gte=1, connection_rating__lte=5),
                name="interaction_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_at:%Y-%m-%d}"


class PersonSearchDocument(models.Model):
    """Every word said with a person, as one PostgreSQL full-text document, so searching
    people by a word reads one row per person rather than every interaction that has it.
    Kept by connections/search.py; a GIN index on the document is added on PostgreSQL
    (migration 0008). Unused on SQLite, where search reads the interactions with LIKE."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = SearchVectorField()

    def __str__(self) -> str:
        return f"Search document of {self.person_id}"


def _owner_copy() -> models.ForeignKey:
    """A copy of the owner of the row's person, set by the model's save(), for reads by owner;
    not in forms (nor in full_clean before save() sets it)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        blank=True,
    )


class Goal(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        LET_GO = "let_go", "Let go"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="goals")
    # The person's owner, kept by save(): the dashboard reads a few weeks of one user's goal
    # dates by it instead of every user's. Readers still check the person's owner too.
    owner = _owner_copy()
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    achieved_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "target_date", "id"]
        indexes = [
            models.Index(fields=["status", "target_date"]),
            models.Index(fields=["owner", "status", "target_date"], name="goal_owner_dates"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.owner_id = self.person.owner_id
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding and not kwargs.get("update_fields"):
            # The goal may have moved to someone else's person (the admin allows it); a new
            # goal has no milestones yet.
            self.milestones.exclude(owner_id=self.owner_id).update(owner_id=self.owner_id)


class Milestone(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    # The goal's owner, kept by save() (see Goal.owner).
    owner = _owner_copy()
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            # Open milestones by date: the tick's nudges read every user's due today.
            models.Index(
                fields=["due_on"],
                condition=models.Q(done_on__isnull=True),
                name="milestone_open_due",
            ),
            # One user's open milestones by date: "coming up" and the weekly three.
            models.Index(
                fields=["owner", "due_on"],
                condition=models.Q(done_on__isnull=True),
                name="milestone_owner_open_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.owner_id = self.goal.owner_id
        super().save(*args, **kwargs)


class Reflection(models.Model):
    """The user's own inner work: a dated journal entry."""

    class Topic(models.TextChoices):
        VALUES = "values", "My values"
        PASSIONS = "passions", "My passions"
        FEARS = "fears", "My fears"
        GROWTH = "growth", "How I am growing"
        OTHER = "other", "Something else"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    written_on = models.DateField(default=timezone.localdate)
    topic = models.CharField(max_length=20, choices=Topic.choices, default=Topic.VALUES)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_on", "-id"]
        indexes = [models.Index(fields=["owner", "-written_on"])]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} ({self.written_on})"


class SchedulerTick(models.Model):
    """When beat last ticked: one row per tick name, so /healthz can tell a stopped beat."""

    name = models.CharField(max_length=40, unique=True)
    ticked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.ticked_at:%Y-%m-%d %H:%M:%S}"


class Nudge(models.Model):
    """Something to reach out about. The database is the schedule: a nudge is due when its
    `due_on` (the user's local date) has come, until it is done or dismissed."""

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", "Follow up"
        BIRTHDAY_SOON = "birthday_soon", "Birthday coming"
        BIRTHDAY = "birthday", "Birthday"
        GOAL_DATE = "goal_date", "Goal date"
        MILESTONE = "milestone", "Milestone"
        CELEBRATE = "celebrate", "Celebrate"
        CADENCE = "cadence", "Time to reach out"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DISMISSED = "dismissed", "Dismissed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudges"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="nudges")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField(blank=True, help_text="The context you wrote, quoted in the email.")
    due_on = models.DateField(help_text="The user's local date from which it is due.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    occasion_on = models.DateField(
        null=True, blank=True, help_text="The birthday or goal date this nudge is about."
    )
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.CASCADE, related_name="nudges"
    )
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="nudges"
    )
    snooze_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"]),
            models.Index(fields=["person", "status"]),
            # Open nudges other than lapsed rhythms, by date: the dashboard's "due today", who
            # is already nudged today and the weekly three's follow-ups. Most of a large
            # address book's open nudges are rhythms, which this leaves out.
            models.Index(
                fields=["owner", "due_on"],
                include=["person", "kind"],
                condition=models.Q(status="open") & ~models.Q(kind="cadence"),
                name="nudge_open_dated",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(kind="cadence", status="open"),
                name="nudge_one_open_cadence_per_person",
            ),
            models.UniqueConstraint(
                fields=["person", "kind", "occasion_on"],
                condition=models.Q(kind__in=["birthday", "birthday_soon"]),
                name="nudge_once_per_birthday",
            ),
            models.UniqueConstraint(
                fields=["goal", "kind"],
                condition=models.Q(kind__in=["goal_date", "celebrate"]),
                name="nudge_once_per_goal_date",
            ),
            models.UniqueConstraint(
                fields=["milestone"],
                condition=models.Q(kind="milestone"),
                name="nudge_once_per_milestone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


# Most important first in emails and on the dashboard: what you promised, then dates, then rhythm.
NUDGE_PRIORITY = {
    Nudge.Kind.FOLLOW_UP: 0,
    Nudge.Kind.BIRTHDAY: 1,
    Nudge.Kind.CELEBRATE: 1,
    Nudge.Kind.BIRTHDAY_SOON: 2,
    Nudge.Kind.GOAL_DATE: 2,
    Nudge.Kind.MILESTONE: 2,
    Nudge.Kind.CADENCE: 3,
}


def week_start(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


class WeeklyPick(models.Model):
    """One of a user's three people for a week, chosen once (see connections/weekly.py) so
    the dashboard and the weekly email name the same people all week."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_picks"
    )
    week = models.DateField(help_text="The Monday of the owner's local week.")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    why = models.TextField()
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "week", "person"], name="weekly_pick_once_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} (week of {self.week})"


class Delivery(models.Model):
    """One nudge email: at most one per (user, kind, period), so it is never sent twice.

    A worker claims it (status SENDING with a lease); a lease that runs out means the worker
    died, and the next tick hands it to another. `message_id` is derived from the row, so a
    re-send after a crash is recognisable as the same message.
    """

    class Kind(models.TextChoices):
        DAILY = "daily", "Morning email"
        WEEKLY = "weekly", "Weekly three"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Nothing was due"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period = models.DateField(help_text="Local date (daily) or the Monday of the week (weekly).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    nudges = models.ManyToManyField(Nudge, blank=True, related_name="deliveries")
    # The weekly three as chosen when planned: [{"person": id, "why": "…"}], so a re-send is
    # the same email.
    weekly_picks = models.JSONField(default=list, blank=True)
    waiting_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind", "period"], name="delivery_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.owner} on {self.period}"

    @property
    def message_id(self) -> str:
        from urllib.parse import urlsplit

        domain = urlsplit(settings.SITE_URL).hostname or "tend.local"
        return f"<tend-{self.kind}-{self.pk}-{self.period:%Y%m%d}@{domain}>"


def _import_upload_to(job: "ImportJob", filename: str) -> str:
    # A random name: the file is private and never served; the original name is kept on the job.
    return f"imports/{uuid.uuid4().hex}"


class ImportStrategy(models.TextChoices):
    SKIP = "skip", "Skip people already in Tend"
    UPDATE_EMPTY = "update_empty", "Fill in what is missing"
    CREATE_NEW = "create_new", "Add them as new people"


class ImportJob(models.Model):
    """One uploaded contact file on its way in: previewed, then imported, with a report."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        PREVIEWING = "previewing", "Reading the file"
        AWAITING_CHOICES = "awaiting_choices", "Ready to review"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        REJECTED = "rejected", "Rejected"

    class Format(models.TextChoices):
        VCARD = "vcard", "vCard"
        GOOGLE_CSV = "google_csv", "Google Contacts CSV"
        OUTLOOK_CSV = "outlook_csv", "Outlook CSV"
        LINKEDIN_CSV = "linkedin_csv", "LinkedIn connections"
        GENERIC_CSV = "generic_csv", "Spreadsheet (CSV)"
        TEND_JSON = "tend_json", "Tend export"

    RUNNING = (Status.UPLOADED, Status.PREVIEWING, Status.IMPORTING)
    FINISHED = (Status.DONE, Status.FAILED, Status.REJECTED)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The user, or the operator who imported for them.",
    )
    original_name = models.CharField("file name", max_length=255)
    file = models.FileField(upload_to=_import_upload_to, blank=True, max_length=255)
    format = models.CharField(max_length=20, choices=Format.choices, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED)
    reason = models.TextField(blank=True, help_text="Why the file was rejected or failed.")
    strategy = models.CharField(
        max_length=20, choices=ImportStrategy.choices, default=ImportStrategy.SKIP
    )
    # Generic CSV: {column header: field key} chosen in the mapping step.
    mapping = models.JSONField(default=dict, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} for {self.owner}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING and not self.needs_mapping

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def needs_mapping(self) -> bool:
        return (
            self.status == self.Status.UPLOADED
            and self.format == self.Format.GENERIC_CSV
            and not self.mapping
        )

    @property
    def percent(self) -> int:
        if not self.bytes_total:
            return 0
        return min(100, round(100 * self.bytes_done / self.bytes_total))


class ImportRow(models.Model):
    """One card or row of an import: what was found, what it matched, and what happened."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        MATCH = "match", "Already in Tend"
        ERROR = "error", "Cannot be read"

    class Outcome(models.TextChoices):
        CREATED = "created", "Added"
        UPDATED = "updated", "Updated"
        MERGED = "merged", "Merged"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    # Found by the (job, number) constraint's index; one on the job alone only cost writes.
    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices)
    matched_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The same contact earlier in this file: merged into whoever that row became.
    matched_row = models.PositiveIntegerField(null=True, blank=True)
    match_reason = models.CharField(max_length=300, blank=True)
    action = models.CharField(
        "choice for this row", max_length=20, choices=ImportStrategy.choices, blank=True
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(blank=True)
    # What the preview shows: name, emails, phones, birthday, organisation.
    record = models.JSONField(default=dict, blank=True)
    # The whole contact as the preview read it (records.record_to_json), so the import does
    # not read the file again; emptied once the row is written. Text, not jsonb: jsonb
    # refuses the escaped NUL a card may hold, and that row must fail alone at import.
    contact = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="import_row_once_per_number"),
        ]
        indexes = [models.Index(fields=["job", "status"]), models.Index(fields=["job", "outcome"])]

    def __str__(self) -> str:
        return f"Row {self.number} of {self.job}"
