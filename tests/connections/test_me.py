from datetime import date, timedelta

import pytest
from django.utils import timezone

from connections.models import Reflection, Value
from connections.reflections import add_reflection
from connections.values import add_my_value, add_person_value
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def reflection(user, body="I value honesty more than comfort.", days_ago=0, topic="values"):
    written_on = timezone.localdate() - timedelta(days=days_ago)
    return add_reflection(owner=user, body=body, topic=topic, written_on=written_on)


def test_me_without_values_teaches_with_one_click_examples(alice_client):
    page = alice_client.get("/me/").content.decode()
    assert "What matters most to you?" in page
    assert 'name="name" value="Curiosity"' in page
    assert "shown on their page" in page
    assert "Your journal is empty" in page


def test_adding_a_value_with_what_it_means(alice_client, user):
    response = alice_client.post("/me/values/", {"name": " Honesty ", "note": "Truth, kindly"})
    assert response["Location"] == "/me/#values"
    value = Value.objects.get(owner=user)
    assert (value.name, value.note, value.is_mine) == ("Honesty", "Truth, kindly", True)
    page = alice_client.get("/me/").content.decode()
    assert "Added Honesty to your values." in page
    assert "Truth, kindly" in page


def test_adding_a_value_in_place_with_htmx_returns_the_values_section(alice_client, user):
    PersonFactory(owner=user)
    response = alice_client.post("/me/values/", {"name": "Curiosity"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<section class="card me-values" id="values"' in page
    assert "Added Curiosity to your values." in page
    assert "<html" not in page
    assert "Not noted for anyone yet" in page


def test_a_value_already_mine_or_empty_is_explained(alice_client, user):
    add_my_value(owner=user, name="Family")
    page = alice_client.post("/me/values/", {"name": "family"}).content.decode()
    assert "“family” is already one of your values." in page
    page = alice_client.post("/me/values/", {"name": ""}, **HTMX).content.decode()
    assert "Name the value, like honesty or curiosity." in page


def test_removing_a_value_keeps_it_on_people_who_hold_it(alice_client, user):
    ana = PersonFactory(owner=user)
    family = add_my_value(owner=user, name="Family")
    curiosity = add_my_value(owner=user, name="Curiosity")
    add_person_value(person=ana, name="family")

    response = alice_client.post(f"/me/values/{family.pk}/remove/", **HTMX)
    assert "Removed Family from your values." in response.content.decode()
    family.refresh_from_db()
    assert not family.is_mine
    assert ana.values.get() == family

    alice_client.post(f"/me/values/{curiosity.pk}/remove/")
    assert not Value.objects.filter(pk=curiosity.pk).exists()


def test_shared_counts_show_per_value(alice_client, user):
    honesty = add_my_value(owner=user, name="Honesty")
    for person in PersonFactory.create_batch(2, owner=user):
        add_person_value(person=person, name=honesty.name)
    assert "Shared with 2 people" in alice_client.get("/me/").content.decode()


def test_writing_a_reflection(alice_client, user):
    response = alice_client.post(
        "/me/reflections/",
        {"written_on": str(timezone.localdate()), "topic": "fears", "body": "Being a burden."},
    )
    assert response["Location"] == "/me/#journal"
    entry = Reflection.objects.get(owner=user)
    assert (entry.topic, entry.body) == ("fears", "Being a burden.")
    page = alice_client.get("/me/").content.decode()
    assert "Being a burden." in page
    assert "My fears" in page


def test_a_reflection_needs_words_and_a_past_date_and_keeps_what_was_typed(alice_client, user):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = alice_client.post(
        "/me/reflections/", {"written_on": tomorrow, "topic": "growth", "body": "Learning to ask."}
    ).content.decode()
    assert "Choose today or an earlier day." in page
    assert "Learning to ask." in page
    page = alice_client.post(
        "/me/reflections/", {"written_on": "2026-01-01", "topic": "growth", "body": "   "}, **HTMX
    ).content.decode()
    assert "Write a few words before saving." in page
    assert not Reflection.objects.exists()


def test_journal_is_newest_first_and_paginated(alice_client, user):
    for n in range(12):
        reflection(user, body=f"Entry number {n}.", days_ago=n)
    page = alice_client.get("/me/").content.decode()
    assert page.index("Entry number 0.") < page.index("Entry number 1.")
    assert "Entry number 10." not in page
    assert "Page 1 of 2" in page
    assert "Entry number 11." in alice_client.get("/me/?page=2").content.decode()


def test_editing_a_reflection(alice_client, user):
    entry = reflection(user)
    page = alice_client.get(f"/me/reflections/{entry.pk}/edit/").content.decode()
    assert "I value honesty more than comfort." in page
    response = alice_client.post(
        f"/me/reflections/{entry.pk}/edit/",
        {"written_on": "2026-01-02", "topic": "passions", "body": "Bread baking."},
    )
    assert response["Location"] == f"/me/#reflection-{entry.pk}"
    entry.refresh_from_db()
    assert (entry.written_on, entry.topic) == (date(2026, 1, 2), "passions")
    assert entry.body == "Bread baking."


def test_deleting_a_reflection_asks_once_then_deletes(alice_client, user):
    entry = reflection(user)
    page = alice_client.get(f"/me/reflections/{entry.pk}/delete/").content.decode()
    assert "Delete this reflection?" in page
    assert Reflection.objects.filter(pk=entry.pk).exists()

    response = alice_client.post(f"/me/reflections/{entry.pk}/delete/", **HTMX)
    assert "Deleted the reflection." in response.content.decode()
    assert not Reflection.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/me/values/{value}/remove/"),
        ("get", "/me/reflections/{reflection}/edit/"),
        ("post", "/me/reflections/{reflection}/edit/"),
        ("get", "/me/reflections/{reflection}/delete/"),
        ("post", "/me/reflections/{reflection}/delete/"),
    ],
)
def test_another_users_values_and_reflections_answer_404(alice_client, other_user, method, path):
    value = add_my_value(owner=other_user, name="Bob's value")
    entry = reflection(other_user, body="Bob's secret.")
    response = getattr(alice_client, method)(
        path.format(value=value.pk, reflection=entry.pk),
        {"written_on": "2026-01-01", "topic": "other", "body": "overwritten"},
    )
    assert response.status_code == 404
    value.refresh_from_db()
    entry.refresh_from_db()
    assert value.is_mine
    assert entry.body == "Bob's secret."


def test_me_page_shows_only_my_own_values_and_reflections(alice_client, user, other_user):
    add_my_value(owner=other_user, name="Bob's value")
    reflection(other_user, body="Bob's secret.")
    page = alice_client.get("/me/").content.decode()
    assert "Bob&#x27;s value" not in page
    assert "Bob&#x27;s secret." not in page


def test_me_page_query_count_is_constant(alice_client, user, django_assert_num_queries):
    def fill(n):
        for i in range(n):
            person = PersonFactory(owner=user)
            value = add_my_value(owner=user, name=f"value {Value.objects.count()}")
            add_person_value(person=person, name=value.name)
            reflection(user, body=f"entry {i}")

    fill(5)
    with django_assert_num_queries(5):
        alice_client.get("/me/")
    fill(45)
    with django_assert_num_queries(5):
        alice_client.get("/me/")
