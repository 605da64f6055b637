import re
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from connections.goals import add_goal, add_milestone
from connections.models import (
    Circle,
    ContactPoint,
    Goal,
    Interaction,
    InteractionKind,
    PersonValue,
    Relationship,
)
from connections.people import add_relationship, tags_named
from connections.values import add_my_value, add_person_value
from tests.factories import ContactPointFactory, PersonFactory, interaction_with

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ana(user):
    return PersonFactory(
        owner=user,
        full_name="Ana Lima",
        nickname="Aninha",
        pronouns="she/her",
        circle=Circle.CLOSE,
        preferred_channel=InteractionKind.VIDEO,
        connect_notes="Evenings after 8, in Portuguese.",
        how_we_met="At the pottery class in Porto.",
        story="Grew up by the sea; moved for her studies.",
    )


def page(client, person, **params):
    return client.get(reverse("person", args=[person.pk]), params)


def log_data(**fields):
    data = {
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "kind": InteractionKind.CALL,
        "what_i_heard": "She is nervous about the interview on Tuesday.",
    }
    return {**data, **fields}


# What the page shows


def test_page_shows_profile_rhythm_last_contact_and_how_to_reach_them(alice_client, ana):
    ContactPointFactory(person=ana, kind=ContactPoint.Kind.EMAIL, value="ana@example.com")
    ContactPointFactory(
        person=ana, kind=ContactPoint.Kind.PHONE, label="mobile", value="+351 912 345 678"
    )
    interaction_with(ana, occurred_at=timezone.now() - timedelta(days=12))

    response = page(alice_client, ana)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Ana Lima</h1>" in html
    assert "Goes by Aninha" in html
    assert "she/her" in html
    assert "every 30 days" in html
    assert "12 days ago" in html
    assert 'href="mailto:ana@example.com"' in html
    assert 'href="tel:+351912345678"' in html
    assert "Prefers: <strong>video call</strong>" in html
    assert "Evenings after 8, in Portuguese." in html
    assert "At the pottery class in Porto." in html
    assert "Grew up by the sea" in html
    assert f'href="/people/{ana.pk}/edit/"' in html
    assert 'href="/people/"' in html


def test_a_website_that_is_not_http_is_shown_but_never_linked(alice_client, ana):
    ContactPointFactory(
        person=ana, kind=ContactPoint.Kind.WEBSITE, value="javascript://x%0Aalert(1)"
    )
    ContactPointFactory(person=ana, kind=ContactPoint.Kind.WEBSITE, value="ana.example.com")

    html = page(alice_client, ana).content.decode()

    assert 'href="javascript:' not in html
    assert "javascript://x%0Aalert(1)" in html
    assert 'href="https://ana.example.com"' in html


def test_overdue_paused_and_archived_states_are_shown_gently(alice_client, user):
    overdue = PersonFactory(owner=user, full_name="Olga", circle=Circle.INNER)
    interaction_with(overdue, occurred_at=timezone.now() - timedelta(days=20))
    paused = PersonFactory(owner=user, full_name="Paul", paused=True)
    archived = PersonFactory(owner=user, full_name="Arch", archived_at=timezone.now())

    assert "overdue" in page(alice_client, overdue).content.decode()
    assert "Paused · no nudges" in page(alice_client, paused).content.decode()
    html = page(alice_client, archived).content.decode()
    assert "Arch is archived" in html


@time_machine.travel("2026-03-10 10:00 +00:00")
def test_birthday_reads_as_a_weekday_with_the_age_they_turn(alice_client, user):
    person = PersonFactory(
        owner=user, full_name="Bea", birthday_day=13, birthday_month=3, birthday_year=1990
    )
    html = page(alice_client, person).content.decode()
    assert "Birthday on Friday" in html
    assert "turns 36" in html


def test_values_show_what_you_share_and_where_you_differ(alice_client, user, ana):
    add_my_value(owner=user, name="honesty")
    add_my_value(owner=user, name="curiosity")
    add_my_value(owner=user, name="quiet")
    add_person_value(person=ana, name="Honesty", note="Says it kindly")
    add_person_value(person=ana, name="curiosity")
    add_person_value(person=ana, name="adventure", note="Sails every summer")

    html = page(alice_client, ana).content.decode()

    shared = html[html.index("What you share") : html.index("Where you differ")]
    differ = html[html.index("Where you differ") : html.index("Yours, not noted for them")]
    assert "honesty" in shared and "Says it kindly" in shared and "curiosity" in shared
    assert "adventure" in differ and "Sails every summer" in differ
    assert "honesty" not in differ
    assert "quiet" in html[html.index("Yours, not noted for them") :]


def test_goals_show_active_first_then_achieved_as_celebrations_then_let_go(alice_client, ana):
    let_go = add_goal(person=ana, title="Learn the cello")
    achieved = add_goal(person=ana, title="Run a half marathon")
    active = add_goal(person=ana, title="Find a new job", target_date=date(2030, 1, 1))
    add_milestone(goal=active, title="Send the CV")
    Goal.objects.filter(pk=let_go.pk).update(status=Goal.Status.LET_GO)
    Goal.objects.filter(pk=achieved.pk).update(
        status=Goal.Status.ACHIEVED, achieved_on=timezone.localdate()
    )

    html = page(alice_client, ana).content.decode()

    positions = [html.index(t) for t in ("Find a new job", "Run a half marathon", "Learn the")]
    assert positions == sorted(positions)
    assert "Send the CV" in html
    assert "Achieved <time" in html
    assert "goal-let_go" in html


def test_relationships_show_on_both_sides(alice_client, user, ana):
    tomas = PersonFactory(owner=user, full_name="Tomás Lima")
    add_relationship(person=tomas, other=ana, kind=Relationship.Kind.PARENT)

    on_ana = page(alice_client, ana).content.decode()
    on_tomas = page(alice_client, tomas).content.decode()

    assert 'Tomás Lima</a> <span class="muted">child</span>' in on_ana
    assert 'Ana Lima</a> <span class="muted">parent</span>' in on_tomas


def test_timeline_is_newest_first_with_group_members_topics_and_feeling(alice_client, user, ana):
    ben = PersonFactory(owner=user, full_name="Ben Okafor")
    interaction_with(ana, occurred_at=timezone.now() - timedelta(days=30), what_i_heard="Older")
    interaction_with(
        ana,
        ben,
        occurred_at=timezone.now() - timedelta(days=2),
        what_i_heard="Newer",
        connection_rating=4,
        topic_names=["sailing"],
    )

    html = page(alice_client, ana).content.decode()

    assert html.index("Newer") < html.index("Older")
    assert "Ben Okafor</a>" in html
    assert "felt 4 of 5" in html
    assert '<span class="chip">sailing</span>' in html


def test_timeline_says_how_long_as_people_say_it(alice_client, ana):
    for days, minutes in [(1, 45), (2, 60), (3, 150), (4, None)]:
        interaction_with(
            ana,
            occurred_at=timezone.now() - timedelta(days=days),
            duration_minutes=minutes,
            what_i_heard=f"Call {days}.",
        )

    html = page(alice_client, ana).content.decode()

    # Newest first; the call with no length noted says none.
    said = re.findall(r"<span>(\d+ (?:min|hours?)[^<]*)</span>", html)
    assert said == ["45 min", "1 hour", "2 hours 30 min"]


def test_timeline_is_paginated_with_a_plain_link_and_an_htmx_page(alice_client, ana):
    now = timezone.now()
    for day in range(25):
        interaction_with(ana, occurred_at=now - timedelta(days=day), what_i_heard=f"Day {day}.")

    first = page(alice_client, ana).content.decode()
    assert "Day 19." in first and "Day 20." not in first
    assert "25 moments" in first
    assert f'href="/people/{ana.pk}/?page=2#timeline"' in first

    more = page(alice_client, ana, page=2, **{}).content.decode()
    assert "Day 20." in more and "Back to the newest" in more

    partial = alice_client.get(reverse("person", args=[ana.pk]), {"page": 2}, **HTMX)
    html = partial.content.decode()
    assert "Day 24." in html and "Day 0." not in html
    assert "<h1>" not in html

    beyond = page(alice_client, ana, page=9).content.decode()
    assert "Day 24." in beyond and "Day 19." not in beyond and "25 moments" in beyond


def test_empty_person_page_teaches_what_to_do(alice_client, user):
    person = PersonFactory(owner=user, full_name="New Friend")
    html = page(alice_client, person).content.decode()
    assert "Nothing logged yet." in html
    assert "What is New working towards?" in html


# Logging from the person page


def test_log_form_is_prefilled_with_now_and_their_preferred_channel(alice_client, ana):
    html = page(alice_client, ana).content.decode()
    assert '<option value="video" selected>' in html
    assert timezone.localtime().strftime("%Y-%m-%dT") in html


def test_logging_updates_last_contact_and_returns_to_the_timeline(alice_client, ana):
    response = alice_client.post(reverse("person_log", args=[ana.pk]), log_data())

    assert response.status_code == 302
    assert response["Location"] == f"/people/{ana.pk}/#timeline"
    ana.refresh_from_db()
    assert ana.last_interaction_at is not None
    html = alice_client.get(response["Location"]).content.decode()
    assert "Logged: phone call with Ana Lima." in html
    assert "nervous about the interview" in html
    assert "Last contact <time" in html and ">today</time>" in html


def test_a_group_interaction_is_one_entry_for_everyone(alice_client, user, ana):
    ben = PersonFactory(owner=user, full_name="Ben Okafor")
    cleo = PersonFactory(owner=user, full_name="Cleo Park")

    alice_client.post(
        reverse("person_log", args=[ana.pk]),
        log_data(kind="in_person", people=[ben.pk, cleo.pk], topics="dinner, Dinner, birthday"),
    )

    interaction = Interaction.objects.get()
    assert set(interaction.people.all()) == {ana, ben, cleo}
    assert sorted(t.name for t in interaction.topics.all()) == ["birthday", "dinner"]
    for person in (ana, ben, cleo):
        person.refresh_from_db()
        assert person.last_interaction_at == interaction.occurred_at
    assert "Ana Lima</a>" in page(alice_client, ben).content.decode()


def test_the_page_lists_no_one_else_until_asked(alice_client, user, ana):
    for index in range(30):
        PersonFactory(owner=user, full_name=f"Other Person {index}")
    html = page(alice_client, ana).content.decode()
    assert "Other Person" not in html
    # The two pickers are there, ready to search.
    assert html.count('role="combobox"') == 2
    assert f"/people/pick/?name=people&amp;for=id_people&amp;exclude={ana.pk}" in html
    assert f"/people/pick/?name=rel-other&amp;for=id_rel-other&amp;exclude={ana.pk}" in html


def test_alone_in_the_list_there_is_no_one_to_pick(alice_client, ana):
    html = page(alice_client, ana).content.decode()
    assert 'role="combobox"' not in html
    assert "Add someone in their life" not in html


def test_without_javascript_others_are_typed_by_name(alice_client, user, ana):
    ben = PersonFactory(owner=user, full_name="Ben Okafor")
    cleo = PersonFactory(owner=user, full_name="Cleo Park")

    response = alice_client.post(
        reverse("person_log", args=[ana.pk]), log_data(people_q="ben okafor, Cleo Park")
    )

    assert response.status_code == 302
    assert set(Interaction.objects.get().people.all()) == {ana, ben, cleo}


def test_an_unknown_name_is_named_and_everything_typed_comes_back(alice_client, user, ana):
    ben = PersonFactory(owner=user, full_name="Ben Okafor")
    PersonFactory(owner=user, full_name="Sam Reed", organisation="Bakery")
    PersonFactory(owner=user, full_name="Sam Reed", organisation="Library")

    response = alice_client.post(
        reverse("person_log", args=[ana.pk]),
        log_data(people=[ben.pk], people_q="Sam Reed, Dora", what_i_heard="Keep this."),
    )

    html = response.content.decode()
    assert Interaction.objects.count() == 0
    assert "No one in your people is called “Dora”." in html
    assert "2 people are called “Sam Reed”: tick the one you mean." in html
    assert 'value="Sam Reed, Dora"' in html
    assert f'name="people" value="{ben.pk}" checked> <span>Ben Okafor</span>' in html
    assert "Which Sam Reed?" in html
    assert "Keep this.</textarea>" in html
    assert '<details class="log-more" open>' in html


def test_validation_errors_show_next_to_fields_and_keep_the_input(alice_client, ana):
    response = alice_client.post(
        reverse("person_log", args=[ana.pk]),
        log_data(
            occurred_at="not a date",
            duration_minutes="5000",
            what_i_heard="Keep this text, please.",
        ),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a date and time, such as 2026-03-14 19:30." in html
    assert "Enter a number of minutes from 1 to 1440." in html
    assert "Keep this text, please.</textarea>" in html
    assert Interaction.objects.count() == 0


def test_an_interaction_in_the_future_is_refused(alice_client, ana):
    tomorrow = timezone.localtime() + timedelta(days=2)
    response = alice_client.post(
        reverse("person_log", args=[ana.pk]),
        log_data(occurred_at=tomorrow.strftime("%Y-%m-%dT%H:%M")),
    )
    assert "That is still to come." in response.content.decode()
    assert Interaction.objects.count() == 0


def test_htmx_log_returns_the_fresh_form_timeline_status_and_announcement(alice_client, ana):
    response = alice_client.post(
        reverse("person_log", args=[ana.pk]), log_data(what_i_shared="My new job"), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>" not in html
    assert 'id="log-card"' in html
    assert 'id="timeline" class="timeline" aria-labelledby="timeline-title" hx-swap-oob="true"' in (
        html
    )
    assert 'id="person-status" class="person-status" hx-swap-oob="true"' in html
    assert 'hx-swap-oob="innerHTML:#messages"' in html
    assert "Logged: phone call with Ana Lima." in html
    assert "entry-new" in html
    # The form is reset: what was typed is now in the timeline, not in the textarea.
    assert "My new job</textarea>" not in html
    assert "My new job" in html


def test_htmx_log_with_errors_returns_only_the_form(alice_client, ana):
    response = alice_client.post(
        reverse("person_log", args=[ana.pk]), log_data(kind="telepathy"), **HTMX
    )
    html = response.content.decode()
    assert 'id="log-card"' in html and "hx-swap-oob" not in html
    assert "Choose how you connected." in html


def test_what_i_heard_is_escaped(alice_client, ana):
    alice_client.post(
        reverse("person_log", args=[ana.pk]), log_data(what_i_heard="<script>alert(1)</script>")
    )
    html = page(alice_client, ana).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_someone_elses_person_cannot_be_added_to_a_group(alice_client, other_user, ana):
    stranger = PersonFactory(owner=other_user)
    response = alice_client.post(
        reverse("person_log", args=[ana.pk]), log_data(people=[stranger.pk])
    )
    assert "Choose people from your list." in response.content.decode()
    assert Interaction.objects.count() == 0


# Logging from elsewhere, editing and deleting


def test_generic_log_page_preselects_the_person_and_logs_for_several(alice_client, user, ana):
    ben = PersonFactory(owner=user, full_name="Ben Okafor")
    form = alice_client.get(reverse("interaction_add"), {"person": ana.pk}).content.decode()
    assert f'name="people" value="{ana.pk}" checked> <span>Ana Lima</span>' in form
    assert "Ben Okafor" not in form

    response = alice_client.post(
        reverse("interaction_add"), log_data(people=[ana.pk, ben.pk], **{"from": ana.pk})
    )

    assert response["Location"] == f"/people/{ana.pk}/"
    assert set(Interaction.objects.get().people.all()) == {ana, ben}


def test_generic_log_page_takes_typed_names_and_offers_no_list(alice_client, user, ana):
    ben = PersonFactory(owner=user, full_name="Ben Okafor")
    form = alice_client.get(reverse("interaction_add")).content.decode()
    assert "Ana Lima" not in form and "Ben Okafor" not in form
    box = form.split('name="people_q"')[1].split(">")[0]
    # Required, but the box itself may stay empty once someone is chosen.
    assert 'role="combobox"' in box and "required" not in box

    response = alice_client.post(
        reverse("interaction_add"), log_data(people_q="Ana Lima, ben okafor")
    )

    assert response["Location"] == f"/people/{ana.pk}/"
    assert set(Interaction.objects.get().people.all()) == {ana, ben}


def test_generic_log_page_needs_someone(alice_client, ana):
    response = alice_client.post(reverse("interaction_add"), log_data())
    assert "Choose at least one person." in response.content.decode()


def test_editing_an_interaction_keeps_last_contact_right(alice_client, user, ana):
    interaction = interaction_with(ana, occurred_at=timezone.now() - timedelta(days=1))
    earlier = timezone.localtime() - timedelta(days=10)

    form = alice_client.get(
        reverse("interaction_edit", args=[interaction.pk]), {"from": ana.pk}
    ).content.decode()
    assert "Talked about the week.</textarea>" in form

    response = alice_client.post(
        reverse("interaction_edit", args=[interaction.pk]),
        log_data(
            occurred_at=earlier.strftime("%Y-%m-%dT%H:%M"),
            people=[ana.pk],
            what_i_heard="Edited",
            **{"from": ana.pk},
        ),
    )

    assert response["Location"] == f"/people/{ana.pk}/"
    ana.refresh_from_db()
    assert timezone.localtime(ana.last_interaction_at).date() == earlier.date()
    assert Interaction.objects.get().what_i_heard == "Edited"


def test_editing_keeps_an_archived_person_who_was_there(alice_client, user, ana):
    gone = PersonFactory(owner=user, full_name="Gus Archived")
    interaction = interaction_with(ana, gone)
    gone.archived_at = timezone.now()
    gone.save()
    url = reverse("interaction_edit", args=[interaction.pk])

    form = alice_client.get(url, {"from": ana.pk}).content.decode()
    assert f'name="people" value="{gone.pk}" checked> <span>Gus Archived</span>' in form

    alice_client.post(url, log_data(people=[ana.pk, gone.pk], what_i_heard="Still both"))
    assert set(Interaction.objects.get().people.all()) == {ana, gone}
    # An archived person not already there cannot be added.
    other = interaction_with(ana)
    response = alice_client.post(
        reverse("interaction_edit", args=[other.pk]), log_data(people=[ana.pk, gone.pk])
    )
    assert "Choose people from your list." in response.content.decode()


def test_deleting_an_interaction_asks_once_then_removes_it(alice_client, ana):
    interaction = interaction_with(ana)
    url = reverse("interaction_delete", args=[interaction.pk])

    confirm = alice_client.get(url, {"from": ana.pk}).content.decode()
    assert "Delete this interaction?" in confirm
    assert Interaction.objects.exists()

    response = alice_client.post(url, {"from": ana.pk})

    assert response["Location"] == f"/people/{ana.pk}/"
    assert not Interaction.objects.exists()
    ana.refresh_from_db()
    assert ana.last_interaction_at is None


# Small in-place actions


def test_add_and_remove_a_value_of_theirs(alice_client, ana):
    url = reverse("person_value_add", args=[ana.pk])
    response = alice_client.post(url, {"value-name": "Courage", "value-note": "Moved alone"})
    assert response["Location"] == f"/people/{ana.pk}/#values"
    person_value = PersonValue.objects.get(person=ana)
    assert (person_value.value.name, person_value.note) == ("Courage", "Moved alone")

    html = alice_client.post(
        reverse("person_value_remove", args=[person_value.pk]), **HTMX
    ).content.decode()

    assert not PersonValue.objects.exists()
    assert 'id="values"' in html and "Removed Courage from Aninha’s values." in html


def test_adding_a_value_without_a_name_explains_and_keeps_the_note(alice_client, ana):
    html = alice_client.post(
        reverse("person_value_add", args=[ana.pk]), {"value-note": "kept"}, **HTMX
    ).content.decode()
    assert "Name the value, such as honesty or family." in html
    assert 'value="kept"' in html
    assert '<details class="inline-form" open>' in html


def test_add_a_goal_a_milestone_tick_it_and_celebrate(alice_client, ana):
    html = alice_client.post(
        reverse("goal_add", args=[ana.pk]),
        {"goal-title": "Open a bakery", "goal-target_date": "2030-05-01"},
        **HTMX,
    ).content.decode()
    goal = Goal.objects.get()
    assert "Open a bakery" in html and goal.target_date == date(2030, 5, 1)

    alice_client.post(
        reverse("milestone_add", args=[goal.pk]), {f"milestone-{goal.pk}-title": "Find a place"}
    )
    milestone = goal.milestones.get()
    html = alice_client.post(
        reverse("milestone_toggle", args=[milestone.pk]), **HTMX
    ).content.decode()
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()
    assert 'aria-pressed="true"' in html

    html = alice_client.post(
        reverse("goal_status", args=[goal.pk]), {"status": "achieved"}, **HTMX
    ).content.decode()
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACHIEVED
    assert "Celebrating: “Open a bakery” achieved." in html

    alice_client.post(reverse("goal_status", args=[goal.pk]), {"status": "let_go"})
    goal.refresh_from_db()
    assert goal.status == Goal.Status.LET_GO and goal.achieved_on is None


def test_a_goal_without_a_title_shows_the_error_on_the_whole_page(alice_client, ana):
    response = alice_client.post(reverse("goal_add", args=[ana.pk]), {"goal-notes": "hm"})
    html = response.content.decode()
    assert "<h1>Ana Lima</h1>" in html
    assert "Say what they are working towards." in html
    assert "hm</textarea>" in html


def test_add_and_remove_a_relationship(alice_client, user, ana):
    tomas = PersonFactory(owner=user, full_name="Tomás Lima")
    url = reverse("relationship_add", args=[ana.pk])

    html = alice_client.post(
        url, {"rel-other": tomas.pk, "rel-kind": "child"}, **HTMX
    ).content.decode()
    relationship = Relationship.objects.get()
    assert relationship.seen_from(ana)[0] == "Child"
    assert "Added Tomás Lima as Aninha’s child." in html

    again = alice_client.post(url, {"rel-other": tomas.pk, "rel-kind": "friend"}, **HTMX)
    assert "already connected" in again.content.decode()

    response = alice_client.post(
        reverse("relationship_delete", args=[relationship.pk]), {"from": tomas.pk}
    )
    assert response["Location"] == f"/people/{tomas.pk}/#relationships"
    assert not Relationship.objects.exists()


def test_a_relationship_by_typed_name_and_its_errors(alice_client, user, ana):
    tomas = PersonFactory(owner=user, full_name="Tomás Lima")
    url = reverse("relationship_add", args=[ana.pk])

    unknown = alice_client.post(url, {"rel-other_q": "Tomas", "rel-kind": "sibling"}, **HTMX)
    html = unknown.content.decode()
    assert "No one in your people is called “Tomas”." in html
    assert 'value="Tomas"' in html and '<details class="inline-form" open>' in html
    assert not Relationship.objects.exists()

    self_pick = alice_client.post(url, {"rel-other": ana.pk, "rel-kind": "sibling"}, **HTMX)
    assert "Choose someone other than this person." in self_pick.content.decode()

    alice_client.post(url, {"rel-other_q": "tomás lima", "rel-kind": "sibling"}, **HTMX)
    assert Relationship.objects.get().from_person == tomas


def test_a_typed_name_shared_with_someone_already_related_means_the_other_one(
    alice_client, user, ana
):
    related = PersonFactory(owner=user, full_name="Nora Haddad", organisation="Bakery")
    add_relationship(person=ana, other=related, kind="friend")
    namesake = PersonFactory(owner=user, full_name="Nora Haddad", organisation="School")
    url = reverse("relationship_add", args=[ana.pk])

    response = alice_client.post(url, {"rel-other_q": "Nora Haddad", "rel-kind": "sibling"}, **HTMX)

    assert "are called" not in response.content.decode()
    assert {r.from_person for r in Relationship.objects.filter(kind="sibling")} == {namesake}


def test_two_unrelated_namesakes_are_offered_without_the_related_one(alice_client, user, ana):
    related = PersonFactory(owner=user, full_name="Nora Haddad", organisation="Bakery")
    add_relationship(person=ana, other=related, kind="friend")
    school = PersonFactory(owner=user, full_name="Nora Haddad", organisation="School")
    gym = PersonFactory(owner=user, full_name="Nora Haddad", organisation="Gym")
    url = reverse("relationship_add", args=[ana.pk])

    html = alice_client.post(
        url, {"rel-other_q": "Nora Haddad", "rel-kind": "sibling"}, **HTMX
    ).content.decode()

    assert "2 people are called “Nora Haddad”: tick the one you mean." in html
    assert f'value="{school.pk}"' in html and f'value="{gym.pk}"' in html
    assert f'value="{related.pk}"' not in html


# Boundaries


def test_every_url_404s_for_another_users_objects(alice_client, other_user):
    theirs = PersonFactory(owner=other_user, full_name="Not Yours")
    friend = PersonFactory(owner=other_user)
    interaction = interaction_with(theirs)
    person_value = add_person_value(person=theirs, name="secret")
    goal = add_goal(person=theirs, title="Private goal")
    milestone = add_milestone(goal=goal, title="Private step")
    relationship = add_relationship(person=theirs, other=friend, kind="friend")
    urls = [
        reverse("person", args=[theirs.pk]),
        reverse("person_log", args=[theirs.pk]),
        reverse("person_value_add", args=[theirs.pk]),
        reverse("person_value_remove", args=[person_value.pk]),
        reverse("goal_add", args=[theirs.pk]),
        reverse("goal_status", args=[goal.pk]),
        reverse("milestone_add", args=[goal.pk]),
        reverse("milestone_toggle", args=[milestone.pk]),
        reverse("relationship_add", args=[theirs.pk]),
        reverse("relationship_delete", args=[relationship.pk]),
        reverse("interaction_edit", args=[interaction.pk]),
        reverse("interaction_delete", args=[interaction.pk]),
    ]
    for url in urls:
        # A method an action does not take is refused before anything is looked up (405),
        # so it reveals nothing; the method it takes answers 404.
        answers = {
            alice_client.get(url).status_code,
            alice_client.post(url, {"status": "achieved"}).status_code,
            alice_client.post(url, {"status": "achieved"}, **HTMX).status_code,
        }
        assert answers in ({404}, {404, 405}), (url, answers)
    assert Interaction.objects.filter(pk=interaction.pk).exists()
    assert PersonValue.objects.filter(pk=person_value.pk).exists()
    assert Relationship.objects.filter(pk=relationship.pk).exists()
    goal.refresh_from_db()
    assert goal.status == Goal.Status.ACTIVE
    form = alice_client.get(reverse("interaction_add"), {"person": theirs.pk}).content.decode()
    assert "Not Yours" not in form


# Query counts


def _grow(user, person, count):
    others = [PersonFactory(owner=user) for _ in range(3)]
    tags = tags_named(owner=user, names=["walks"])
    person.tags.set(tags)
    ContactPointFactory(person=person)
    add_my_value(owner=user, name="honesty")
    add_person_value(person=person, name="honesty")
    goal = add_goal(person=person, title="Goal")
    add_milestone(goal=goal, title="Step")
    add_relationship(person=person, other=others[0], kind="friend")
    for index in range(count):
        interaction_with(
            person,
            others[index % 3],
            occurred_at=timezone.now() - timedelta(hours=index),
            topic_names=["walks"],
        )


@pytest.mark.parametrize("interactions", [5, 50])
def test_person_page_query_count_is_constant(
    alice_client, user, ana, interactions, django_assert_num_queries
):
    _grow(user, ana, interactions)
    PersonFactory.create_batch(interactions, owner=user)
    # session, user, person, its contact points and tags, whether there are others to pick, the
    # timeline's count and page, people and topics, values (vocabulary and theirs), goals,
    # milestones, relationships, open nudges.
    with django_assert_num_queries(16):
        response = page(alice_client, ana)
    assert response.status_code == 200
