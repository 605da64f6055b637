"""Birthdays, goal target dates and open milestones of active people in a window of days.

Read once per dashboard: "coming up" shows the next weeks of them and the weekly three scores
the first week, so both take the same rows instead of querying the same tables twice. Rows are
plain tuples (a large address book has hundreds of birthdays a month), each starting with the
person's facts, in the order each table is sorted (names, then dates), which the weekly three's
reasons keep.
"""

from dataclasses import dataclass
from datetime import date

from connections.models import Goal, Milestone, Person

# Who a row is about: (id, circle, last_interaction_at, full_name, paused).
PERSON_FACTS = ("pk", "circle", "last_interaction_at", "full_name", "paused")


@dataclass(frozen=True)
class DatesAhead:
    first: date
    last: date
    birthdays: list[tuple]  # PERSON_FACTS + (birthday_day, birthday_month, birthday_year)
    goals: list[tuple]  # PERSON_FACTS + (target_date, title); active goals only
    milestones: list[tuple]  # PERSON_FACTS + (due_on, title, goal title, goal is active)

    def covers(self, first: date, last: date) -> bool:
        return self.first == first and self.last >= last


def dates_ahead(user, *, first: date, last: date) -> DatesAhead:
    """Everything dated from `first` to `last` for the user's active (unarchived) people,
    paused ones included (each reader decides); three queries."""
    people = Person.objects.for_user(user).active()
    birthdays = people.birthday_between(first, last).values_list(
        *PERSON_FACTS, "birthday_day", "birthday_month", "birthday_year"
    )
    # By the goals' own owner column (index goal_owner_dates), not every user's in the
    # window; the person's owner is checked as well, so a stale copy could hide, never show.
    goals = Goal.objects.filter(
        owner=user,
        person__owner=user,
        person__archived_at__isnull=True,
        status=Goal.Status.ACTIVE,
        target_date__range=(first, last),
    ).values_list(*(f"person__{name}" for name in PERSON_FACTS), "target_date", "title")
    milestones = Milestone.objects.filter(
        owner=user,
        goal__person__owner=user,
        goal__person__archived_at__isnull=True,
        done_on__isnull=True,
        due_on__range=(first, last),
    ).values_list(
        *(f"goal__person__{name}" for name in PERSON_FACTS),
        "due_on",
        "title",
        "goal__title",
        "goal__status",
    )
    return DatesAhead(
        first=first,
        last=last,
        birthdays=list(birthdays),
        goals=list(goals),
        milestones=[(*row[:-1], row[-1] == Goal.Status.ACTIVE) for row in milestones],
    )
