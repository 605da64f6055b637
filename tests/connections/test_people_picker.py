"""The people picker: the field that validates who was chosen, and the suggestions view."""

from datetime import timedelta

import pytest
from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from connections.people import add_relationship
from connections.people_picker import PeopleField, name_pattern, pick_candidates
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


class GroupForm(forms.Form):
    people = PeopleField(label="Who was there")

    def __init__(self, *args, user, keep=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].for_user(user, keep=keep)


class OneForm(forms.Form):
    other = PeopleField(multiple=False, label="Who")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].for_user(user)


def submit(form_class, user, ids=(), text="", name="people", **kwargs):
    data = QueryDict(mutable=True)
    data.setlist(name, [str(i) for i in ids])
    data[f"{name}_q"] = text
    return form_class(data, user=user, **kwargs)


# The field


def test_own_people_by_id_in_the_order_chosen(user):
    ana, ben = PersonFactory(owner=user), PersonFactory(owner=user)
    form = submit(GroupForm, user, ids=[ben.pk, ana.pk])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["people"] == [ben, ana]


@pytest.mark.parametrize("kind", ["another user's", "missing", "not a number"])
def test_an_id_not_among_your_people_is_refused_alike(user, other_user, kind):
    mine = PersonFactory(owner=user)
    bad = {
        "another user's": PersonFactory(owner=other_user).pk,
        "missing": 987654321,
        "not a number": "1 OR 1=1",
    }[kind]
    form = submit(GroupForm, user, ids=[mine.pk, bad])
    assert not form.is_valid()
    assert form.errors["people"] == ["Choose people from your list."]


def test_an_archived_person_only_when_already_there(user):
    gone = PersonFactory(owner=user, archived_at=timezone.now())
    assert not submit(GroupForm, user, ids=[gone.pk]).is_valid()
    kept = submit(GroupForm, user, ids=[gone.pk], keep=[gone.pk])
    assert kept.is_valid() and kept.cleaned_data["people"] == [gone]


def test_typed_names_are_matched_exactly_ignoring_case_and_spaces(user, other_user):
    ana = PersonFactory(owner=user, full_name="Ana Lima")
    ben = PersonFactory(owner=user, full_name="Ben Okafor")
    PersonFactory(owner=user, full_name="Ana Limão")
    PersonFactory(owner=other_user, full_name="Cleo Park")
    form = submit(GroupForm, user, ids=[ben.pk], text=" ana   LIMA, ben okafor,,")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["people"] == [ben, ana]

    theirs = submit(GroupForm, user, text="Cleo Park")
    assert not theirs.is_valid()
    assert theirs.errors["people"] == [
        "No one in your people is called “Cleo Park”. Check the spelling, or add them first."
    ]


def test_an_ambiguous_name_asks_which_and_a_tick_settles_it(user):
    first = PersonFactory(owner=user, full_name="Sam Reed", organisation="Bakery")
    PersonFactory(owner=user, full_name="Sam Reed", organisation="Library")
    form = submit(GroupForm, user, text="sam reed, Nobody Here")
    assert not form.is_valid()
    assert form.errors["people"] == [
        "2 people are called “sam reed”: tick the one you mean.",
        "No one in your people is called “Nobody Here”. Check the spelling, or add them first.",
    ]
    html = str(form["people"])
    # What was typed comes back as typed, with both Sams to choose from.
    assert 'value="sam reed, Nobody Here"' in html
    assert "Which sam reed?" in html
    assert html.count('name="people" value=') == 2
    assert "Bakery" in html and "Library" in html

    settled = submit(GroupForm, user, ids=[first.pk], text="sam reed")
    assert settled.is_valid(), settled.errors
    assert settled.cleaned_data["people"] == [first]


def test_the_single_picker_gives_one_person(user):
    ana = PersonFactory(owner=user)
    PersonFactory(owner=user, full_name="Ben Okafor")
    one = submit(OneForm, user, ids=[ana.pk], name="other")
    assert one.is_valid() and one.cleaned_data["other"] == ana
    two = submit(OneForm, user, ids=[ana.pk], text="Ben Okafor", name="other")
    assert not two.is_valid()
    assert two.errors["other"] == ["Choose just one person."]
    none = submit(OneForm, user, name="other")
    assert none.errors["other"] == ["Choose at least one person."]


def test_the_widget_renders_only_the_chosen_and_never_anothers_name(user, other_user):
    ana = PersonFactory(owner=user, full_name="Ana Lima")
    PersonFactory(owner=user, full_name="Ben Okafor")
    stranger = PersonFactory(owner=other_user, full_name="Secret Stranger")
    html = str(submit(GroupForm, user, ids=[ana.pk, stranger.pk])["people"])
    assert "Ana Lima" in html
    assert "Ben Okafor" not in html and "Secret Stranger" not in html


def test_name_pattern_ignores_case_and_accents_and_escapes_the_rest():
    pattern = name_pattern("jo.sé", accents=True)
    assert pattern.startswith("[")
    assert "\\." in pattern
    assert "é" in pattern and "E" in pattern


# Suggestions


def pick(client, text, name="people", **params):
    query = {"name": name, "for": f"id_{name}", f"{name}_q": text, **params}
    return client.get(reverse("people_pick"), query)


def test_suggestions_are_your_active_people_by_name_case_and_accents_aside(
    alice_client, user, other_user
):
    jose = PersonFactory(owner=user, full_name="José Álvarez")
    PersonFactory(owner=user, full_name="Josefina Archived", archived_at=timezone.now())
    PersonFactory(owner=other_user, full_name="Jose Theirs")
    response = pick(alice_client, "JOSE")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-pk="{jose.pk}"' in html and "José Álvarez" in html
    assert "Archived" not in html and "Theirs" not in html
    assert "1 person matches" in html
    assert 'hx-swap-oob="innerHTML:#id_people_status"' in html


def test_suggestions_leave_out_the_page_person_and_those_chosen_and_stop_at_eight(
    alice_client, user
):
    page_person = PersonFactory(owner=user, full_name="Lee Page")
    chosen = PersonFactory(owner=user, full_name="Lee Chosen")
    for index in range(12):
        PersonFactory(owner=user, full_name=f"Lee {index:02}")
    html = pick(alice_client, "lee", exclude=page_person.pk, people=[chosen.pk]).content.decode()
    assert html.count('role="option"') == 8
    assert "Lee Page" not in html and "Lee Chosen" not in html
    assert "8 people match" in html


def test_relationship_suggestions_leave_out_people_already_connected_either_way(
    alice_client, user, other_user
):
    ana = PersonFactory(owner=user, full_name="Ana Lima")
    parent = PersonFactory(owner=user, full_name="Lee Parent")
    child = PersonFactory(owner=user, full_name="Lee Child")
    stranger = PersonFactory(owner=user, full_name="Lee Stranger")
    add_relationship(person=ana, other=parent, kind="parent")  # Lee Parent is Ana's parent
    add_relationship(person=child, other=ana, kind="parent")  # Ana is Lee Child's parent
    theirs = PersonFactory(owner=other_user, full_name="Their Ana")

    html = pick(alice_client, "lee", name="rel-other", unconnected_to=ana.pk).content.decode()
    assert f'data-pk="{stranger.pk}"' in html
    assert "Lee Parent" not in html and "Lee Child" not in html
    # Another user's person connects no one of yours: nothing is left out.
    html = pick(alice_client, "lee", name="rel-other", unconnected_to=theirs.pk).content.decode()
    assert "Lee Parent" in html and "Lee Child" in html and "Lee Stranger" in html


def test_the_person_page_asks_for_unconnected_people_only_in_the_relationship_picker(
    alice_client, user
):
    ana = PersonFactory(owner=user, full_name="Ana Lima")
    PersonFactory(owner=user, full_name="Ben Ode")
    html = alice_client.get(f"/people/{ana.pk}/").content.decode()
    assert (
        f"name=rel-other&amp;for=id_rel-other&amp;exclude={ana.pk}&amp;unconnected_to={ana.pk}"
        in html
    )
    assert f"name=people&amp;for=id_people&amp;exclude={ana.pk}&amp;" not in html
    assert f"name=people&amp;for=id_people&amp;exclude={ana.pk}" in html


def test_suggestions_put_names_that_start_with_the_text_first(user):
    later = PersonFactory(owner=user, full_name="Ada Snow")
    start = PersonFactory(owner=user, full_name="Nora Quist")
    word = PersonFactory(owner=user, full_name="Bea No-Way")
    nick = PersonFactory(owner=user, full_name="Zed Zimmer", nickname="Nox")
    assert pick_candidates(user=user, text="no") == [start, word, nick, later]


def test_suggestions_use_the_name_after_the_last_comma_and_escape_names(alice_client, user):
    PersonFactory(owner=user, full_name="<b>Bold</b> Ben")
    html = pick(alice_client, "Ana Lima, bold").content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; Ben" in html
    assert "<b>Bold</b>" not in html


def test_namesakes_are_told_apart_by_work_nickname_or_last_contact(alice_client, user):
    PersonFactory(owner=user, full_name="Sam Reed", organisation="Kestrel")
    PersonFactory(owner=user, full_name="Sam Reed", nickname="Sammy")
    PersonFactory(
        owner=user, full_name="Sam Reed", last_interaction_at=timezone.now() - timedelta(days=12)
    )
    html = pick(alice_client, "sam").content.decode()
    assert "Kestrel" in html
    assert "Sammy" in html
    assert "last contact 12 days ago" in html


def test_no_match_says_so_and_nothing_typed_shows_nothing(alice_client, user):
    PersonFactory(owner=user, full_name="Ana Lima")
    html = pick(alice_client, "zzz").content.decode()
    assert "No one in your people matches “zzz”." in html
    assert 'role="option"' not in html
    assert 'role="option"' not in pick(alice_client, "  ").content.decode()


def test_suggestions_need_a_field_name_and_a_login(alice_client):
    assert (
        alice_client.get(reverse("people_pick"), {"name": "<x>", "for": "id_x"}).status_code == 400
    )
    assert pick(alice_client, "a", name="").status_code == 400
    assert pick(alice_client, "a", **{"for": '"><script>'}).status_code == 400
    alice_client.logout()
    anonymous = pick(alice_client, "a")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
