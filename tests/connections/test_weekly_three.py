from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from connections.models import Circle
from connections.nudges import schedule_follow_up
from connections.weekly import weekly_three
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
    assert three[0].why == "28 days since you connected; you aim for every 7 days."


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
