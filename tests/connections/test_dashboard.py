from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from connections.goals import add_goal, add_milestone
from connections.models import Circle, Goal, InteractionKind, Milestone
from connections.nudges import schedule_follow_up
from connections.values import add_my_value
from tests.factories import ContactPointFactory, PersonFactory, interaction_with

pytestmark = pytest.mark.django_db

LISBON = ZoneInfo("Europe/Lisbon")


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def reach_out_names(response) -> list[str]:
    return [person.full_name for person in response.context["reach_out"]]


def test_a_new_account_is_taught_what_to_do_first(alice_client):
    response = alice_client.get("/")

    html = response.content.decode()
    assert "Start with the people who matter" in html
    assert 'href="/people/new/"' in html
    assert 'href="/import/"' in html
    assert 'href="/me/"' in html
    assert "Record your values" in html


def test_an_overdue_person_appears_with_what_they_shared_last_time(alice_client, user):
    ana = PersonFactory(owner=user, full_name="Ana Lima", circle=Circle.INNER)
    ana.preferred_channel = InteractionKind.CALL
    ana.connect_notes = "Evenings after eight, in Portuguese."
    ana.save()
    ContactPointFactory(person=ana, kind="phone", value="+351 912 345 678")
    interaction_with(ana, occurred_at=days_ago(30), what_i_heard="Started a pottery class.")
    interaction_with(
        ana, occurred_at=days_ago(12), what_i_heard="Nervous about the interview on Tuesday."
    )

    response = alice_client.get("/")

    html = response.content.decode()
    assert reach_out_names(response) == ["Ana Lima"]
    reach_out = html.split('id="reach-title"')[1].split('id="recent-title"')[0]
    assert "Nervous about the interview on Tuesday." in reach_out
    assert "Started a pottery class." not in reach_out
    assert "Last in touch 12 days ago" in html
    assert "usually every week" in html
    assert "prefers a phone call" in html
    assert "Evenings after eight, in Portuguese." in html
    assert f'href="/interactions/new/?person={ana.pk}"' in html
    assert 'href="tel:+351912345678"' in html
    assert "One person is past their usual rhythm." in html


def test_people_are_ordered_by_how_far_past_their_own_rhythm(alice_client, user):
    # Relative to their rhythm: 80 days of a monthly one (2.7) before 14 of a weekly one (2.0).
    weekly = PersonFactory(owner=user, full_name="Weekly Wen", circle=Circle.INNER)
    monthly = PersonFactory(owner=user, full_name="Monthly Mo", circle=Circle.CLOSE)
    quarterly = PersonFactory(owner=user, full_name="Quarterly Quinn", circle=Circle.WIDER)
    within = PersonFactory(owner=user, full_name="Recent Rae", circle=Circle.INNER)
    paused = PersonFactory(owner=user, full_name="Paused Pat", circle=Circle.INNER, paused=True)
    interaction_with(weekly, occurred_at=days_ago(14))
    interaction_with(monthly, occurred_at=days_ago(80))
    interaction_with(quarterly, occurred_at=days_ago(100))
    interaction_with(within, occurred_at=days_ago(2))
    interaction_with(paused, occurred_at=days_ago(60))

    response = alice_client.get("/")

    assert reach_out_names(response) == ["Monthly Mo", "Weekly Wen", "Quarterly Quinn"]


def test_another_users_people_never_appear(alice_client, user, other_user):
    theirs = PersonFactory(owner=other_user, full_name="Someone Else", circle=Circle.INNER)
    interaction_with(theirs, occurred_at=days_ago(40), what_i_heard="Private words.")
    PersonFactory(owner=user, full_name="Mine", circle=Circle.ACQUAINTANCE)

    html = alice_client.get("/").content.decode()

    assert "Someone Else" not in html
    assert "Private words." not in html


@time_machine.travel(datetime(2026, 12, 20, 9, 0, tzinfo=LISBON), tick=False)
def test_upcoming_birthdays_and_goal_dates_in_the_next_30_days(client, user):
    PersonFactory(
        owner=user,
        full_name="Turning Forty",
        birthday_day=25,
        birthday_month=12,
        birthday_year=1986,
    )
    PersonFactory(owner=user, full_name="New Year Nell", birthday_day=5, birthday_month=1)
    PersonFactory(owner=user, full_name="Too Far Fred", birthday_day=25, birthday_month=1)
    PersonFactory(owner=user, full_name="Last Week Liv", birthday_day=15, birthday_month=12)
    runner = PersonFactory(owner=user, full_name="Runner Rui")
    goal = add_goal(person=runner, title="Run a half marathon", target_date=date(2027, 1, 10))
    add_milestone(goal=goal, title="First 15 km", due_on=date(2026, 12, 22))
    add_milestone(goal=goal, title="Taper", due_on=date(2027, 3, 1))
    client.force_login(user)

    response = client.get("/")

    upcoming = [(item.full_name, item.kind, item.on) for item in response.context["upcoming"].items]
    assert upcoming == [
        ("Runner Rui", "milestone", date(2026, 12, 22)),
        ("Turning Forty", "birthday", date(2026, 12, 25)),
        ("New Year Nell", "birthday", date(2027, 1, 5)),
        ("Runner Rui", "goal", date(2027, 1, 10)),
    ]
    html = response.content.decode()
    assert "Birthday on Friday · turns 40" in html
    assert "Birthday in 16 days" in html
    assert "Milestone “First 15 km” on Tuesday" in html


def test_goal_dates_come_up_only_for_the_person_s_owner_however_they_were_written(
    client, user, other_user
):
    """Goals and milestones keep a copy of their owner for this read; it follows the person,
    whoever writes them (the app, the admin), and a wrong copy could only hide a date."""
    soon = timezone.localdate() + timedelta(days=5)
    mine = PersonFactory(owner=user, full_name="Runner Rui")
    goal = add_goal(person=mine, title="Run a half marathon", target_date=soon)
    add_milestone(goal=goal, title="First 15 km", due_on=soon)
    assert (goal.owner, goal.milestones.get().owner) == (user, user)

    admin = type(user).objects.create_superuser(email="admin@example.com", password="x-x-x-x")
    client.force_login(admin)
    theirs = PersonFactory(owner=other_user, full_name="Their Tom")
    response = client.post(
        "/admin/connections/goal/add/",
        {
            "person": theirs.pk,
            "title": "Learn to swim",
            "notes": "",
            "target_date": soon.isoformat(),
            "status": "active",
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-title": "Float",
            "milestones-0-due_on": soon.isoformat(),
        },
    )
    assert response.status_code == 302
    swim = theirs.goals.get()
    assert (swim.owner, swim.milestones.get().owner) == (other_user, other_user)

    # Moved to one of my people in the admin, the goal and its milestone follow.
    response = client.post(
        f"/admin/connections/goal/{swim.pk}/change/",
        {
            "person": mine.pk,
            "title": "Learn to swim",
            "notes": "",
            "target_date": soon.isoformat(),
            "status": "active",
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "1",
            "milestones-0-id": swim.milestones.get().pk,
            "milestones-0-goal": swim.pk,
            "milestones-0-title": "Float",
            "milestones-0-due_on": soon.isoformat(),
        },
    )
    assert response.status_code == 302
    swim.refresh_from_db()
    assert (swim.owner, swim.milestones.get().owner) == (user, user)

    # A copy gone wrong (raw SQL, say) never shows my goal to someone else.
    Goal.objects.filter(pk=goal.pk).update(owner=other_user)
    Milestone.objects.filter(goal=goal).update(owner=other_user)
    client.force_login(other_user)
    assert client.get("/").context["upcoming"].items == []
    client.force_login(user)
    titles = {item.title for item in client.get("/").context["upcoming"].items}
    assert "Learn to swim" in titles and "Float" in titles


@time_machine.travel(datetime(2027, 2, 20, 9, 0, tzinfo=LISBON), tick=False)
def test_a_leap_day_birthday_comes_up_on_the_28th_in_other_years(client, user):
    PersonFactory(owner=user, full_name="Leap Lea", birthday_day=29, birthday_month=2)
    client.force_login(user)

    response = client.get("/")

    assert [item.on for item in response.context["upcoming"].items] == [date(2027, 2, 28)]


def test_counts_per_circle_say_how_many_are_within_rhythm(alice_client, user):
    for name, days in [("A", 2), ("B", 3), ("C", 20)]:
        person = PersonFactory(owner=user, full_name=name, circle=Circle.INNER)
        interaction_with(person, occurred_at=days_ago(days))
    close = PersonFactory(owner=user, full_name="D", circle=Circle.CLOSE)
    interaction_with(close, occurred_at=days_ago(10))
    PersonFactory(owner=user, full_name="E", circle=Circle.ACQUAINTANCE)

    html = alice_client.get("/").content.decode()

    assert "<strong>Inner circle</strong>: 2 of 3 within rhythm" in html
    assert "<strong>Close</strong>: 1 of 1 within rhythm" in html
    assert "Acquaintance</strong>" not in html


def test_the_values_hint_goes_away_once_the_user_records_values(alice_client, user):
    PersonFactory(owner=user)
    assert "What matters to you?" in alice_client.get("/").content.decode()

    add_my_value(owner=user, name="curiosity")

    assert "What matters to you?" not in alice_client.get("/").content.decode()


def _populate(user, count: int) -> None:
    circles = [Circle.INNER, Circle.CLOSE, Circle.WIDER]
    people = []
    for n in range(count):
        person = PersonFactory(
            owner=user,
            circle=circles[n % 3],
            birthday_day=(timezone.localdate() + timedelta(days=n % 20)).day,
            birthday_month=(timezone.localdate() + timedelta(days=n % 20)).month,
        )
        ContactPointFactory(person=person)
        add_goal(person=person, title="Learn to sail", target_date=timezone.localdate())
        people.append(person)
    for n, person in enumerate(people):
        interaction_with(person, people[n - 1], occurred_at=days_ago(100 + n))
    schedule_follow_up(person=people[0], due_on=timezone.localdate(), reason="Ask about the move")


@pytest.mark.parametrize("count", [5, 50])
def test_the_dashboard_costs_the_same_queries_for_5_or_50_people(
    alice_client, user, count, django_assert_num_queries
):
    _populate(user, count)

    # session, user, has people and values, reach out (ranked, then read), their contact
    # points, due nudges with how many are due, birthdays, goals and milestones (for both
    # "coming up" and the weekly three), recent interactions, their people, circle counts;
    # the week's kept three; the first look of the week also chooses them (overdue,
    # follow-ups, longest apart, the three) and keeps them.
    with django_assert_num_queries(19):
        first = alice_client.get("/")
    with django_assert_num_queries(14):
        response = alice_client.get("/")

    assert first.status_code == response.status_code == 200
    assert first.context["three"] == response.context["three"]
    assert len(response.context["nudges"]) == 1
    assert len(response.context["three"]) == 3
    # The person with a nudge today is shown once, in "Today", not again below.
    assert len(response.context["reach_out"]) == min(count - 1, 6)


def test_many_due_nudges_show_the_most_important_first_and_how_many_wait(alice_client, user):
    today = timezone.localdate()
    for n in range(15):
        person = PersonFactory(owner=user, full_name=f"Friend {n:02}")
        schedule_follow_up(person=person, due_on=today - timedelta(days=n), reason=f"Ask {n}")

    response = alice_client.get("/")

    shown = response.context["nudges"]
    assert len(shown) == 12
    assert shown[0].reason == "Ask 14", "the longest waiting first"
    assert "15 are due in all" in response.content.decode()


def test_a_crowded_month_lists_forty_seven_dates_and_counts_the_rest(alice_client, user):
    soon = timezone.localdate() + timedelta(days=3)
    for n in range(50):
        PersonFactory(
            owner=user, full_name=f"Born {n:02}", birthday_day=soon.day, birthday_month=soon.month
        )

    html = alice_client.get("/").content.decode()

    assert html.count('<li class="upcoming upcoming-birthday">') == 47
    assert "And 3 more; the calendar feed in Settings has every one." in html


def test_coming_up_and_the_weekly_three_read_the_same_dates_each_their_own_way(alice_client, user):
    today = timezone.localdate()
    soon, later = today + timedelta(days=2), today + timedelta(days=20)
    long_ago = {"created_at": days_ago(400)}
    PersonFactory(
        owner=user,
        full_name="Pia Paused",
        paused=True,
        **long_ago,
        birthday_day=soon.day,
        birthday_month=soon.month,
    )
    PersonFactory(
        owner=user,
        full_name="Lena Later",
        **long_ago,
        birthday_day=later.day,
        birthday_month=later.month,
    )
    sailor = PersonFactory(owner=user, full_name="Sam Sailor", circle=Circle.WIDER, **long_ago)
    interaction_with(sailor, occurred_at=days_ago(20))  # within their rhythm
    goal = add_goal(person=sailor, title="Cross the Channel")
    add_milestone(goal=goal, title="Buy a life jacket", due_on=soon)

    response = alice_client.get("/")

    coming_up = [item.full_name for item in response.context["upcoming"].items]
    assert coming_up == ["Pia Paused", "Sam Sailor", "Lena Later"]
    why = {s.person.full_name: s.why for s in response.context["three"]}
    assert "Pia Paused" not in why, "paused people are never suggested"
    assert why["Sam Sailor"] == "Milestone: Buy a life jacket."
    assert why["Lena Later"] != f"Birthday on {later:%A}.", "three weeks away"
