"""Values: the user's own, each person's, and what they share."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from connections.models import Person, PersonValue, Value


def value_named(*, owner, name: str) -> Value:
    name = " ".join(name.split())
    if not name:
        raise ValueError("A value needs a name.")
    value = Value.objects.filter(owner=owner, name__iexact=name).first()
    return value or Value.objects.create(owner=owner, name=name[:80])


@transaction.atomic
def add_my_value(*, owner, name: str, note: str = "") -> Value:
    value = value_named(owner=owner, name=name)
    value.is_mine = True
    if note:
        value.note = note
    value.save()
    return value


@transaction.atomic
def remove_my_value(*, value: Value) -> None:
    value.is_mine = False
    value.save(update_fields=["is_mine"])
    if not value.person_values.exists():
        value.delete()


@transaction.atomic
def add_person_value(*, person: Person, name: str, note: str = "") -> PersonValue:
    value = value_named(owner=person.owner, name=name)
    person_value, created = PersonValue.objects.get_or_create(
        person=person, value=value, defaults={"note": note}
    )
    if not created and note:
        person_value.note = note
        person_value.save(update_fields=["note"])
    return person_value


@transaction.atomic
def remove_person_value(*, person_value: PersonValue) -> None:
    value = person_value.value
    person_value.delete()
    if not value.is_mine and not value.person_values.exists():
        value.delete()


@dataclass(frozen=True)
class ValueComparison:
    shared: list[PersonValue]
    only_theirs: list[PersonValue]
    only_mine: list[Value]


def compare_values(*, person: Person, my_values: list[Value]) -> ValueComparison:
    """What the user and a person share, and where they differ ("celebrate differences")."""
    theirs = list(person.person_values.select_related("value").order_by("value__name"))
    their_ids = {pv.value_id for pv in theirs}
    return ValueComparison(
        shared=[pv for pv in theirs if pv.value.is_mine],
        only_theirs=[pv for pv in theirs if not pv.value.is_mine],
        only_mine=[v for v in my_values if v.pk not in their_ids],
    )


@transaction.atomic
def set_person_values(*, person: Person, names: Iterable[str]) -> None:
    """Make the person's values exactly these names; notes on values they keep stay."""
    wanted = {}
    for name in names:
        name = " ".join(name.split())
        if name:
            wanted.setdefault(name.lower(), name)
    for person_value in person.person_values.select_related("value"):
        if wanted.pop(person_value.value.name.lower(), None) is None:
            remove_person_value(person_value=person_value)
    for name in wanted.values():
        add_person_value(person=person, name=name)
