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
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F

from connections.dates_ahead import DatesAhead, dates_ahead
from connections.models import Circle, Nudge, Person, next_birthday

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


def weekly_three(
    *, user, today: date, now: datetime, dates: DatesAhead | None = None
) -> list[Suggestion]:
    """`dates`, when the caller has already read them from `today` on (the dashboard's
    "coming up"), are reused for the birthdays, goal dates and milestones of the week."""
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
        days = int(lag * cadence_days)
        add(
            facts,
            min(lag, 4) * 2,
            f"{days} days since you connected; you aim for every {cadence_days} days.",
        )

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
            when = "today" if birthday == today else f"on {birthday:%A}"
            add(facts, 3, f"Birthday {when}.")
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
            why = f"You last connected {(now - last).days} days ago."
        else:
            why = "You have not logged time together yet."
        add(facts, 0, why)

    recent = now - timedelta(days=RECENT_DAYS)
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    ranked = sorted(
        (
            (sum(points for points, _ in c.reasons) + CIRCLE_WEIGHT[Circle(c.circle)], pk, c)
            for pk, c in candidates.items()
            if not (c.last_interaction_at and c.last_interaction_at >= recent)
        ),
        key=lambda item: (-item[0], item[2].last_interaction_at or epoch, item[2].full_name),
    )[:3]
    chosen = people.in_bulk([pk for _, pk, _ in ranked])
    return [
        Suggestion(person=chosen[pk], score=score, reasons=candidate.reasons)
        for score, pk, candidate in ranked
    ]
