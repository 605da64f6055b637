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

from django.db.models import F, Q

from connections.models import Circle, Goal, Milestone, Nudge, Person

CIRCLE_WEIGHT = {Circle.INNER: 3, Circle.CLOSE: 2, Circle.WIDER: 1, Circle.ACQUAINTANCE: 0}
RECENT_DAYS = 3
CANDIDATE_LIMIT = 60


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


def weekly_three(*, user, today: date, now: datetime) -> list[Suggestion]:
    people = Person.objects.for_user(user).active().filter(paused=False)
    week_end = today + timedelta(days=7)
    suggestions: dict[int, Suggestion] = {}

    def suggestion(person: Person) -> Suggestion:
        return suggestions.setdefault(person.pk, Suggestion(person))

    for person in people.most_overdue_first(now)[:CANDIDATE_LIMIT]:
        lag = person.cadence_lag
        days = int(lag * person.cadence_days)
        suggestion(person).add(
            min(lag, 4) * 2,
            f"{days} days since you connected; you aim for every {person.cadence_days} days.",
        )

    follow_ups = (
        Nudge.objects.filter(
            owner=user, status=Nudge.Status.OPEN, kind=Nudge.Kind.FOLLOW_UP, due_on__lte=week_end
        )
        .filter(person__in=people)
        .select_related("person")
    )
    for nudge in follow_ups:
        points = 4 if nudge.due_on <= today else 2
        why = f"Follow up: {nudge.reason}" if nudge.reason else "You planned to follow up."
        suggestion(nudge.person).add(points, why)

    month_days = Q()
    for offset in range(8):
        day = today + timedelta(days=offset)
        month_days |= Q(birthday_month=day.month, birthday_day=day.day)
    for person in people.filter(month_days):
        birthday = person.next_birthday(today)
        if birthday and birthday <= week_end:
            when = "today" if birthday == today else f"on {birthday:%A}"
            suggestion(person).add(3, f"Birthday {when}.")

    goals = Goal.objects.filter(
        person__in=people, status=Goal.Status.ACTIVE, target_date__range=(today, week_end)
    ).select_related("person")
    for goal in goals:
        suggestion(goal.person).add(3, f"“{goal.title}” is planned for {goal.target_date:%A}.")
    milestones = Milestone.objects.filter(
        goal__person__in=people, done_on__isnull=True, due_on__range=(today, week_end)
    ).select_related("goal__person")
    for milestone in milestones:
        suggestion(milestone.goal.person).add(3, f"Milestone: {milestone.title}.")

    longest_apart = people.order_by(F("last_interaction_at").asc(nulls_first=True), "full_name")
    for person in longest_apart[:10]:
        if person.pk in suggestions:
            continue
        if person.last_interaction_at:
            why = f"You last connected {(now - person.last_interaction_at).days} days ago."
        else:
            why = "You have not logged time together yet."
        suggestion(person).add(0, why)

    recent = now - timedelta(days=RECENT_DAYS)
    ranked = []
    for item in suggestions.values():
        person = item.person
        if person.last_interaction_at and person.last_interaction_at >= recent:
            continue
        item.score += CIRCLE_WEIGHT[Circle(person.circle)]
        ranked.append(item)
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    ranked.sort(key=lambda s: (-s.score, s.person.last_interaction_at or epoch, s.person.full_name))
    return ranked[:3]
