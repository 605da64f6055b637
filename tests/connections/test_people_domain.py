from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from connections.goals import add_goal
from connections.interactions import delete_interaction, log_interaction
from connections.models import (
    Circle,
    ContactPoint,
    Interaction,
    InteractionKind,
    Person,
    Relationship,
)
from connections.people import create_person, delete_person, merge_people, set_contact_points
from connections.values import add_my_value, add_person_value, compare_values
from tests.factories import ContactPointFactory, PersonFactory, interaction_with

pytestmark = pytest.mark.django_db


def test_cadence_defaults_from_circle_and_can_be_overridden(user):
    inner = create_person(owner=user, full_name="Ana Lima", circle=Circle.INNER)
    acquaintance = create_person(owner=user, full_name="Ben", circle=Circle.ACQUAINTANCE)
    custom = create_person(
        owner=user, full_name="Cleo", circle=Circle.WIDER, cadence_days=14, cadence_is_custom=True
    )
    assert inner.cadence_days == 7
    assert acquaintance.cadence_days is None
    assert custom.cadence_days == 14

    inner.circle = Circle.WIDER
    inner.save()
    assert inner.cadence_days == 90


def test_birthday_without_year_and_leap_day(user):
    person = create_person(owner=user, full_name="Leap", birthday_day=29, birthday_month=2)
    assert person.next_birthday(date(2027, 1, 10)) == date(2027, 2, 28)
    assert person.next_birthday(date(2028, 1, 10)) == date(2028, 2, 29)
    with pytest.raises(ValidationError, match="That day does not exist"):
        create_person(owner=user, full_name="Nope", birthday_day=31, birthday_month=4)


def test_logging_an_interaction_updates_every_participant(user):
    ana, ben = PersonFactory(owner=user), PersonFactory(owner=user)
    when = timezone.now() - timedelta(days=2)

    interaction = log_interaction(
        owner=user,
        people=[ana, ben],
        kind=InteractionKind.IN_PERSON,
        occurred_at=when,
        what_i_heard="She is nervous about the interview on Tuesday.",
        topic_names=["work", "Work ", "family"],
    )

    assert set(interaction.people.all()) == {ana, ben}
    assert sorted(interaction.topics.values_list("name", flat=True)) == ["family", "work"]
    for person in (ana, ben):
        person.refresh_from_db()
        assert person.last_interaction_at == when


def test_an_older_interaction_does_not_move_last_contact_back(user):
    ana = PersonFactory(owner=user)
    recent = timezone.now() - timedelta(days=1)
    interaction_with(ana, occurred_at=recent)
    interaction_with(ana, occurred_at=recent - timedelta(days=30))
    ana.refresh_from_db()
    assert ana.last_interaction_at == recent


def test_deleting_the_latest_interaction_recomputes_last_contact(user):
    ana = PersonFactory(owner=user)
    older = timezone.now() - timedelta(days=10)
    interaction_with(ana, occurred_at=older)
    latest = interaction_with(ana, occurred_at=timezone.now())
    delete_interaction(interaction=latest)
    ana.refresh_from_db()
    assert ana.last_interaction_at == older


def test_most_overdue_first_is_relative_to_cadence(user):
    now = timezone.now()
    weekly = PersonFactory(owner=user, circle=Circle.INNER)  # 14 days = 2x its cadence
    monthly = PersonFactory(owner=user, circle=Circle.CLOSE)  # 45 days = 1.5x
    fresh = PersonFactory(owner=user, circle=Circle.CLOSE)
    paused = PersonFactory(owner=user, circle=Circle.INNER, paused=True)
    interaction_with(weekly, occurred_at=now - timedelta(days=14))
    interaction_with(monthly, occurred_at=now - timedelta(days=45))
    interaction_with(fresh, occurred_at=now - timedelta(days=3))
    interaction_with(paused, occurred_at=now - timedelta(days=60))

    overdue = list(Person.objects.for_user(user).most_overdue_first(now))

    assert overdue == [weekly, monthly]
    assert overdue[0].cadence_lag == pytest.approx(2.0, rel=0.01)


def test_search_finds_people_by_what_was_said(user, other_user):
    ana = PersonFactory(owner=user, full_name="Ana Lima")
    interaction_with(ana, what_i_heard="Her sourdough starter finally worked")
    stranger = PersonFactory(owner=other_user)
    interaction_with(stranger, what_i_heard="sourdough again")

    found = Person.objects.for_user(user).search("sourdough", user=user)

    assert list(found) == [ana]


def test_search_by_phone_digits_ignores_formatting(user):
    ana = PersonFactory(owner=user)
    ContactPointFactory(person=ana, kind=ContactPoint.Kind.PHONE, value="+351 912 345 678")
    assert list(Person.objects.for_user(user).search("912345678", user=user)) == [ana]


def test_shared_and_differing_values(user):
    ana = PersonFactory(owner=user)
    add_my_value(owner=user, name="Honesty")
    add_my_value(owner=user, name="Curiosity")
    add_person_value(person=ana, name="honesty", note="Says it straight")
    add_person_value(person=ana, name="Faith")

    comparison = compare_values(person=ana, my_values=list(user.values.filter(is_mine=True)))

    assert [pv.value.name for pv in comparison.shared] == ["Honesty"]
    assert [pv.value.name for pv in comparison.only_theirs] == ["Faith"]
    assert [v.name for v in comparison.only_mine] == ["Curiosity"]


def test_merge_moves_everything_and_loses_nothing(user):
    keep = PersonFactory(owner=user, full_name="Ana Lima", organisation="")
    absorb = PersonFactory(owner=user, full_name="Ana L.", organisation="Acme", nickname="Aninha")
    friend = PersonFactory(owner=user)
    ContactPointFactory(person=keep, value="ana@example.com")
    ContactPointFactory(person=absorb, value="ANA@example.com")
    ContactPointFactory(person=absorb, kind=ContactPoint.Kind.PHONE, value="+1 555 0100")
    shared = interaction_with(keep, absorb)
    solo = interaction_with(absorb, occurred_at=timezone.now() - timedelta(days=3))
    add_person_value(person=absorb, name="Family")
    add_goal(person=absorb, title="Run a marathon")
    Relationship.objects.create(from_person=absorb, to_person=friend, kind="sibling")

    merged = merge_people(keep=keep, absorb=absorb, take_from_absorbed=["organisation", "nickname"])

    assert not Person.objects.filter(pk=absorb.pk).exists()
    assert (merged.full_name, merged.organisation, merged.nickname) == (
        "Ana Lima",
        "Acme",
        "Aninha",
    )
    assert sorted(merged.contact_points.values_list("normalized", flat=True)) == [
        "+15550100",
        "ana@example.com",
    ]
    assert set(Interaction.objects.filter(people=merged)) == {shared, solo}
    assert list(shared.people.all()) == [merged]
    assert [v.name for v in merged.values.all()] == ["Family"]
    assert [g.title for g in merged.goals.all()] == ["Run a marathon"]
    assert Relationship.objects.get(to_person=friend).from_person == merged


def test_delete_person_removes_only_their_solo_interactions(user):
    ana, ben = PersonFactory(owner=user), PersonFactory(owner=user)
    together = interaction_with(ana, ben)
    interaction_with(ana)
    delete_person(person=ana)
    assert list(Interaction.objects.all()) == [together]


def test_a_phones_match_key_follows_its_number_when_it_is_edited(user, settings):
    settings.PHONE_REGION = "PT"
    person = PersonFactory(owner=user)
    set_contact_points(person=person, points=[{"kind": "phone", "value": "+351 912 000 111"}])
    point = person.contact_points.get()
    assert point.phone_key == "912000111"

    set_contact_points(
        person=person, points=[{"id": point.pk, "kind": "phone", "value": "+44 20 7946 0958"}]
    )
    point.refresh_from_db()
    assert point.phone_key == "2079460958"

    set_contact_points(
        person=person, points=[{"id": point.pk, "kind": "email", "value": "ana@example.com"}]
    )
    point.refresh_from_db()
    assert point.phone_key == ""


def test_a_long_string_of_digits_is_kept_as_a_phone_with_its_digits_as_its_key(user, settings):
    # No country could read it, so its key is its digits: as long as the number can be.
    settings.PHONE_REGION = "PT"
    person = PersonFactory(owner=user)
    digits = "9" * 480
    set_contact_points(person=person, points=[{"kind": "phone", "value": digits}])

    assert person.contact_points.get().phone_key == digits
