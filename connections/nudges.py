"""Creating and resolving nudges. The tick calls `create_due_nudges`; people call the rest."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.utils import timezone

from accounts.models import User
from connections.models import NUDGE_PRIORITY, Goal, Milestone, Nudge, Person

FOLLOW_UP_CHOICES = [
    ("", "No follow-up"),
    ("3", "In 3 days"),
    ("7", "In a week"),
    ("14", "In two weeks"),
    ("30", "In a month"),
    ("date", "On a date…"),
]
SNOOZE_DAYS = (1, 3, 7)
# How far back the tick still creates a date nudge it missed (beat down, worker down).
DATE_CATCH_UP_DAYS = 30


def local_today(user, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(user.timezone)).date()


def _due(owners, today: date, exclude_kinds: Iterable[str]):
    """Open and due by `today` for people who may be nudged; `owners` is a user or ids."""
    owner = Q(owner_id__in=owners) if isinstance(owners, list) else Q(owner=owners)
    return (
        Nudge.objects.filter(owner, status=Nudge.Status.OPEN, due_on__lte=today)
        .filter(person__paused=False, person__archived_at__isnull=True)
        .exclude(kind__in=list(exclude_kinds))
    )


def _priority() -> Case:
    return Case(
        *(When(kind=kind, then=Value(rank)) for kind, rank in NUDGE_PRIORITY.items()),
        output_field=IntegerField(),
    )


def due_nudge_ids_by_owner(owner_ids: list[int], today: date) -> dict[int, list[int]]:
    """For many users at once: the ids of their due nudges, most important first.

    The same selection as `_due`, in two reads: joined to every person in one statement,
    PostgreSQL hashed all people of all users (≈115,000, 75 ms for 500 users); the people
    these nudges name, read by id, are a few index lookups."""
    rows = list(
        Nudge.objects.filter(owner_id__in=owner_ids, status=Nudge.Status.OPEN, due_on__lte=today)
        .order_by(_priority(), "due_on", "id")
        .values_list("owner_id", "id", "person_id")
    )
    may_nudge = set(
        Person.objects.filter(
            pk__in={person_id for _, _, person_id in rows}, paused=False, archived_at__isnull=True
        )
        .order_by()
        .values_list("pk", flat=True)
    )
    by_owner: dict[int, list[int]] = {}
    for owner_id, nudge_id, person_id in rows:
        if person_id in may_nudge:
            by_owner.setdefault(owner_id, []).append(nudge_id)
    return by_owner


def first_due_nudges(
    user, today: date, *, exclude_kinds: Iterable[str] = (), limit: int
) -> tuple[list[Nudge], int]:
    """The `limit` most important due nudges with their person, and how many are due in all
    (one query; not the interaction: a card shows the reason, which says what to ask)."""
    nudges = list(
        _due(user, today, exclude_kinds)
        .select_related("person")
        .annotate(due_total=Window(Count("id")))
        .order_by(_priority(), "due_on", "id")[:limit]
    )
    return nudges, nudges[0].due_total if nudges else 0


@transaction.atomic
def schedule_follow_up(
    *, person: Person, due_on: date, reason: str = "", interaction=None
) -> Nudge:
    """A follow-up the user asked for: "check in a week later", with what they heard."""
    return Nudge.objects.create(
        owner=person.owner,
        person=person,
        kind=Nudge.Kind.FOLLOW_UP,
        due_on=due_on,
        reason=reason.strip(),
        interaction=interaction,
    )


@transaction.atomic
def complete_nudge(*, nudge: Nudge, now: datetime | None = None) -> bool:
    """Mark done; False (and no change) when it was already resolved."""
    return _resolve(nudge, Nudge.Status.DONE, now)


@transaction.atomic
def dismiss_nudge(*, nudge: Nudge, now: datetime | None = None) -> bool:
    return _resolve(nudge, Nudge.Status.DISMISSED, now)


def _resolve(nudge: Nudge, status: str, now: datetime | None) -> bool:
    resolved_at = now or timezone.now()
    changed = Nudge.objects.filter(pk=nudge.pk, status=Nudge.Status.OPEN).update(
        status=status, resolved_at=resolved_at
    )
    if changed:
        nudge.status, nudge.resolved_at = status, resolved_at
    return bool(changed)


@transaction.atomic
def snooze_nudge(*, nudge: Nudge, days: int, now: datetime | None = None) -> bool:
    """Move an open nudge to `days` after the user's today; False when it is resolved."""
    if days not in SNOOZE_DAYS:
        raise ValueError(f"Snooze for one of {SNOOZE_DAYS} days.")
    due_on = local_today(nudge.owner, now) + timedelta(days=days)
    changed = Nudge.objects.filter(pk=nudge.pk, status=Nudge.Status.OPEN).update(
        due_on=due_on, snooze_count=nudge.snooze_count + 1
    )
    if changed:
        nudge.due_on = due_on
    return bool(changed)


def resolve_cadence_nudges(*, people_ids, now: datetime | None = None) -> int:
    """Reaching out restarts the rhythm: open cadence nudges for these people are done."""
    return Nudge.objects.filter(
        person_id__in=list(people_ids), kind=Nudge.Kind.CADENCE, status=Nudge.Status.OPEN
    ).update(status=Nudge.Status.DONE, resolved_at=now or timezone.now())


@transaction.atomic
def celebrate_goal(*, goal: Goal, now: datetime | None = None) -> None:
    person = goal.person
    Nudge.objects.bulk_create(
        [
            Nudge(
                owner_id=person.owner_id,
                person=person,
                kind=Nudge.Kind.CELEBRATE,
                goal=goal,
                due_on=local_today(person.owner, now),
                reason=f"{person.display_name} achieved “{goal.title}”. Celebrate it together.",
            )
        ],
        ignore_conflicts=True,
    )


def create_due_nudges(now: datetime, *, since: datetime | None = None) -> int:
    """Create every nudge that has become due: lapsed rhythms, birthdays, goal dates.

    `since` is the previous tick: dates passed while nothing ticked (beat or workers down) are
    caught up, up to DATE_CATCH_UP_DAYS. Safe to run from several processes at once: unique
    constraints turn a second insert of the same nudge into a no-op.
    """
    # The very first tick (a new installation) does not dig up dates from before it ran.
    missed_days = (now - since).days if since else 0
    look_back = min(max(missed_days, 0) + 2, DATE_CATCH_UP_DAYS)
    return (
        _create_cadence_nudges(now)
        + _create_birthday_nudges(now, look_back)
        + _create_goal_nudges(now, look_back)
    )


def _nudgeable_people():
    return Person.objects.filter(
        paused=False, archived_at__isnull=True, owner__is_active=True
    ).select_related("owner")


def _create_cadence_nudges(now: datetime) -> int:
    open_cadence = Nudge.objects.filter(
        person=OuterRef("pk"), kind=Nudge.Kind.CADENCE, status=Nudge.Status.OPEN
    )
    lapsed = (
        _nudgeable_people()
        .filter(cadence_days__isnull=False)
        .with_cadence_lag(now)
        .filter(cadence_lag__gt=1.0)
        .filter(~Exists(open_cadence))
    )
    nudges = []
    for person in lapsed.iterator(chunk_size=1000):
        due_at = person.cadence_due_at()
        last = person.last_interaction_at
        reason = (
            f"It has been {(now - last).days} days since you last connected."
            if last
            else "You have not logged time together yet."
        )
        nudges.append(
            Nudge(
                owner_id=person.owner_id,
                person=person,
                kind=Nudge.Kind.CADENCE,
                due_on=due_at.astimezone(ZoneInfo(person.owner.timezone)).date(),
                reason=reason,
            )
        )
    return len(Nudge.objects.bulk_create(nudges, ignore_conflicts=True, batch_size=1000))


def _create_birthday_nudges(now: datetime, look_back: int) -> int:
    # Every user's local date lies within a day of UTC's; look as far ahead as any notice.
    utc_today = now.astimezone(ZoneInfo("UTC")).date()
    notice = (
        User.objects.filter(is_active=True).aggregate(days=Max("birthday_notice_days"))["days"] or 0
    )
    already = Nudge.objects.filter(
        person=OuterRef("pk"),
        kind=Nudge.Kind.BIRTHDAY,
        occasion_on__gte=utc_today - timedelta(days=look_back + 1),
    )
    nudges = []
    candidates = (
        _nudgeable_people()
        .birthday_between(
            utc_today - timedelta(days=look_back), utc_today + timedelta(days=notice + 1)
        )
        .filter(~Exists(already))
    )
    for person in candidates.iterator(chunk_size=1000):
        user = person.owner
        today = local_today(user, now)
        occasion = person.next_birthday(today - timedelta(days=look_back))
        # Never for a birthday that passed before the person was added to Tend.
        if occasion is None or occasion < local_today(user, person.created_at):
            continue
        name = person.display_name
        age = person.age_on(occasion)
        turning = f" (turns {age})" if age else ""
        if occasion <= today:
            when = "today" if occasion == today else f"on {occasion:%A %-d %B}"
            nudges.append(
                Nudge(
                    owner=user,
                    person=person,
                    kind=Nudge.Kind.BIRTHDAY,
                    occasion_on=occasion,
                    due_on=occasion,
                    reason=f"{name}’s birthday{turning} is {when}."
                    if occasion == today
                    else f"{name}’s birthday{turning} was {when}.",
                )
            )
        elif user.birthday_notice_days and occasion - timedelta(user.birthday_notice_days) <= today:
            nudges.append(
                Nudge(
                    owner=user,
                    person=person,
                    kind=Nudge.Kind.BIRTHDAY_SOON,
                    occasion_on=occasion,
                    due_on=occasion - timedelta(days=user.birthday_notice_days),
                    reason=f"{name}’s birthday is on {occasion:%A %-d %B}{turning}.",
                )
            )
    return len(Nudge.objects.bulk_create(nudges, ignore_conflicts=True, batch_size=1000))


def _create_goal_nudges(now: datetime, look_back: int) -> int:
    utc_today = now.astimezone(ZoneInfo("UTC")).date()
    earliest, latest = utc_today - timedelta(days=look_back), utc_today + timedelta(days=1)
    nudges = []
    goals = Goal.objects.filter(
        status=Goal.Status.ACTIVE,
        target_date__range=(earliest, latest),
        person__in=_nudgeable_people(),
    ).select_related("person__owner")
    for goal in goals:
        person = goal.person
        planned_late = goal.target_date < local_today(person.owner, goal.created_at)
        if not planned_late and goal.target_date <= local_today(person.owner, now):
            nudges.append(
                Nudge(
                    owner_id=person.owner_id,
                    person=person,
                    kind=Nudge.Kind.GOAL_DATE,
                    goal=goal,
                    occasion_on=goal.target_date,
                    due_on=goal.target_date,
                    reason=f"“{goal.title}” was planned for now. Ask {person.display_name} how "
                    "it went.",
                )
            )
    milestones = Milestone.objects.filter(
        done_on__isnull=True,
        due_on__range=(earliest, latest),
        goal__status=Goal.Status.ACTIVE,
        goal__person__in=_nudgeable_people(),
    ).select_related("goal__person__owner")
    for milestone in milestones:
        person = milestone.goal.person
        if milestone.due_on <= local_today(person.owner, now):
            nudges.append(
                Nudge(
                    owner_id=person.owner_id,
                    person=person,
                    kind=Nudge.Kind.MILESTONE,
                    goal=milestone.goal,
                    milestone=milestone,
                    occasion_on=milestone.due_on,
                    due_on=milestone.due_on,
                    reason=f"{person.display_name} reached a milestone date: “{milestone.title}”"
                    f" ({milestone.goal.title}). Ask how it went.",
                )
            )
    return len(Nudge.objects.bulk_create(nudges, ignore_conflicts=True, batch_size=1000))
