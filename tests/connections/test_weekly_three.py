from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from connections.models import Circle, WeeklyPick
from connections.nudges import schedule_follow_up
from connections.weekly import this_weeks_three, weekly_three
from tests.factories import PersonFactory, interaction_with

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("UTC"))
TODAY = NOW.date()
LONG_AGO = NOW - timedelta(days=400)


def person(user, name, circle=Circle.CLOSE, days_since=None, **fields):
    someone = PersonFactory(
        owner=user, full_name=name, nickname=name, circle=circle, created_at=LONG_AGO, **fields
    )
    if days_since is not None:
        interaction_with(someone, occurred_at=NOW - timedelta(days=days_since))
    return someone


def test_far_past_their_rhythm_and_close_ranks_first(user):
    person(user, "Inner overdue", Circle.INNER, days_since=28)  # 4x → 8 + 3
    person(user, "Close overdue", Circle.CLOSE, days_since=45)  # 1.5x → 3 + 2
    person(user, "Fine", Circle.CLOSE, days_since=10)

    three = weekly_three(user=user, today=TODAY, now=NOW)

    assert [s.person.full_name for s in three] == ["Inner overdue", "Close overdue", "Fine"]
    assert three[0].why == "You last connected on 2 February; you aim for every 7 days."


def test_an_open_follow_up_and_a_birthday_lift_someone(user):
    person(user, "Overdue wider", Circle.WIDER, days_since=120)  # 1.33x → 2.7 + 1
    promise = person(user, "Promise", Circle.ACQUAINTANCE, days_since=20)
    schedule_follow_up(person=promise, due_on=TODAY, reason="Ask how the surgery went")
    birthday = person(user, "Birthday", Circle.ACQUAINTANCE, days_since=20)
    birthday.birthday_day, birthday.birthday_month = 4, 3  # Wednesday
    birthday.save()

    three = weekly_three(user=user, today=TODAY, now=NOW)

    assert [s.person.full_name for s in three] == ["Promise", "Overdue wider", "Birthday"]
    assert three[0].why == "Follow up: Ask how the surgery went"
    assert three[2].why == "Birthday on Wednesday."


def test_recently_contacted_paused_and_archived_people_are_left_out(user):
    person(user, "Just talked", Circle.INNER, days_since=1)
    person(user, "Paused", Circle.INNER, days_since=60, paused=True)
    person(user, "Archived", Circle.INNER, days_since=60, archived_at=LONG_AGO)
    assert weekly_three(user=user, today=TODAY, now=NOW) == []


def _three(user, now):
    return [
        (pick.person.nickname, pick.connected_on)
        for pick in this_weeks_three(user=user, today=now.date(), now=now)
    ]


def test_the_three_are_kept_all_week_and_chosen_afresh_the_next(user):
    person(user, "Ana", Circle.INNER, days_since=28)
    person(user, "Ben", Circle.CLOSE, days_since=45)
    person(user, "Cleo", Circle.CLOSE, days_since=20)
    assert _three(user, NOW) == [("Ana", None), ("Ben", None), ("Cleo", None)]

    # By Thursday someone else is far more overdue; the week's three stay.
    person(user, "Dara", Circle.INNER, days_since=90)
    thursday = NOW + timedelta(days=3)
    assert _three(user, thursday) == [("Ana", None), ("Ben", None), ("Cleo", None)]

    next_monday = NOW + timedelta(days=7)
    assert _three(user, next_monday)[0] == ("Dara", None)


def test_someone_you_connect_with_stays_and_is_marked_done(user):
    ana = person(user, "Ana", Circle.INNER, days_since=28)
    person(user, "Ben", Circle.CLOSE, days_since=45)
    person(user, "Cleo", Circle.CLOSE, days_since=20)
    this_weeks_three(user=user, today=TODAY, now=NOW)

    tuesday = NOW + timedelta(days=1)
    interaction_with(ana, occurred_at=tuesday)

    three = this_weeks_three(user=user, today=tuesday.date(), now=tuesday + timedelta(hours=2))
    assert [(p.person.nickname, p.connected_on) for p in three] == [
        ("Ana", tuesday.date()),
        ("Ben", None),
        ("Cleo", None),
    ]
    assert three[0].done_line == "You connected today. Nicely done."
    assert three[1].done_line == ""
    wednesday = tuesday + timedelta(days=1)
    three = this_weeks_three(user=user, today=wednesday.date(), now=wednesday)
    assert three[0].done_line == "You connected on Tuesday. Nicely done."


def test_an_archived_or_paused_pick_leaves_a_gap_the_next_best_fills(user):
    ana = person(user, "Ana", Circle.INNER, days_since=28)
    ben = person(user, "Ben", Circle.CLOSE, days_since=45)
    person(user, "Cleo", Circle.CLOSE, days_since=20)
    person(user, "Dara", Circle.WIDER, days_since=10)
    person(user, "Eli", Circle.ACQUAINTANCE, days_since=10)
    assert [name for name, _ in _three(user, NOW)] == ["Ana", "Ben", "Cleo"]

    ana.archived_at = NOW
    ana.save()
    ben.paused = True
    ben.save()

    later = NOW + timedelta(hours=5)
    assert [name for name, _ in _three(user, later)] == ["Cleo", "Dara", "Eli"]
    # Brought back, Ben is one of the week's again; the three shown stay three.
    ben.paused = False
    ben.save()
    assert [name for name, _ in _three(user, later)] == ["Ben", "Cleo", "Dara"]


def test_another_users_picks_are_never_shown(user, other_user):
    theirs = PersonFactory(owner=other_user, full_name="Not yours", created_at=LONG_AGO)
    WeeklyPick.objects.create(owner=other_user, week=TODAY, person=theirs, why="Theirs.")
    person(user, "Ana", Circle.INNER, days_since=28)

    assert _three(user, NOW) == [("Ana", None)]


def test_done_counts_from_the_users_own_monday(user):
    user.timezone = "Pacific/Auckland"  # UTC+13 in March: Monday starts on Sunday, 11:00 UTC
    user.save()
    ana = person(user, "Ana", Circle.INNER, days_since=28)
    auckland = ZoneInfo("Pacific/Auckland")
    monday_morning = datetime(2026, 3, 2, 7, tzinfo=auckland)
    this_weeks_three(user=user, today=monday_morning.date(), now=monday_morning)

    interaction_with(ana, occurred_at=datetime(2026, 3, 2, 8, tzinfo=auckland))

    # Asked as the scheduler asks, with the time in UTC (still Sunday there).
    later = datetime(2026, 3, 2, 10, tzinfo=auckland).astimezone(ZoneInfo("UTC"))
    three = this_weeks_three(user=user, today=date(2026, 3, 2), now=later)
    assert three[0].connected_on == date(2026, 3, 2)
    assert three[0].done_line == "You connected today. Nicely done."


def test_a_long_follow_up_reason_is_kept_whole(user):
    promise = person(user, "Promise", Circle.ACQUAINTANCE, days_since=20)
    reason = "Ask how the move went" + ", and whether the boxes all arrived" * 20
    schedule_follow_up(person=promise, due_on=TODAY, reason=reason)

    this_weeks_three(user=user, today=TODAY, now=NOW)

    assert WeeklyPick.objects.get(person=promise).why == f"Follow up: {reason}"
