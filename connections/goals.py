"""A person's goals and milestones: nurture growth together."""

from datetime import date, timedelta

from django.db import transaction

from connections.models import Goal, Milestone, Person
from connections.nudges import celebrate_goal, local_today


@transaction.atomic
def add_goal(
    *, person: Person, title: str, notes: str = "", target_date: date | None = None
) -> Goal:
    goal = Goal(person=person, title=title.strip(), notes=notes, target_date=target_date)
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def set_goal_status(*, goal: Goal, status: str, on: date) -> Goal:
    goal.status = Goal.Status(status)
    goal.achieved_on = on if goal.status == Goal.Status.ACHIEVED else None
    goal.save(update_fields=["status", "achieved_on"])
    # Celebrate news that is fresh; an achievement recorded long after the fact is history.
    if goal.status == Goal.Status.ACHIEVED and on >= local_today(goal.person.owner) - timedelta(7):
        celebrate_goal(goal=goal)
    return goal


@transaction.atomic
def add_milestone(*, goal: Goal, title: str, due_on: date | None = None) -> Milestone:
    milestone = Milestone(goal=goal, title=title.strip(), due_on=due_on)
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def complete_milestone(*, milestone: Milestone, on: date) -> Milestone:
    milestone.done_on = None if milestone.done_on else on
    milestone.save(update_fields=["done_on"])
    return milestone
