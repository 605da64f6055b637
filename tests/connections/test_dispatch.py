"""Planning and sending the morning and weekly emails, in-process against a real SMTP server."""

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Exists
from django.urls import reverse

from accounts.models import User
from connections import scheduling
from connections.delivery import send_delivery
from connections.models import Circle, Delivery, Nudge
from connections.nudges import schedule_follow_up
from connections.scheduling import plan_daily_emails, run_tick
from connections.weekly import this_weeks_three
from tests.factories import PersonFactory, UserFactory, interaction_with
from tests.smtp import html_part, text_part

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


def deliver_pending() -> list[str]:
    """What a worker does with the emails the tick handed over (enqueued)."""
    handed_over = Delivery.objects.filter(status=Delivery.Status.PENDING, enqueued_at__isnull=False)
    return [send_delivery(pk) for pk in handed_over.values_list("pk", flat=True)]


def morning(messages):
    return [m for m in messages if not m["Subject"].startswith("This week")]


def tick_and_deliver(now: datetime) -> None:
    with time_machine.travel(now, tick=False):
        run_tick(now)
        deliver_pending()


def make_user(email: str, zone: str, **fields) -> User:
    user = UserFactory(
        email=email, timezone=zone, date_joined=datetime(2026, 1, 1, tzinfo=UTC), **fields
    )
    person = PersonFactory(owner=user, full_name=f"Friend of {email}", circle=Circle.ACQUAINTANCE)
    schedule_follow_up(
        person=person, due_on=date(2026, 3, 1), reason="She mentioned the job interview on Tuesday."
    )
    return user


def test_one_email_at_the_local_hour_with_context_and_actions(smtp_server):
    user = make_user("ana@example.com", "Europe/Lisbon", display_name="Ana Sousa")
    person = user.people.get()
    person.preferred_channel = "call"
    person.connect_notes = "Evenings, after the kids sleep"
    person.save()

    tick_and_deliver(datetime(2026, 3, 2, 7, 59, tzinfo=UTC))
    assert morning(smtp_server.messages) == []
    tick_and_deliver(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    tick_and_deliver(datetime(2026, 3, 2, 8, 1, tzinfo=UTC))

    (message,) = morning(smtp_server.messages)
    assert message["To"] == "ana@example.com"
    assert message["Subject"] == "1 person to reach out to today — Follow up with Friend"
    delivery = Delivery.objects.get(kind="daily")
    assert message["Message-ID"] == delivery.message_id
    assert (
        message["List-Unsubscribe"].startswith("<http://testserver")
        or "unsubscribe" in message["List-Unsubscribe"]
    )
    text = text_part(message)
    assert "She mentioned the job interview on Tuesday." in text
    assert "Prefers: Phone call — Evenings, after the kids sleep" in text
    for label in ("Done:", "Snooze:", "Log how it went:"):
        assert label in text
    assert "Stop these emails:" in text
    assert "Log how it went" in html_part(message)
    assert delivery.status == Delivery.Status.SENT


def test_a_day_in_fast_forward_for_five_timezones_sends_each_one_email_at_their_hour(smtp_server):
    zones = {
        "honolulu@example.com": "Pacific/Honolulu",  # UTC-10
        "london@example.com": "Europe/London",  # UTC+0 in winter
        "kathmandu@example.com": "Asia/Kathmandu",  # UTC+5:45
        "kiritimati@example.com": "Pacific/Kiritimati",  # UTC+14
        "newyork@example.com": "America/New_York",  # DST ends on 1 November 2026
    }
    for email, zone in zones.items():
        make_user(email, zone)

    sent_at: dict[str, list[datetime]] = {email: [] for email in zones}
    start = datetime(2026, 10, 31, 0, 0, tzinfo=UTC)
    # The first tick catches up the day for zones whose hour has already passed.
    tick_and_deliver(start)
    for step in range(1, 3 * 24 * 4):  # three days, a tick every 15 minutes
        now = start + timedelta(minutes=15 * step)
        before = len(smtp_server.messages)
        tick_and_deliver(now)
        for message in morning(smtp_server.messages[before:]):
            sent_at[message["To"]].append(now)

    for email, zone in zones.items():
        local = [moment.astimezone(ZoneInfo(zone)) for moment in sent_at[email]]
        days = Counter(moment.date() for moment in local)
        assert all(count == 1 for count in days.values()), (email, local)
        assert {moment.hour for moment in local} == {8}, (email, local)
        assert len(local) >= 2, (email, local)


def test_the_morning_email_shows_the_interaction_notes_and_names_as_written(smtp_server):
    user = UserFactory(
        email="nameless@example.com",
        display_name="",
        timezone="UTC",
        date_joined=datetime(2026, 1, 1, tzinfo=UTC),
    )
    person = PersonFactory(
        owner=user,
        full_name='Zoë "Zed" <O\'Brien>',
        circle=Circle.CLOSE,
        preferred_channel="email",
        connect_notes="Writes back within the hour on weekdays, " * 3,
    )
    call = interaction_with(person, kind="video", occurred_at=datetime(2026, 2, 27, 12, tzinfo=UTC))
    schedule_follow_up(person=person, due_on=date(2026, 3, 1), interaction=call)

    tick_and_deliver(datetime(2026, 3, 2, 9, tzinfo=UTC))

    (message,) = morning(smtp_server.messages)
    text, html = text_part(message).replace("\r\n", "\n"), html_part(message)
    assert text.startswith("Good morning.\n\nOne person to reach out to today:\n\n1. Zoë")
    assert "   (from video call on Friday 27 February)\n" in text
    notes = "Writes back within the hour on weekdays, Writes back within the hour on weekday…"
    assert f"   Prefers: Email — {notes}\n" in text
    assert "at 08:00 your time (UTC)." in text
    assert "Good morning</h1>" in html
    assert "Zoë &#34;Zed&#34; &lt;O&#39;Brien&gt;</a>" in html
    assert "<O'Brien>" not in html
    assert "From your video call on Friday 27 February</p>" in html
    assert f"Prefers: Email — {notes}</p>" in html


def test_the_daily_limit_holds_and_the_email_says_how_many_wait(smtp_server):
    user = make_user("busy@example.com", "UTC", daily_nudge_limit=2)
    for name in ("Ben", "Cleo", "Dara"):
        schedule_follow_up(
            person=PersonFactory(owner=user, full_name=name, circle=Circle.ACQUAINTANCE),
            due_on=date(2026, 3, 1),
        )

    tick_and_deliver(datetime(2026, 3, 2, 9, tzinfo=UTC))

    (message,) = morning(smtp_server.messages)
    assert Delivery.objects.get(kind="daily").nudges.count() == 2
    assert "2 more are waiting" in text_part(message)


def test_quiet_days_skip_and_the_nudges_wait_for_the_next_day(smtp_server):
    make_user("quiet@example.com", "UTC", quiet_weekdays=[0])  # Mondays are quiet
    tick_and_deliver(datetime(2026, 3, 2, 9, tzinfo=UTC))  # a Monday
    assert morning(smtp_server.messages) == []
    tick_and_deliver(datetime(2026, 3, 3, 9, tzinfo=UTC))
    assert len(morning(smtp_server.messages)) == 1


def test_no_email_when_nothing_is_due_or_emails_are_off(smtp_server):
    UserFactory(email="nothing@example.com", timezone="UTC")
    make_user("off@example.com", "UTC", email_nudges_enabled=False)
    tick_and_deliver(datetime(2026, 3, 2, 9, tzinfo=UTC))
    tick_and_deliver(datetime(2026, 3, 2, 15, tzinfo=UTC))
    assert morning(smtp_server.messages) == []


def test_a_stopped_beat_catches_up_the_same_day(smtp_server):
    make_user("late@example.com", "UTC")
    tick_and_deliver(datetime(2026, 3, 2, 14, 37, tzinfo=UTC))  # first tick since yesterday
    assert len(morning(smtp_server.messages)) == 1


def test_changing_timezone_after_the_hour_neither_skips_nor_doubles(smtp_server):
    user = make_user("mover@example.com", "Europe/Lisbon")
    tick_and_deliver(datetime(2026, 3, 2, 9, tzinfo=UTC))  # sent for 2 March in Lisbon
    User.objects.filter(pk=user.pk).update(timezone="Asia/Tokyo")  # 18:00 on 2 March there
    tick_and_deliver(datetime(2026, 3, 2, 9, 5, tzinfo=UTC))
    assert len(morning(smtp_server.messages)) == 1
    tick_and_deliver(datetime(2026, 3, 2, 23, 0, tzinfo=UTC))  # 08:00 on 3 March in Tokyo
    assert len(morning(smtp_server.messages)) == 2


def test_a_user_whose_hour_passed_when_they_moved_east_still_gets_today(smtp_server):
    user = make_user("east@example.com", "America/Los_Angeles")  # 01:00 there at 09:00 UTC
    tick_and_deliver(datetime(2026, 3, 2, 9, tzinfo=UTC))
    assert morning(smtp_server.messages) == []
    User.objects.filter(pk=user.pk).update(timezone="Asia/Kolkata")  # 14:30 there: hour passed
    tick_and_deliver(datetime(2026, 3, 2, 9, 1, tzinfo=UTC))
    assert len(morning(smtp_server.messages)) == 1


def test_smtp_failure_is_retried_with_backoff_and_visible(settings, user, alice_client):
    from tests.smtp import SmtpServer, free_port

    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    schedule_follow_up(
        person=PersonFactory(owner=user, circle=Circle.ACQUAINTANCE), due_on=date(2026, 3, 1)
    )
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    tick_and_deliver(now)

    delivery = Delivery.objects.get(kind="daily")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error
    assert delivery.next_attempt_at == now + timedelta(seconds=60)
    page = alice_client.get(reverse("settings")).text
    assert "Last problem:" in page and "retrying after 1 attempt" in page

    tick_and_deliver(now + timedelta(seconds=30))  # too early for the retry
    assert Delivery.objects.get(kind="daily").attempts == 1

    server = SmtpServer(port=port).start()
    try:
        tick_and_deliver(now + timedelta(seconds=61))
    finally:
        server.stop()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    assert len(morning(server.messages)) == 1


def test_gives_up_after_the_last_attempt_and_says_so(settings, user):
    from tests.smtp import free_port

    settings.NUDGE_MAX_ATTEMPTS = 2
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    schedule_follow_up(
        person=PersonFactory(owner=user, circle=Circle.ACQUAINTANCE), due_on=date(2026, 3, 1)
    )
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    tick_and_deliver(now)
    tick_and_deliver(now + timedelta(minutes=5))
    assert Delivery.objects.get(kind="daily").status == "failed"


def test_weekly_three_on_the_chosen_day(smtp_server):
    user = UserFactory(
        email="weekly@example.com",
        timezone="UTC",
        weekly_email_weekday=0,
        date_joined=datetime(2026, 1, 1, tzinfo=UTC),
    )
    old = datetime(2026, 1, 1, tzinfo=UTC)
    for name, circle in [
        ("Ana", Circle.INNER),
        ("Ben", Circle.CLOSE),
        ("Cleo", Circle.WIDER),
        ("Dara", Circle.CLOSE),
    ]:
        person = PersonFactory(
            owner=user, full_name=f"{name} Silva", nickname=name, circle=circle, created_at=old
        )
        interaction_with(person, occurred_at=datetime(2026, 2, 1, tzinfo=UTC))
    Nudge.objects.all().delete()
    user.email_nudges_enabled = True
    user.save()

    tick_and_deliver(datetime(2026, 3, 2, 9, tzinfo=UTC))  # Monday
    weekly = [m for m in smtp_server.messages if m["Subject"].startswith("This week")]
    assert len(weekly) == 1
    assert weekly[0]["Subject"] == "This week’s three: Ana, Ben and Dara"
    assert "You last connected on 1 February; you aim for every" in text_part(weekly[0])

    tick_and_deliver(datetime(2026, 3, 3, 9, tzinfo=UTC))
    assert len([m for m in smtp_server.messages if m["Subject"].startswith("This week")]) == 1


def test_the_weekly_email_names_the_three_the_dashboard_showed_that_week(smtp_server):
    user = UserFactory(
        email="weekly@example.com",
        timezone="UTC",
        weekly_email_weekday=2,  # Wednesday
        date_joined=datetime(2026, 1, 1, tzinfo=UTC),
    )
    old = datetime(2026, 1, 1, tzinfo=UTC)
    people = {}
    for name, circle in [("Ana", Circle.INNER), ("Ben", Circle.CLOSE), ("Dara", Circle.CLOSE)]:
        people[name] = PersonFactory(
            owner=user, full_name=f"{name} Silva", nickname=name, circle=circle, created_at=old
        )
        interaction_with(people[name], occurred_at=datetime(2026, 2, 1, tzinfo=UTC))
    Nudge.objects.all().delete()
    user.email_nudges_enabled = True
    user.save()
    monday = datetime(2026, 3, 2, 9, tzinfo=UTC)
    shown = this_weeks_three(user=user, today=monday.date(), now=monday)
    assert [pick.person.nickname for pick in shown] == ["Ana", "Ben", "Dara"]
    # On Tuesday Ana is seen (a fresh ranking would now leave her out for three days), and
    # someone new, far past their rhythm, is added.
    interaction_with(people["Ana"], occurred_at=datetime(2026, 3, 3, 18, tzinfo=UTC))
    PersonFactory(owner=user, full_name="Eli Silva", nickname="Eli", circle=Circle.INNER)

    tick_and_deliver(datetime(2026, 3, 4, 9, tzinfo=UTC))  # Wednesday

    weekly = [m for m in smtp_server.messages if m["Subject"].startswith("This week")]
    assert [m["Subject"] for m in weekly] == ["This week’s three: Ana, Ben and Dara"]
    assert "Ana Silva\r\n   You connected on Tuesday. Nicely done." in text_part(weekly[0])


def test_dispatch_nudges_command_runs_one_tick(capsys, user):
    call_command("dispatch_nudges")
    assert "Tick done:" in capsys.readouterr().out


@pytest.mark.parametrize("count", [3, 12])
def test_planning_costs_the_same_queries_for_3_or_12_users(count, django_assert_num_queries):
    for n in range(count):
        make_user(f"user{n}@example.com", "Europe/Lisbon")
    nine = datetime(2026, 3, 1, 9, tzinfo=UTC)

    # timezones; users whose hour has come; their due nudges and the people those name; the
    # emails; the new ones; their nudges (inside one savepoint).
    with time_machine.travel(nine, tick=False), django_assert_num_queries(9):
        planned = plan_daily_emails(nine)

    assert planned == count
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == count
    assert all(d.nudges.count() == 1 for d in Delivery.objects.all())


def test_an_email_another_tick_planned_first_stands_and_the_rest_are_planned(monkeypatch):
    ana = make_user("ana@example.com", "UTC")
    ben = make_user("ben@example.com", "UTC")
    nine = datetime(2026, 3, 2, 9, tzinfo=UTC)
    theirs = Delivery.objects.create(
        owner=ana, kind=Delivery.Kind.DAILY, period=nine.date(), status=Delivery.Status.SKIPPED
    )
    # As if the other tick committed between this one's choosing users and planning them.
    monkeypatch.setattr(scheduling, "Exists", lambda query: Exists(query.none()))

    with time_machine.travel(nine, tick=False):
        planned = plan_daily_emails(nine)

    assert planned == 1
    assert Delivery.objects.filter(owner=ana).get() == theirs
    theirs.refresh_from_db()
    assert theirs.status == Delivery.Status.SKIPPED and not theirs.nudges.exists()
    bens = Delivery.objects.get(owner=ben)
    assert bens.status == Delivery.Status.PENDING
    assert bens.period == date(2026, 3, 2) and bens.weekly_picks == [] and bens.attempts == 0
    assert [n.reason for n in bens.nudges.all()] == ["She mentioned the job interview on Tuesday."]


def test_every_ready_email_is_handed_to_workers_in_one_tick(monkeypatch):
    monkeypatch.setattr(scheduling, "HAND_OVER_BATCH", 2)
    for n in range(5):
        make_user(f"user{n}@example.com", "UTC")
    nine = datetime(2026, 3, 1, 9, tzinfo=UTC)

    with time_machine.travel(nine, tick=False):
        report = run_tick(nine)

    # Five morning emails and five weekly ones (1 March 2026 is a Sunday), two at a time.
    assert (report.daily_planned, report.weekly_planned, report.enqueued) == (5, 5, 10)
    assert not Delivery.objects.filter(enqueued_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_morning_emails_go_to_workers_round_by_round_while_the_rest_are_planned(monkeypatch):
    from connections import tasks

    monkeypatch.setattr(scheduling, "PLAN_BATCH", 2)
    monkeypatch.setattr(scheduling, "SEND_BATCH", 2)
    for n in range(5):
        make_user(f"user{n}@example.com", "UTC")
    enqueued = []
    monkeypatch.setattr(
        tasks.send_deliveries,
        "delay",
        lambda ids: enqueued.append((ids, Delivery.objects.filter(kind="daily").count())),
    )
    monday = datetime(2026, 3, 2, 9, tzinfo=UTC)

    with time_machine.travel(monday, tick=False):
        report = run_tick(monday)

    # The first two morning emails went to a worker when only they were planned, and so on;
    # the weekly ones (planned after all of them) at the end.
    daily = Delivery.objects.filter(kind="daily")
    weekly = Delivery.objects.filter(kind="weekly")
    assert [planned_then for _, planned_then in enqueued] == [2, 4, 5, 5, 5, 5]
    assert sorted(pk for ids, _ in enqueued[:3] for pk in ids) == sorted(d.pk for d in daily)
    assert sorted(pk for ids, _ in enqueued[3:] for pk in ids) == sorted(d.pk for d in weekly)
    assert (report.daily_planned, report.weekly_planned, report.enqueued) == (5, 5, 10)
    assert all(d.enqueued_at == monday for d in Delivery.objects.all())


def test_the_morning_email_leaves_out_paused_and_archived_people(smtp_server):
    user = make_user("ana@example.com", "UTC")
    for name, fields in (
        ("Paula Paused", {"paused": True}),
        ("Archie Archived", {"archived_at": datetime(2026, 2, 1, tzinfo=UTC)}),
    ):
        schedule_follow_up(
            person=PersonFactory(owner=user, full_name=name, circle=Circle.CLOSE, **fields),
            due_on=date(2026, 3, 1),
            reason="Should not be in the email.",
        )

    tick_and_deliver(datetime(2026, 3, 2, 9, tzinfo=UTC))

    (message,) = morning(smtp_server.messages)
    assert "Friend of ana@example.com" in text_part(message)
    assert "Paula" not in text_part(message)
    assert "Archie" not in text_part(message)
    assert Delivery.objects.get(kind="daily").nudges.count() == 1
