from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from connections.insights import depth_mix, weekly_counts
from connections.models import Circle, Interaction, InteractionKind, Person
from tests.factories import PersonFactory, UserFactory, interaction_with

pytestmark = pytest.mark.django_db

KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14: local weeks begin on Sunday, UTC.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=KIRITIMATI)  # a Wednesday


@pytest.fixture
def far_user(db):
    return UserFactory(email="kiri@example.com", timezone="Pacific/Kiritimati")


def log(person, kind=InteractionKind.CALL, *, at):
    return interaction_with(person, kind=kind, occurred_at=at)


@time_machine.travel(NOW, tick=False)
def test_weeks_are_counted_from_the_users_own_monday_midnight(far_user):
    person = PersonFactory(owner=far_user)
    # Sunday 22 November 11:00 UTC is already Monday 01:00 in Kiritimati: this week.
    log(person, at=datetime(2026, 11, 22, 11, 0, tzinfo=UTC))
    # Sunday 22 November 09:00 UTC is Sunday 23:00 there: last week.
    log(person, at=datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    log(person, at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    # 26 weeks back is the first week shown; 27 weeks back is not.
    log(person, at=NOW - timedelta(weeks=25))
    log(person, at=NOW - timedelta(weeks=27))
    PersonFactory(owner=UserFactory())  # another user's data never counts
    interaction_with(PersonFactory(), occurred_at=NOW)

    weeks = weekly_counts(far_user, now=far_user.local_now())

    assert len(weeks) == 26
    assert weeks[-1].starts_on == date(2026, 11, 23)
    assert weeks[-1].is_current
    assert weeks[0].starts_on == date(2026, 6, 1)
    assert [week.count for week in weeks[-2:]] == [2, 1]
    assert weeks[0].count == 1
    assert sum(week.count for week in weeks) == 4


LISBON = ZoneInfo("Europe/Lisbon")  # summer time ends on Sunday 25 October 2026


@time_machine.travel(datetime(2026, 11, 25, 12, 0, tzinfo=LISBON), tick=False)
def test_weeks_stay_exact_across_a_change_of_the_clocks():
    user = UserFactory(email="lisbon@example.com", timezone="Europe/Lisbon")
    person = PersonFactory(owner=user)
    # Before the change the first Monday begins at 23:00 UTC the day before.
    log(person, at=datetime(2026, 5, 31, 23, 30, tzinfo=LISBON))
    log(person, at=datetime(2026, 6, 1, 0, 30, tzinfo=LISBON))
    # After it, Monday 26 October begins at midnight UTC.
    log(person, at=datetime(2026, 10, 25, 23, 30, tzinfo=LISBON))
    log(person, at=datetime(2026, 10, 26, 0, 30, tzinfo=LISBON))
    log(person, at=datetime(2026, 10, 26, 0, 45, tzinfo=LISBON))

    weeks = {week.starts_on: week.count for week in weekly_counts(user, now=user.local_now())}

    assert weeks[date(2026, 6, 1)] == 1
    assert weeks[date(2026, 10, 19)] == 1
    assert weeks[date(2026, 10, 26)] == 2
    assert sum(weeks.values()) == 4


@time_machine.travel(NOW, tick=False)
def test_the_mix_of_kinds_is_grouped_by_depth(far_user):
    ana, ben = PersonFactory(owner=far_user), PersonFactory(owner=far_user)
    kinds = {
        InteractionKind.IN_PERSON: 2,
        InteractionKind.VIDEO: 1,
        InteractionKind.CALL: 1,
        InteractionKind.TEXT: 3,
        InteractionKind.EMAIL: 1,
    }
    for kind, times in kinds.items():
        for n in range(times):
            interaction_with(ana, ben, kind=kind, occurred_at=NOW - timedelta(days=n + 1))

    mix = {share.depth: share for share in depth_mix(far_user, now=far_user.local_now())}

    assert (mix["face"].count, mix["face"].percent) == (3, 38)
    assert (mix["voice"].count, mix["voice"].percent) == (1, 12)
    assert (mix["written"].count, mix["written"].percent) == (4, 50)
    assert {k.label: k.count for k in mix["face"].kinds} == {"In person": 2, "Video call": 1}


@time_machine.travel(NOW, tick=False)
def test_the_page_draws_charts_with_titles_and_a_text_equivalent(client, far_user):
    person = PersonFactory(owner=far_user, circle=Circle.INNER)
    log(person, InteractionKind.IN_PERSON, at=NOW - timedelta(days=1))
    log(person, InteractionKind.TEXT, at=NOW - timedelta(days=9))
    lapsed = PersonFactory(owner=far_user, circle=Circle.INNER)
    log(lapsed, InteractionKind.CALL, at=NOW - timedelta(days=10))
    client.force_login(far_user)

    html = client.get("/insights/").content.decode()

    assert (
        '<title id="weekly-svg-title">Interactions per week over the last 26 weeks: 3 in all'
        in html
    )
    assert "<td>Mon 23 Nov 2026 (this week)</td><td>1</td>" in html
    assert "<strong>Face to face</strong> 33%" in html
    assert "<strong>Inner circle</strong>: 1 of 2 within rhythm" in html
    assert "style=" not in html


def test_a_new_account_sees_what_will_appear(alice_client):
    html = alice_client.get("/insights/").content.decode()

    assert "Each conversation you log adds a bar here." in html
    assert "<svg" not in html


@pytest.mark.parametrize("count", [5, 50])
def test_insights_cost_the_same_queries_for_5_or_50_people(
    alice_client, user, count, django_assert_num_queries
):
    circles = [Circle.INNER, Circle.CLOSE, Circle.WIDER]
    people = [PersonFactory(owner=user, circle=circles[n % 3]) for n in range(count)]
    for n, person in enumerate(people):
        kind = list(InteractionKind)[n % len(InteractionKind)]
        interaction_with(person, kind=kind, occurred_at=NOW.now(UTC) - timedelta(days=n * 3))

    # session, user, counts by week and kind, circle counts.
    with django_assert_num_queries(4):
        response = alice_client.get("/insights/")

    assert response.status_code == 200


@time_machine.travel(NOW, tick=False)
def test_large_counts_are_written_with_thousands_separators(client, far_user):
    Interaction.objects.bulk_create(
        Interaction(owner=far_user, kind=InteractionKind.CALL, occurred_at=NOW - timedelta(hours=n))
        for n in range(1, 1235)
    )
    client.force_login(far_user)

    html = client.get("/insights/").content.decode()

    assert "<dt>In 26 weeks</dt><dd>1,234</dd>" in html
    assert "1,234 in all" in html
    assert "· 1,234 calls and voice messages" in html
    assert "Phone call 1,234" in html


@time_machine.travel(NOW, tick=False)
def test_large_circles_are_counted_with_thousands_separators(client, far_user):
    Person.objects.bulk_create(
        Person(
            owner=far_user,
            full_name=f"Friend {n}",
            circle=Circle.WIDER,
            cadence_days=90,
            last_interaction_at=NOW - timedelta(days=100 if n % 2 else 1),
        )
        for n in range(2468)
    )
    client.force_login(far_user)

    for page in ("/insights/", "/"):
        html = client.get(page).content.decode()

        assert "<strong>Wider</strong>: 1,234 of 2,468 within rhythm" in html
