from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Max, Min

from accounts.models import User
from connections.dashboard import reach_out_today, upcoming_dates
from connections.demo import seed_demo
from connections.insights import circle_rhythm, depth_mix
from connections.models import Goal, Interaction, Person, Relationship, Value

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 28, 18, 30, tzinfo=ZoneInfo("Europe/Lisbon"))


def test_the_demo_account_feels_lived_in():
    user, password = seed_demo(now=NOW)

    assert user.check_password(password)
    people = Person.objects.for_user(user)
    assert 38 <= people.count() <= 42
    assert set(people.values_list("circle", flat=True)) == {
        "inner",
        "close",
        "wider",
        "acquaintance",
    }
    span = Interaction.objects.for_user(user).aggregate(
        first=Min("occurred_at"), last=Max("occurred_at")
    )
    assert span["last"].astimezone(NOW.tzinfo).date() == NOW.date()
    assert span["last"] <= NOW
    assert NOW - span["first"] > timedelta(days=170)
    assert Interaction.objects.for_user(user).filter(people__isnull=True).count() == 0
    groups = (
        Interaction.objects.for_user(user)
        .annotate(participants=Count("people"))
        .filter(participants__gte=3)
    )
    assert groups.exists(), "group dinners are one interaction with several people"

    overdue = reach_out_today(user, now=NOW)
    assert len(overdue) >= 4
    assert all(person.last_heard for person in overdue)
    upcoming = upcoming_dates(user, today=NOW.date()).items
    birthdays = [item for item in upcoming if item.kind == "birthday"]
    assert any(item.turns for item in birthdays)
    assert any(item.turns is None for item in birthdays), "a birthday without a year"
    assert any(item.kind == "milestone" for item in upcoming)
    assert Goal.objects.filter(person__owner=user, status=Goal.Status.ACHIEVED).exists()
    assert Relationship.objects.filter(from_person__owner=user).count() >= 8
    assert Value.objects.filter(owner=user, is_mine=True).count() == 5
    assert people.with_shared_value_count().filter(shared_value_count__gte=2).count() >= 10
    assert all(share.count for share in depth_mix(user, now=NOW))
    assert {row.circle for row in circle_rhythm(user, now=NOW)} == {"inner", "close", "wider"}


def test_last_contact_dates_agree_with_the_interactions():
    user, _ = seed_demo(now=NOW)

    for person in Person.objects.for_user(user).annotate(latest=Max("interactions__occurred_at")):
        assert person.last_interaction_at == person.latest


def test_the_same_day_gives_the_same_demo():
    def snapshot(user):
        return list(
            Interaction.objects.for_user(user)
            .order_by("occurred_at", "what_i_heard")
            .values_list("occurred_at", "kind", "what_i_heard")
        )

    first, _ = seed_demo(now=NOW)
    before = snapshot(first)
    second, _ = seed_demo(now=NOW, reset=True)

    assert snapshot(second) == before
    assert User.objects.filter(email="demo@example.com").count() == 1


def test_the_command_prints_how_to_log_in_and_refuses_to_overwrite_without_reset():
    out = StringIO()
    call_command("seed_demo", "--password", "walk-by-the-river", stdout=out)

    assert "demo@example.com" in out.getvalue()
    assert "walk-by-the-river" in out.getvalue()
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_demo", stdout=StringIO())

    call_command("seed_demo", "--reset", "--email", "demo@example.com", stdout=StringIO())
    assert not User.objects.get(email="demo@example.com").check_password("walk-by-the-river")
