"""This week's three: the people most worth reaching out to, each with one line of why.

Scoring (higher first), documented here because the dashboard and the weekly email share it:

- rhythm: how far past their cadence they are, `min(cadence_lag, 4) × 2` when past due (0–8);
- circle: inner +3, close +2, wider +1, acquaintance 0;
- follow-ups: +4 when an open follow-up is due, +2 when one falls due within the week;
- dates: +3 for a birthday, goal date or milestone within the next 7 days;
- recency: anyone contacted in the last 3 days is left out (you just did).

When fewer than three people have a reason, the week is filled with those you have not talked
to for longest, scored by circle alone.

Ties go to whoever you have not talked to for longest. Paused and archived people never appear.

The three are chosen once a week (the user's local Monday to Sunday) and kept as
`WeeklyPick`s, so the dashboard and the weekly email name the same people all week: someone
you connect with stays, marked as done, rather than being replaced. A pick who is archived,
paused or deleted leaves a gap that the next look fills. Reasons are worded so they stay true
all week (dates, not "N days ago").
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import F

from connections.dates_ahead import DatesAhead, dates_ahead
from connections.models import Circle, Nudge, Person, WeeklyPick, next_birthday, week_start

CIRCLE_WEIGHT = {Circle.INNER: 3, Circle.CLOSE: 2, Circle.WIDER: 1, Circle.ACQUAINTANCE: 0}
RECENT_DAYS = 3
CANDIDATE_LIMIT = 60
# What ranking needs to know of a person; read as plain tuples, so the hundreds of candidates
# a large address book has (follow-ups and birthdays this week) cost no model instances.
FACTS = ("pk", "circle", "last_interaction_at", "full_name")


@dataclass
class Suggestion:
    person: Person
    score: float = 0.0
    reasons: list[tuple[float, str]] = field(default_factory=list)

    def add(self, points: float, why: str) -> None:
        self.score += points
        self.reasons.append((points, why))

    @property
    def why(self) -> str:
        return max(self.reasons, key=lambda reason: reason[0])[1] if self.reasons else ""


@dataclass
class _Candidate:
    circle: str
    last_interaction_at: datetime | None
    full_name: str
    reasons: list[tuple[float, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Pick:
    person: Person
    why: str
    connected_on: date | None  # the day you connected with them this week, if you have
    done_line: str  # what to say instead of `why` once you have


def _done_line(connected_on: date | None, today: date) -> str:
    if connected_on is None:
        return ""
    when = "today" if connected_on == today else f"on {connected_on:%A}"
    return f"You connected {when}. Nicely done."


def _day(moment: datetime, now: datetime) -> str:
    """A past moment as the day it was where `now` is: "2 February", or with its year."""
    local = moment.astimezone(now.tzinfo).date()
    if local.year == now.year:
        return f"{local:%-d %B}"
    return f"{local:%-d %B %Y}"


def this_weeks_three(
    *, user, today: date, now: datetime, dates: DatesAhead | None = None
) -> list[Pick]:
    """The week's three: those kept for this week, with any gap filled by `weekly_three`
    (and kept). One query once the week has its three."""
    now = now.astimezone(user.zone)
    monday = week_start(today)
    kept = list(
        WeeklyPick.objects.filter(owner=user, week=monday)
        .select_related("person")
        .order_by("chosen_at", "id")
    )
    live = [pick for pick in kept if not pick.person.is_archived and not pick.person.paused]
    if len(live) < 3:
        fresh = weekly_three(
            user=user,
            today=today,
            now=now,
            dates=dates,
            leave_out={pick.person_id for pick in kept},
            limit=3 - len(live),
        )
        added = [
            WeeklyPick(owner=user, week=monday, person=s.person, why=s.why, chosen_at=now)
            for s in fresh
        ]
        # Two first looks at once choose the same people; the second's rows are dropped.
        WeeklyPick.objects.bulk_create(added, ignore_conflicts=True)
        live += added
    week_began = datetime.combine(monday, time.min, tzinfo=now.tzinfo)
    three = []
    for pick in live[:3]:
        last = pick.person.last_interaction_at
        connected_on = last.astimezone(now.tzinfo).date() if last and last >= week_began else None
        three.append(
            Pick(
                person=pick.person,
                why=pick.why,
                connected_on=connected_on,
                done_line=_done_line(connected_on, today),
            )
        )
    return three


def weekly_three(
    *,
    user,
    today: date,
    now: datetime,
    dates: DatesAhead | None = None,
    leave_out: Collection[int] = (),
    limit: int = 3,
) -> list[Suggestion]:
    """Rank the week's candidates afresh, leaving out the people in `leave_out`.

    `dates`, when the caller has already read them from `today` on (the dashboard's "coming
    up"), are reused for the birthdays, goal dates and milestones of the week."""
    now = now.astimezone(user.zone)
    people = Person.objects.for_user(user).active().filter(paused=False)
    week_end = today + timedelta(days=7)
    if dates is None or not dates.covers(today, week_end):
        dates = dates_ahead(user, first=today, last=week_end)
    candidates: dict[int, _Candidate] = {}

    def add(facts: tuple, points: float, why: str) -> None:
        pk, *known = facts
        candidates.setdefault(pk, _Candidate(*known)).reasons.append((points, why))

    overdue = people.most_overdue_first(now).values_list(*FACTS, "cadence_lag", "cadence_days")
    for *facts, lag, cadence_days in overdue[:CANDIDATE_LIMIT]:
        last = facts[2]
        since = f"You last connected on {_day(last, now)}" if last else "You have not connected yet"
        add(facts, min(lag, 4) * 2, f"{since}; you aim for every {cadence_days} days.")

    follow_ups = Nudge.objects.filter(
        owner=user,
        status=Nudge.Status.OPEN,
        kind=Nudge.Kind.FOLLOW_UP,
        due_on__lte=week_end,
        person__archived_at__isnull=True,
        person__paused=False,
    ).values_list(*(f"person__{name}" for name in FACTS), "due_on", "reason")
    for *facts, due_on, reason in follow_ups:
        points = 4 if due_on <= today else 2
        add(facts, points, f"Follow up: {reason}" if reason else "You planned to follow up.")

    # The rows start with PERSON_FACTS: FACTS, then whether they are paused.
    for *facts, paused, birthday_day, birthday_month, _ in dates.birthdays:
        birthday = next_birthday(birthday_day, birthday_month, today)
        if not paused and birthday and birthday <= week_end:
            add(facts, 3, f"Birthday on {birthday:%A}.")
    for *facts, paused, target_date, title in dates.goals:
        if not paused and target_date <= week_end:
            add(facts, 3, f"“{title}” is planned for {target_date:%A}.")
    for *facts, paused, due_on, title, _, _ in dates.milestones:
        if not paused and due_on <= week_end:
            add(facts, 3, f"Milestone: {title}.")

    # On PostgreSQL, ten entries of the index person_owner_longest_apart (migration 0011).
    longest_apart = people.order_by(F("last_interaction_at").asc(nulls_first=True), "full_name")
    for facts in longest_apart.values_list(*FACTS)[:10]:
        if facts[0] in candidates:
            continue
        last = facts[2]
        if last:
            why = f"You last connected on {_day(last, now)}."
        else:
            why = "You have not logged time together yet."
        add(facts, 0, why)

    recent = now - timedelta(days=RECENT_DAYS)
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    ranked = sorted(
        (
            (sum(points for points, _ in c.reasons) + CIRCLE_WEIGHT[Circle(c.circle)], pk, c)
            for pk, c in candidates.items()
            if pk not in leave_out
            and not (c.last_interaction_at and c.last_interaction_at >= recent)
        ),
        key=lambda item: (-item[0], item[2].last_interaction_at or epoch, item[2].full_name),
    )[:limit]
    chosen = people.in_bulk([pk for _, pk, _ in ranked])
    return [
        Suggestion(person=chosen[pk], score=score, reasons=candidate.reasons)
        for score, pk, candidate in ranked
    ]
