from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.calendar import calendar_feed
from connections.goals import add_goal
from connections.nudges import schedule_follow_up
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_settings_creates_and_replaces_a_private_feed_address(alice_client, user):
    assert "Create calendar address" in alice_client.get(reverse("settings")).text
    alice_client.post(reverse("calendar_reset"))
    user.refresh_from_db()
    first = user.calendar_token
    assert len(first) >= 40
    assert reverse("calendar_feed", args=[first]) in alice_client.get(reverse("settings")).text

    alice_client.post(reverse("calendar_reset"))
    user.refresh_from_db()
    assert user.calendar_token != first
    assert alice_client.get(reverse("calendar_feed", args=[first])).status_code == 404


def test_feed_lists_follow_ups_birthdays_and_goals(client, user, other_user):
    user.calendar_token = "secret-token-for-alice-0123456789abcdefghij"
    user.save()
    ana = PersonFactory(owner=user, full_name="Ana Lima", birthday_day=12, birthday_month=4)
    schedule_follow_up(
        person=ana, due_on=timezone.localdate() + timedelta(days=3), reason="Ask, about; the move"
    )
    add_goal(
        person=ana,
        title="Run the Lisbon half",
        target_date=timezone.localdate() + timedelta(days=20),
    )
    PersonFactory(owner=other_user, full_name="Bob's friend", birthday_day=1, birthday_month=1)

    response = client.get(reverse("calendar_feed", args=[user.calendar_token]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:Follow up with Ana Lima" in body
    assert "DESCRIPTION:Ask\\, about\\; the move" in body
    assert "SUMMARY:Ana Lima’s birthday" in body and "RRULE:FREQ=YEARLY" in body
    assert "SUMMARY:Ana Lima: Run the Lisbon half" in body
    assert "Bob's friend" not in body
    assert body.count("BEGIN:VEVENT") == body.count("END:VEVENT") == 3


def test_feed_lines_are_folded_to_75_octets(user):
    ana = PersonFactory(owner=user, full_name="Ana")
    schedule_follow_up(person=ana, due_on=date(2030, 1, 1), reason="ü" * 200)
    for line in calendar_feed(user=user, today=date(2029, 12, 1)).split("\r\n"):
        assert len(line.encode()) <= 75


def test_unknown_or_empty_token_is_404(client, user):
    assert client.get(reverse("calendar_feed", args=["nope"])).status_code == 404


def test_the_feed_parses_as_icalendar(user):
    import vobject

    ana = PersonFactory(
        owner=user, full_name="Ana, the “great”; Lima", birthday_day=29, birthday_month=2
    )
    schedule_follow_up(
        person=ana, due_on=date(2030, 1, 1), reason="Line one\nline two; with, commas"
    )
    calendar = vobject.readOne(calendar_feed(user=user, today=date(2029, 12, 1)))
    summaries = sorted(event.summary.value for event in calendar.vevent_list)
    assert summaries == [
        "Ana, the “great”; Lima’s birthday",
        "Follow up with Ana, the “great”; Lima",
    ]
    follow_up = next(e for e in calendar.vevent_list if e.summary.value.startswith("Follow"))
    assert follow_up.description.value == "Line one\nline two; with, commas"
    assert follow_up.dtstart.value == date(2030, 1, 1)
