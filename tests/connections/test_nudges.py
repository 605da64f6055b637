from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError
from django.utils import timezone

from connections.goals import add_goal, add_milestone, set_goal_status
from connections.models import Circle, Nudge
from connections.nudges import (
    complete_nudge,
    create_due_nudges,
    dismiss_nudge,
    first_due_nudges,
    schedule_follow_up,
    snooze_nudge,
)
from tests.factories import PersonFactory, interaction_with

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_lapsed_rhythm_creates_one_cadence_nudge(user):
    now = timezone.now()
    ana = PersonFactory(owner=user, circle=Circle.INNER, created_at=now - timedelta(days=60))
    interaction_with(ana, occurred_at=now - timedelta(days=10))

    create_due_nudges(now)
    create_due_nudges(now)

    nudge = Nudge.objects.get()
    assert (nudge.person, nudge.kind, nudge.status) == (ana, Nudge.Kind.CADENCE, "open")
    assert nudge.due_on == (now - timedelta(days=3)).astimezone(user.zone).date()
    assert "10 days since you last connected" in nudge.reason


def test_the_database_refuses_a_second_open_cadence_nudge(user):
    ana = PersonFactory(owner=user)
    Nudge.objects.create(owner=user, person=ana, kind="cadence", due_on=timezone.localdate())
    with pytest.raises(IntegrityError):
        Nudge.objects.create(owner=user, person=ana, kind="cadence", due_on=timezone.localdate())


def test_logging_an_interaction_resolves_the_cadence_nudge_and_restarts_it(user):
    now = timezone.now()
    ana = PersonFactory(owner=user, circle=Circle.INNER, created_at=now - timedelta(days=30))
    create_due_nudges(now)
    assert Nudge.objects.get().status == "open"

    interaction_with(ana, occurred_at=now)
    create_due_nudges(now + timedelta(days=1))

    assert Nudge.objects.get().status == "done"


def test_paused_and_archived_people_get_no_nudges(user):
    old = timezone.now() - timedelta(days=100)
    PersonFactory(owner=user, circle=Circle.INNER, paused=True, created_at=old)
    PersonFactory(owner=user, circle=Circle.INNER, archived_at=old, created_at=old)
    create_due_nudges(timezone.now())
    assert not Nudge.objects.exists()


def test_birthday_nudges_a_few_days_before_and_on_the_day(user):
    user.birthday_notice_days = 3
    user.save()
    ana = PersonFactory(
        owner=user,
        birthday_day=12,
        birthday_month=4,
        created_at=at(2025, 1, 1),
        circle=Circle.ACQUAINTANCE,
    )

    create_due_nudges(at(2026, 4, 8, 12))
    assert not Nudge.objects.exists()
    create_due_nudges(at(2026, 4, 9, 12))
    create_due_nudges(at(2026, 4, 12, 12))
    create_due_nudges(at(2026, 4, 12, 13))

    soon, today = Nudge.objects.order_by("due_on")
    assert (soon.kind, soon.due_on, soon.occasion_on) == (
        "birthday_soon",
        date(2026, 4, 9),
        date(2026, 4, 12),
    )
    assert "birthday is on Sunday 12 April" in soon.reason
    assert (today.kind, today.due_on, today.person) == ("birthday", date(2026, 4, 12), ana)


def test_birthday_on_29_february_is_remembered_on_the_28th(user):
    user.birthday_notice_days = 0
    user.save()
    PersonFactory(
        owner=user,
        birthday_day=29,
        birthday_month=2,
        created_at=at(2025, 1, 1),
        circle=Circle.ACQUAINTANCE,
    )
    create_due_nudges(at(2027, 2, 28, 12))
    assert Nudge.objects.get().due_on == date(2027, 2, 28)


def test_a_birthday_is_due_on_the_users_local_day(user):
    user.timezone = "Pacific/Kiritimati"  # UTC+14
    user.birthday_notice_days = 0
    user.save()
    PersonFactory(
        owner=user,
        birthday_day=1,
        birthday_month=3,
        birthday_year=1990,
        created_at=at(2025, 1, 1),
        circle=Circle.ACQUAINTANCE,
    )
    create_due_nudges(at(2026, 2, 28, 11))  # 1 March 01:00 in Kiritimati
    nudge = Nudge.objects.get()
    assert nudge.due_on == date(2026, 3, 1)
    assert "(turns 36)" in nudge.reason


def test_missed_days_are_caught_up_when_the_tick_comes_back(user):
    user.birthday_notice_days = 0
    user.save()
    PersonFactory(
        owner=user,
        birthday_day=5,
        birthday_month=6,
        created_at=at(2025, 1, 1),
        circle=Circle.ACQUAINTANCE,
    )
    create_due_nudges(at(2026, 6, 9, 9), since=at(2026, 6, 1, 9))  # beat was down a week
    nudge = Nudge.objects.get()
    assert nudge.due_on == date(2026, 6, 5)
    assert "was on Friday 5 June" in nudge.reason


def test_goal_dates_milestones_and_achievements_become_nudges(user):
    ana = PersonFactory(owner=user)
    goal = add_goal(person=ana, title="Finish the thesis", target_date=timezone.localdate())
    add_milestone(goal=goal, title="First draft", due_on=timezone.localdate() - timedelta(days=1))

    create_due_nudges(timezone.now() + timedelta(days=1))
    assert sorted(Nudge.objects.values_list("kind", flat=True)) == ["goal_date", "milestone"]

    set_goal_status(goal=goal, status="achieved", on=timezone.localdate())
    celebrate = Nudge.objects.get(kind="celebrate")
    assert "achieved “Finish the thesis”" in celebrate.reason


def test_due_nudges_come_most_important_first(user):
    today = timezone.localdate()
    ana, ben, cleo = (PersonFactory(owner=user) for _ in range(3))
    cadence = Nudge.objects.create(owner=user, person=ana, kind="cadence", due_on=today)
    birthday = Nudge.objects.create(
        owner=user, person=ben, kind="birthday", due_on=today, occasion_on=today
    )
    follow_up = schedule_follow_up(
        person=cleo, due_on=today - timedelta(days=2), reason="Interview"
    )
    schedule_follow_up(person=cleo, due_on=today + timedelta(days=1))

    nudges, _ = first_due_nudges(user, today, limit=12)
    assert nudges == [follow_up, birthday, cadence]


def test_done_snooze_and_dismiss_are_harmless_twice(user):
    ana = PersonFactory(owner=user)
    nudge = schedule_follow_up(person=ana, due_on=timezone.localdate(), reason="Ask about the move")
    assert complete_nudge(nudge=nudge) is True
    assert complete_nudge(nudge=nudge) is False
    assert snooze_nudge(nudge=nudge, days=3) is False
    assert dismiss_nudge(nudge=nudge) is False
    nudge.refresh_from_db()
    assert nudge.status == "done"


def test_snooze_moves_from_the_users_today(user):
    ana = PersonFactory(owner=user)
    nudge = schedule_follow_up(person=ana, due_on=date(2026, 1, 1))
    snooze_nudge(nudge=nudge, days=7, now=at(2026, 1, 5, 23))  # 6 Jan in Europe/Lisbon? no: 23:00
    nudge.refresh_from_db()
    assert nudge.due_on == date(2026, 1, 12)
    with pytest.raises(ValueError):
        snooze_nudge(nudge=nudge, days=5)
