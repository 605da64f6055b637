"""A large, lived-in dataset for the benchmarks in bench/ (`manage.py seed_bench`).

One user (`bench@example.com`) with years of history, and many smaller users beside them so
per-user scoping and indexes are exercised. Rows go in through PostgreSQL COPY with ids
reserved here, so links need no round trip; the derived columns the domain functions keep
(last contact, the search index) are then set in SQL, the same values `log_interaction`
would have left. The random choices are seeded: every run builds the same shape.
"""

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from accounts.models import User
from connections.models import (
    CIRCLE_CADENCE_DAYS,
    Circle,
    ContactPoint,
    Delivery,
    Goal,
    Interaction,
    InteractionKind,
    Milestone,
    Nudge,
    Person,
    PersonSearchDocument,
    PersonValue,
    Reflection,
    Relationship,
    Tag,
    Value,
    normalize_contact_value,
    phone_key_of,
)
from connections.nudges import create_due_nudges
from connections.search import rebuild_sql

BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "bench-password-not-secret"
# Every benchmark account's address starts like this, so a reset finds them all and no one else.
OTHER_EMAIL = "bench+other-{}@example.com"
HISTORY_DAYS = 5 * 365

# What the pages benchmark asks for; the generator makes sure each exists.
SEARCH_WORD = "garden"
FILTER_VALUE = "Honesty"
LONG_TIMELINE_NAME = "Marlowe Whitfield"


@dataclass(frozen=True)
class Scale:
    name: str
    people: int
    interactions: int
    nudges: int
    other_users: int
    other_people: int  # each
    other_interactions: int  # each
    long_timeline: int  # interactions with the one person whose page is measured
    dispatch_users: int  # how many recipients the dispatch benchmark creates


SCALES = {
    "full": Scale("full", 10_000, 200_000, 20_000, 200, 500, 1_000, 500, 10_000),
    "small": Scale("small", 1_000, 20_000, 2_000, 20, 500, 1_000, 500, 1_000),
    "smoke": Scale("smoke", 200, 4_000, 400, 3, 100, 300, 100, 40),
}


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Ana Ben Chloe Dev Elif Farah Gus Hana Ines Jonas Kai Lena Marco Nia Omar Priya Quinn "
    "Rosa Sami Tomás Uma Vik Wen Ximena Yusuf Zoe Aiko Bruno Carmen Dario Emma Felix Greta "
    "Hugo Ivy Jun Kofi Lucia Mateo Nora Oskar Paula Rafael Sofia Theo Valentina Will Yara "
    "Zain Amara"
)
LAST_NAMES = _words(
    "Silva Okafor Novak Haddad Tanaka Moreau Schmidt Costa Nguyen Rossi Kowalski Andersen "
    "Mensah Fischer Ortega Ibrahim Larsen Petrov Sato Dubois Cohen Reyes Walsh Bauer Kaur "
    "Lindqvist Abbas Romero Hughes Park Ferreira Yilmaz Murphy Varga Ali Nakamura Jensen "
    "Popescu Mendes Kim"
)
# What people say, weighted so some words are common and most are rare, like real notes.
WORDS = _words(
    "work family new job moving tired happy worried kids weekend trip house mother father "
    "sister brother health running garden book music project promotion wedding baby school "
    "exam interview city travel holiday dinner cooking recipe dog cat friend partner birthday "
    "party anniversary doctor back knee sleep stress deadline team manager client startup "
    "money rent loan course language spanish guitar piano painting photography hiking "
    "climbing cycling marathon swim yoga meditation therapy grief loss hospital recovery "
    "celebration award thesis research conference paper launch funding move apartment "
    "neighbours village coast mountains snow summer winter spring autumn harvest wine coffee "
    "bakery restaurant film series podcast election volunteering church mosque temple choir "
    "football tennis chess garden-party allotment renovation kitchen roof car bike train "
    "flight"
)
FILLER = _words("they said feels about the and a lot of with their to is was really quite")
VALUES = _words(
    "Honesty Family Curiosity Kindness Adventure Loyalty Humour Faith Craft Independence "
    "Justice Learning Nature Health Generosity Courage Patience Tradition Creativity Freedom "
    "Community Ambition Calm Fairness"
)
MY_VALUES = {"Honesty", "Family", "Curiosity", "Kindness", "Adventure", "Learning"}
TAGS = _words(
    "work school-friends climbing neighbours book-club family university old-job choir "
    "football mentors clients lisbon berlin online parents-group cousins volunteering "
    "running-club startup"
)
GOALS = [
    "Run a half marathon together",
    "Visit them in their new city",
    "Help with the move",
    "Cook the family recipe",
    "Finish the book club book",
    "Plan the reunion",
    "Learn to sail",
    "Celebrate the new job",
]
CIRCLES = [
    (Circle.INNER, 3, 10.0),
    (Circle.CLOSE, 15, 4.0),
    (Circle.WIDER, 40, 1.5),
    (Circle.ACQUAINTANCE, 42, 0.5),
]  # circle, percent of people, how often they come up in interactions


@dataclass
class _PersonRow:
    id: int
    circle: str


class _Ids:
    """Id blocks reserved from each table's sequence, so rows can link before they exist."""

    def __init__(self, cursor):
        self.cursor = cursor

    def reserve(self, model: type[Model], count: int) -> int:
        if count == 0:
            return 0
        table = model._meta.db_table
        self.cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s,"
            " 'id')) + %s - 1) - %s + 1",
            [table, table, count, count],
        )
        return self.cursor.fetchone()[0]


def copy_rows(cursor, model: type[Model], fields: list[str], rows: Iterable[tuple]) -> int:
    """COPY `rows` (tuples in the order of `fields`) into `model`'s table; a psycopg cursor."""
    columns = ", ".join(model._meta.get_field(name).column for name in fields)
    count = 0
    with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def seeded_scale() -> str | None:
    """The scale the benchmark user was built at, or None when there is none."""
    user = User.objects.filter(email=BENCH_EMAIL).first()
    if user is None or not user.display_name.startswith("Bench "):
        return None
    return user.display_name.removeprefix("Bench ").strip("()")


def bench_users():
    return User.objects.filter(
        Q(email=BENCH_EMAIL) | Q(email__startswith="bench+", email__endswith="@example.com")
    )


def delete_users(users) -> None:
    """Delete these users and everything they own, the big tables in plain SQL.

    The ORM would load hundreds of thousands of rows to cascade; the big tables go first here,
    then the ORM deletes whatever else a user may own.
    """
    user_ids = list(users.values_list("id", flat=True))
    if not user_ids:
        return
    owners = "SELECT unnest(%s::bigint[])"
    people = f"SELECT id FROM {Person._meta.db_table} WHERE owner_id IN ({owners})"
    interactions = f"SELECT id FROM {Interaction._meta.db_table} WHERE owner_id IN ({owners})"
    deliveries = f"SELECT id FROM {Delivery._meta.db_table} WHERE owner_id IN ({owners})"
    goals = f"SELECT id FROM {Goal._meta.db_table} WHERE person_id IN ({people})"
    statements = [
        (Delivery.nudges.through, f"delivery_id IN ({deliveries})"),
        (Delivery, f"owner_id IN ({owners})"),
        (Nudge, f"owner_id IN ({owners})"),
        (Interaction.people.through, f"interaction_id IN ({interactions})"),
        (Interaction.topics.through, f"interaction_id IN ({interactions})"),
        (Interaction, f"owner_id IN ({owners})"),
        (Milestone, f"goal_id IN ({goals})"),
        (Goal, f"person_id IN ({people})"),
        (Relationship, f"from_person_id IN ({people})"),
        (PersonValue, f"person_id IN ({people})"),
        (PersonSearchDocument, f"owner_id IN ({owners})"),
        (Person.tags.through, f"person_id IN ({people})"),
        (ContactPoint, f"person_id IN ({people})"),
        (Person, f"owner_id IN ({owners})"),
        (Tag, f"owner_id IN ({owners})"),
        (Value, f"owner_id IN ({owners})"),
        (Reflection, f"owner_id IN ({owners})"),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for model, condition in statements:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {condition}", [user_ids])
        User.objects.filter(id__in=user_ids).delete()


def delete_bench_users() -> None:
    delete_users(bench_users())


def seed_bench(*, scale: Scale, now: datetime | None = None) -> User:
    """Build the benchmark dataset at `scale` (the caller deletes any previous one)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("seed_bench writes with PostgreSQL COPY; set DATABASE_URL.")
    now = now or timezone.now()
    rng = random.Random(6)
    password = make_password(BENCH_PASSWORD)
    users = [
        User(
            email=BENCH_EMAIL,
            display_name=f"Bench ({scale.name})",
            password=password,
            timezone="Europe/Lisbon",
            email_nudges_enabled=False,
            date_joined=now - timedelta(days=HISTORY_DAYS),
        )
    ] + [
        User(
            email=OTHER_EMAIL.format(f"{n:03}"),
            display_name=f"Other {n}",
            password=password,
            timezone=rng.choice(["Europe/Lisbon", "America/New_York", "Asia/Tokyo", "UTC"]),
            # The dispatch benchmark counts only its own recipients' emails.
            email_nudges_enabled=False,
            date_joined=now - timedelta(days=HISTORY_DAYS),
        )
        for n in range(1, scale.other_users + 1)
    ]
    with transaction.atomic():
        users = User.objects.bulk_create(users)
        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor
            writer = _Writer(cursor, rng, now)
            writer.user(
                users[0],
                people=scale.people,
                interactions=scale.interactions,
                nudges=scale.nudges,
                long_timeline=scale.long_timeline,
            )
            for other in users[1:]:
                writer.user(
                    other,
                    people=scale.other_people,
                    interactions=scale.other_interactions,
                    nudges=scale.other_interactions // 10,
                    long_timeline=scale.other_interactions // 10,
                )
            writer.derive([user.pk for user in users])
        # The nudges a tick would have created by now (lapsed rhythms, birthdays), so the
        # first tick a benchmark runs does no more work than any other.
        create_due_nudges(now)
    with connection.cursor() as cursor:
        # What autovacuum would have done after real use: statistics for the planner and a
        # visibility map for index-only scans.
        cursor.execute("VACUUM (ANALYZE)")
    return users[0]


class _Writer:
    def __init__(self, cursor, rng: random.Random, now: datetime):
        self.cursor = cursor
        self.ids = _Ids(cursor)
        self.rng = rng
        self.now = now
        cumulative, total = [], 0.0
        for weight in (1 / (rank + 3) for rank in range(len(WORDS))):
            total += weight
            cumulative.append(total)
        self.word_weights = cumulative

    def _when(self, days_back: float) -> datetime:
        return self.now - timedelta(days=days_back)

    def _sentence(self) -> str:
        rng = self.rng
        words = rng.choices(WORDS, cum_weights=self.word_weights, k=rng.randint(6, 14))
        words += rng.sample(FILLER, k=4)
        rng.shuffle(words)
        return " ".join(words).capitalize() + "."

    def user(self, user: User, *, people: int, interactions: int, nudges: int, long_timeline: int):
        start = self.ids.reserve(Tag, len(TAGS))
        tag_ids = [start + n for n in range(len(TAGS))]
        copy_rows(
            self.cursor,
            Tag,
            ["id", "owner", "name"],
            ((pk, user.pk, name) for pk, name in zip(tag_ids, TAGS, strict=True)),
        )
        start = self.ids.reserve(Value, len(VALUES))
        value_ids = [start + n for n in range(len(VALUES))]
        copy_rows(
            self.cursor,
            Value,
            ["id", "owner", "name", "is_mine", "note"],
            (
                (pk, user.pk, name, name in MY_VALUES, "")
                for pk, name in zip(value_ids, VALUES, strict=True)
            ),
        )
        person_rows = self._people(user, people, long_timeline)
        self._person_details(person_rows, tag_ids, value_ids)
        interaction_people = self._interactions(
            user, person_rows, interactions, long_timeline, tag_ids
        )
        self._goals(user, person_rows)
        self._nudges(user, person_rows, nudges, interaction_people)

    def _people(self, user: User, count: int, long_timeline: int) -> list[_PersonRow]:
        rng, now = self.rng, self.now
        start = self.ids.reserve(Person, count)
        circles = rng.choices(
            [c for c, _, _ in CIRCLES], weights=[p for _, p, _ in CIRCLES], k=count
        )
        if long_timeline:
            circles[0] = Circle.INNER
        rows, people = [], []
        for offset, circle in enumerate(circles):
            pk = start + offset
            if offset == 0 and long_timeline:
                name = LONG_TIMELINE_NAME
            else:
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            born = rng.random() < 0.7
            created = self._when(rng.uniform(HISTORY_DAYS * 0.6, HISTORY_DAYS))
            rows.append(
                (
                    pk,
                    user.pk,
                    name,
                    rng.choice(["", "", "", name.split()[0][:3]]),
                    "",
                    "",
                    rng.randint(1, 28) if born else None,
                    rng.randint(1, 12) if born else None,
                    rng.randint(1950, 2005) if born and rng.random() < 0.5 else None,
                    rng.choice(["", "At university.", "Through work.", "Climbing gym."]),
                    "",
                    rng.choice(["", "", "call", "text", "in_person", "email"]),
                    "",
                    rng.choice(["", "", "Acme", "City Hospital", "Studio Norte"]),
                    "",
                    circle,
                    CIRCLE_CADENCE_DAYS[circle],
                    False,
                    rng.random() < 0.02,
                    now - timedelta(days=30) if rng.random() < 0.03 else None,
                    created,
                    now,
                    "",
                )
            )
            people.append(_PersonRow(pk, circle))
        copy_rows(
            self.cursor,
            Person,
            [
                "id",
                "owner",
                "full_name",
                "nickname",
                "pronouns",
                "photo",
                "birthday_day",
                "birthday_month",
                "birthday_year",
                "how_we_met",
                "story",
                "preferred_channel",
                "connect_notes",
                "organisation",
                "job_title",
                "circle",
                "cadence_days",
                "cadence_is_custom",
                "paused",
                "archived_at",
                "created_at",
                "updated_at",
                "external_uid",
            ],
            rows,
        )
        return people

    def _person_details(self, people: list[_PersonRow], tag_ids: list[int], value_ids: list[int]):
        rng = self.rng
        points, person_tags, person_values, ties = [], [], [], set()
        for index, person in enumerate(people):
            # The first person (the measured person page) has every section filled, for every
            # user, so that page's query count can be compared between users.
            complete = index == 0
            if complete or rng.random() < 0.8:
                value = f"person{person.id}@example.net"
                points.append((person.id, ContactPoint.Kind.EMAIL, "home", value))
            if complete or rng.random() < 0.6:
                value = f"+351 9{person.id % 100_000_000:08d}"
                points.append((person.id, ContactPoint.Kind.PHONE, "mobile", value))
            for tag in rng.sample(tag_ids, k=2 if complete else rng.choice([0, 1, 1, 2])):
                person_tags.append((person.id, tag))
            for value in rng.sample(value_ids, k=3 if complete else rng.choice([0, 1, 2, 3])):
                person_values.append((person.id, value, ""))
            if complete:
                ties.add((person.id, people[1].id))
            elif rng.random() < 0.03:
                other = rng.choice(people).id
                if other != person.id and (other, person.id) not in ties:
                    ties.add((person.id, other))
        start = self.ids.reserve(ContactPoint, len(points))
        copy_rows(
            self.cursor,
            ContactPoint,
            ["id", "person", "kind", "label", "value", "normalized", "phone_key"],
            (
                (
                    start + n,
                    pid,
                    kind,
                    label,
                    value,
                    normalize_contact_value(kind, value),
                    phone_key_of(kind, value),
                )
                for n, (pid, kind, label, value) in enumerate(points)
            ),
        )
        copy_rows(self.cursor, Person.tags.through, ["person", "tag"], person_tags)
        copy_rows(self.cursor, PersonValue, ["person", "value", "note"], person_values)
        kinds = [Relationship.Kind.FRIEND, Relationship.Kind.SIBLING, Relationship.Kind.COLLEAGUE]
        copy_rows(
            self.cursor,
            Relationship,
            ["from_person", "to_person", "kind"],
            ((a, b, rng.choice(kinds)) for a, b in ties),
        )

    def _interactions(
        self,
        user: User,
        people: list[_PersonRow],
        count: int,
        long_timeline: int,
        tag_ids: list[int],
    ) -> list[tuple[int, int]]:
        """Write `count` interactions; return (interaction id, first person id) pairs."""
        rng = self.rng
        weights = {circle: weight for circle, _, weight in CIRCLES}
        # The person with the long timeline appears in exactly `long_timeline` interactions.
        long_one = people[0].id if long_timeline else None
        cumulative, total = [], 0.0
        for person in people:
            total += 0 if person.id == long_one else weights[person.circle]
            cumulative.append(total)
        kinds = list(InteractionKind.values)
        start = self.ids.reserve(Interaction, count)
        links, topics, firsts = [], [], []

        def rows() -> Iterator[tuple]:
            for n in range(count):
                pk = start + n
                group = rng.choices([1, 2, 3], weights=[70, 20, 10])[0]
                chosen = [p.id for p in rng.choices(people, cum_weights=cumulative, k=group)]
                if n < long_timeline:
                    chosen.insert(0, long_one)
                chosen = list(dict.fromkeys(chosen))
                links.extend((pk, pid) for pid in chosen)
                firsts.append((pk, chosen[0]))
                if rng.random() < 0.1:
                    topics.append((pk, rng.choice(tag_ids)))
                occurred = self._when(rng.uniform(0.05, HISTORY_DAYS))
                yield (
                    pk,
                    user.pk,
                    occurred,
                    rng.choice(kinds),
                    rng.choice([None, 15, 30, 60, 120]),
                    self._sentence(),
                    self._sentence() if rng.random() < 0.4 else "",
                    rng.choice([None, 3, 4, 5]),
                    occurred,
                )

        copy_rows(
            self.cursor,
            Interaction,
            [
                "id",
                "owner",
                "occurred_at",
                "kind",
                "duration_minutes",
                "what_i_heard",
                "what_i_shared",
                "connection_rating",
                "created_at",
            ],
            rows(),
        )
        copy_rows(self.cursor, Interaction.people.through, ["interaction", "person"], links)
        copy_rows(self.cursor, Interaction.topics.through, ["interaction", "tag"], topics)
        return firsts

    def _goals(self, user: User, people: list[_PersonRow]) -> None:
        rng, today = self.rng, self.now.date()
        goals, milestones = [], []
        with_goals = people[:1] + [p for p in people[1:] if rng.random() < 0.1]
        start = self.ids.reserve(Goal, len(with_goals))
        for n, person in enumerate(with_goals):
            status = rng.choices(list(Goal.Status.values), weights=[70, 20, 10])[0]
            target = today + timedelta(days=rng.randint(-365, 365))
            # Achieved on its target date, or today for a goal reached early.
            achieved = min(target, today) if status == Goal.Status.ACHIEVED else None
            goals.append(
                (
                    start + n,
                    person.id,
                    user.pk,
                    rng.choice(GOALS),
                    "",
                    target,
                    status,
                    achieved,
                    self.now,
                )
            )
            for step in range(2 if n == 0 else rng.randint(0, 3)):
                due: date = target - timedelta(days=30 * (step + 1))
                done = due if due < today and rng.random() < 0.6 else None
                milestones.append((start + n, user.pk, f"Step {step + 1}", due, done))
        copy_rows(
            self.cursor,
            Goal,
            [
                "id",
                "person",
                "owner",
                "title",
                "notes",
                "target_date",
                "status",
                "achieved_on",
                "created_at",
            ],
            goals,
        )
        copy_rows(
            self.cursor, Milestone, ["goal", "owner", "title", "due_on", "done_on"], milestones
        )

    def _nudges(
        self,
        user: User,
        people: list[_PersonRow],
        count: int,
        interaction_people: list[tuple[int, int]],
    ) -> None:
        """Mostly resolved history; about one in twenty still open (follow-ups and rhythms)."""
        rng, today = self.rng, self.now.date()
        rows = []
        open_cadence = set()
        for _ in range(count):
            is_open = rng.random() < 0.05
            if rng.random() < 0.6 and interaction_people:
                interaction, person = rng.choice(interaction_people)
                kind, reason = Nudge.Kind.FOLLOW_UP, "Ask how it went."
            else:
                interaction, person = None, rng.choice(people).id
                kind, reason = Nudge.Kind.CADENCE, "It has been a while since you connected."
                if is_open:
                    if person in open_cadence:
                        is_open = False
                    open_cadence.add(person)
            if is_open:
                due = today + timedelta(days=rng.randint(-14, 30))
                status, resolved = Nudge.Status.OPEN, None
            else:
                due = today - timedelta(days=rng.randint(1, HISTORY_DAYS))
                status = rng.choices([Nudge.Status.DONE, Nudge.Status.DISMISSED], [85, 15])[0]
                resolved = self._when((today - due).days - 1)
            rows.append(
                (user.pk, person, kind, reason, due, status, interaction, 0, self.now, resolved)
            )
        copy_rows(
            self.cursor,
            Nudge,
            [
                "owner",
                "person",
                "kind",
                "reason",
                "due_on",
                "status",
                "interaction",
                "snooze_count",
                "created_at",
                "resolved_at",
            ],
            rows,
        )

    def derive(self, user_ids: list[int]) -> None:
        """Last contact per person and the search index, as the domain functions keep them."""
        person = Person._meta.db_table
        interaction = Interaction._meta.db_table
        link = Interaction.people.through._meta.db_table
        self.cursor.execute(
            f"""
            UPDATE {person} AS p SET last_interaction_at = latest.at
            FROM (
                SELECT l.person_id, MAX(i.occurred_at) AS at
                FROM {link} AS l JOIN {interaction} AS i ON i.id = l.interaction_id
                WHERE i.owner_id = ANY(%s)
                GROUP BY l.person_id
            ) AS latest
            WHERE p.id = latest.person_id
            """,
            [user_ids],
        )
        # The people's search documents, built as connections/search.py keeps them.
        self.cursor.execute(rebuild_sql("p.owner_id = ANY(%s)"), [user_ids])
