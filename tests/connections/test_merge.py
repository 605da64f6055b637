from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.models import ContactPoint, Interaction, Person, WeeklyPick
from connections.values import add_person_value
from tests.factories import ContactPointFactory, PersonFactory, interaction_with

pytestmark = pytest.mark.django_db


def test_pick_page_suggests_people_with_the_same_email(alice_client, user):
    ana = PersonFactory(owner=user, full_name="Ana Lima")
    ana_again = PersonFactory(owner=user, full_name="Ana L.")
    ContactPointFactory(person=ana, value="ana@example.com")
    ContactPointFactory(person=ana_again, value="Ana@Example.com")
    PersonFactory(owner=user, full_name="Ben")

    response = alice_client.get(reverse("people_merge"))

    assert response.status_code == 200
    assert [(a.pk, b.pk) for a, b in response.context["suggestions"]] == [(ana.pk, ana_again.pk)]
    assert "Possible duplicates" in response.text


def test_side_by_side_shows_only_fields_that_differ(alice_client, user):
    keep = PersonFactory(owner=user, full_name="Ana Lima", organisation="")
    absorb = PersonFactory(owner=user, full_name="Ana Lima", organisation="Acme")

    response = alice_client.get(reverse("people_merge"), {"keep": keep.pk, "absorb": absorb.pk})

    assert 'name="organisation"' in response.text
    assert 'name="full_name"' not in response.text
    assert 'value="absorb" checked' in response.text  # only the other one has an organisation


def test_merging_keeps_chosen_fields_and_moves_everything(alice_client, user):
    keep = PersonFactory(owner=user, full_name="Ana Lima", nickname="Ana")
    absorb = PersonFactory(owner=user, full_name="Ana Maria Lima", nickname="Aninha")
    ContactPointFactory(person=absorb, kind=ContactPoint.Kind.PHONE, value="+351 912 000 111")
    talk = interaction_with(absorb, occurred_at=timezone.now() - timedelta(days=2))
    add_person_value(person=absorb, name="Family")

    response = alice_client.post(
        reverse("people_merge"),
        {"keep": keep.pk, "absorb": absorb.pk, "full_name": "absorb", "nickname": "keep"},
    )

    assert response.status_code == 302
    assert response.url == f"/people/{keep.pk}/"
    keep.refresh_from_db()
    assert (keep.full_name, keep.nickname) == ("Ana Maria Lima", "Ana")
    assert not Person.objects.filter(pk=absorb.pk).exists()
    assert list(Interaction.objects.filter(people=keep)) == [talk]
    assert keep.last_interaction_at == talk.occurred_at
    assert keep.contact_points.get().value == "+351 912 000 111"
    assert [v.name for v in keep.values.all()] == ["Family"]


def test_a_weekly_pick_of_the_absorbed_person_carries_over(alice_client, user):
    keep = PersonFactory(owner=user, full_name="Ana Lima")
    absorb = PersonFactory(owner=user, full_name="Ana Maria Lima")
    other = PersonFactory(owner=user, full_name="Ben Costa")
    this_week, last_week = date(2026, 11, 23), date(2026, 11, 16)
    WeeklyPick.objects.create(owner=user, week=this_week, person=absorb, why="Birthday on Friday.")
    WeeklyPick.objects.create(owner=user, week=this_week, person=other, why="Past their rhythm.")
    WeeklyPick.objects.create(owner=user, week=last_week, person=keep, why="Kept.")
    WeeklyPick.objects.create(owner=user, week=last_week, person=absorb, why="Absorbed.")

    alice_client.post(reverse("people_merge"), {"keep": keep.pk, "absorb": absorb.pk})

    picks = WeeklyPick.objects.filter(owner=user).order_by("week", "person__full_name")
    assert [(p.week, p.person.full_name, p.why) for p in picks] == [
        (last_week, "Ana Lima", "Kept."),
        (this_week, "Ana Lima", "Birthday on Friday."),
        (this_week, "Ben Costa", "Past their rhythm."),
    ]


def test_merging_a_person_with_itself_is_refused(alice_client, user):
    ana = PersonFactory(owner=user)
    response = alice_client.post(reverse("people_merge"), {"keep": ana.pk, "absorb": ana.pk})
    assert "Choose two different people" in response.text
    assert Person.objects.filter(pk=ana.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_users_person_cannot_be_merged(alice_client, user, other_user, method):
    mine = PersonFactory(owner=user)
    theirs = PersonFactory(owner=other_user)
    response = getattr(alice_client, method)(
        reverse("people_merge"), {"keep": mine.pk, "absorb": theirs.pk}
    )
    assert response.status_code == 404
    assert Person.objects.filter(pk=theirs.pk).exists()


def test_junk_ids_answer_404(alice_client, user):
    response = alice_client.get(reverse("people_merge"), {"keep": "x", "absorb": "1"})
    assert response.status_code == 404
