"""Changing people: the only way views, commands and the admin create, edit or remove them."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from connections.models import (
    Circle,
    ContactPoint,
    Interaction,
    Person,
    PersonValue,
    Relationship,
    Tag,
    WeeklyPick,
)
from connections.search import rebuild_documents


def tags_named(*, owner, names: Iterable[str]) -> list[Tag]:
    """The owner's tags with these names, created when new (case-insensitive, trimmed)."""
    tags = []
    for name in dict.fromkeys(" ".join(n.split()) for n in names):
        if not name:
            continue
        tag = Tag.objects.filter(owner=owner, name__iexact=name).first()
        tags.append(tag or Tag.objects.create(owner=owner, name=name[:60]))
    return tags


@transaction.atomic
def create_person(*, owner, full_name: str, tag_names: Iterable[str] = (), **fields) -> Person:
    person = Person(owner=owner, full_name=full_name, **fields)
    person.full_clean(exclude=["photo"])
    person.save()
    if tag_names:
        person.tags.set(tags_named(owner=owner, names=tag_names))
    return person


@transaction.atomic
def archive_person(*, person: Person) -> Person:
    if person.archived_at is None:
        person.archived_at = timezone.now()
        person.save(update_fields=["archived_at", "updated_at"])
    return person


@transaction.atomic
def restore_person(*, person: Person) -> Person:
    person.archived_at = None
    person.save(update_fields=["archived_at", "updated_at"])
    return person


@transaction.atomic
def delete_person(*, person: Person) -> None:
    """Delete for good, with interactions that were only with this person."""
    with_person = Interaction.objects.filter(people=person).values("id")
    Interaction.objects.annotate(participants=Count("people")).filter(
        id__in=with_person, participants=1
    ).delete()
    person.delete()


@transaction.atomic
def bulk_tag(*, owner, people_ids: Iterable[int], tag_name: str) -> int:
    people = list(Person.objects.for_user(owner).filter(id__in=people_ids))
    (tag,) = tags_named(owner=owner, names=[tag_name])
    tag.people.add(*people)
    return len(people)


@transaction.atomic
def bulk_set_circle(*, owner, people_ids: Iterable[int], circle: str) -> int:
    circle = Circle(circle)
    count = 0
    for person in Person.objects.for_user(owner).filter(id__in=people_ids):
        person.circle = circle
        person.save(update_fields=["circle", "cadence_days", "updated_at"])
        count += 1
    return count


@transaction.atomic
def bulk_archive(*, owner, people_ids: Iterable[int]) -> int:
    return (
        Person.objects.for_user(owner)
        .filter(id__in=people_ids, archived_at__isnull=True)
        .update(archived_at=timezone.now(), updated_at=timezone.now())
    )


MERGEABLE_FIELDS = [
    "full_name",
    "nickname",
    "pronouns",
    "photo",
    "birthday_day",
    "birthday_month",
    "birthday_year",
    "how_we_met",
    "story",
    "preferred_channel",
    "connect_notes",
    "organisation",
    "job_title",
    "circle",
    "cadence_days",
    "cadence_is_custom",
    "paused",
]


@transaction.atomic
def merge_people(*, keep: Person, absorb: Person, take_from_absorbed: Iterable[str] = ()) -> Person:
    """Fold `absorb` into `keep`: fields chosen from `absorb` are copied, and every
    interaction, contact point, value, goal, tag and relationship moves over. Nothing is lost."""
    if keep.pk == absorb.pk or keep.owner_id != absorb.owner_id:
        raise ValueError("Merge two different people of the same owner.")
    for field in take_from_absorbed:
        if field not in MERGEABLE_FIELDS:
            raise ValueError(f"{field} cannot be merged.")
        setattr(keep, field, getattr(absorb, field))
    if "birthday_day" in take_from_absorbed or "birthday_month" in take_from_absorbed:
        keep.birthday_day, keep.birthday_month, keep.birthday_year = (
            absorb.birthday_day,
            absorb.birthday_month,
            absorb.birthday_year,
        )
    if "circle" in take_from_absorbed and "cadence_days" not in take_from_absorbed:
        keep.cadence_is_custom = keep.cadence_is_custom and bool(keep.cadence_days)

    for interaction in Interaction.objects.filter(people=absorb):
        interaction.people.remove(absorb)
        interaction.people.add(keep)
    absorb.contact_points.update(person=keep)
    _dedupe_contact_points(keep)
    for person_value in PersonValue.objects.filter(person=absorb):
        existing = PersonValue.objects.filter(person=keep, value=person_value.value).first()
        if existing is None:
            person_value.person = keep
            person_value.save(update_fields=["person"])
        elif person_value.note and not existing.note:
            existing.note = person_value.note
            existing.save(update_fields=["note"])
    absorb.goals.update(person=keep)
    keep.tags.add(*absorb.tags.all())
    _move_relationships(keep=keep, absorb=absorb)

    latest = [t for t in (keep.last_interaction_at, absorb.last_interaction_at) if t]
    keep.last_interaction_at = max(latest) if latest else None
    keep.created_at = min(keep.created_at, absorb.created_at)
    keep.archived_at = None if not (keep.archived_at and absorb.archived_at) else keep.archived_at
    keep.save()
    # A week's focus on the absorbed person carries over to the one kept.
    kept_weeks = WeeklyPick.objects.filter(person=keep).values("week")
    WeeklyPick.objects.filter(person=absorb).exclude(week__in=kept_weeks).update(person=keep)
    absorb.delete()
    rebuild_documents([keep.pk])
    return keep


def _dedupe_contact_points(person: Person) -> None:
    seen = set()
    for point in ContactPoint.objects.filter(person=person).order_by("id"):
        key = (point.kind, point.normalized)
        if key in seen:
            point.delete()
        else:
            seen.add(key)


def _move_relationships(*, keep: Person, absorb: Person) -> None:
    for relationship in Relationship.objects.filter(Q(from_person=absorb) | Q(to_person=absorb)):
        if relationship.from_person_id == absorb.pk:
            relationship.from_person = keep
        if relationship.to_person_id == absorb.pk:
            relationship.to_person = keep
        duplicate = Relationship.objects.filter(
            Q(from_person=relationship.from_person, to_person=relationship.to_person)
            | Q(from_person=relationship.to_person, to_person=relationship.from_person)
        ).exclude(pk=relationship.pk)
        if relationship.from_person_id == relationship.to_person_id or duplicate.exists():
            relationship.delete()
        else:
            relationship.save()


@transaction.atomic
def update_person(*, person: Person, tag_names: Iterable[str] | None = None, **fields) -> Person:
    """Change a person's own fields (and their tags when `tag_names` is given)."""
    unknown = set(fields) - set(MERGEABLE_FIELDS)
    if unknown:
        raise ValueError(f"Cannot update {', '.join(sorted(unknown))}.")
    old_photo = person.photo.name if "photo" in fields else ""
    for field, value in fields.items():
        setattr(person, field, value)
    person.full_clean(exclude=["photo"])
    person.save()
    if old_photo and old_photo != person.photo.name:
        # A replaced or removed photo is private data: do not leave the file behind.
        storage = person.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    if tag_names is not None:
        person.tags.set(tags_named(owner=person.owner, names=tag_names))
    return person


@transaction.atomic
def set_contact_points(*, person: Person, points: Iterable[dict]) -> None:
    """Make the person's contact points exactly `points` (dicts of kind, label, value and,
    for one that already exists, its id); the ones left out are removed."""
    existing = {point.pk: point for point in person.contact_points.all()}
    kept = set()
    for data in points:
        point = existing.get(data.get("id")) or ContactPoint(person=person)
        point.kind, point.label, point.value = data["kind"], data.get("label", ""), data["value"]
        point.full_clean(exclude=["person"])
        point.save()
        kept.add(point.pk)
    person.contact_points.exclude(pk__in=kept).delete()


@transaction.atomic
def add_relationship(*, person: Person, other: Person, kind: str) -> Relationship:
    """Record that `other` is <kind> of `person` ("Ana is parent of Tomás"), once per pair."""
    if person.pk == other.pk:
        raise ValueError("Choose someone other than this person.")
    if person.owner_id != other.owner_id:
        raise PermissionError("Both people must belong to the same owner.")
    if Relationship.objects.filter(
        Q(from_person=other, to_person=person) | Q(from_person=person, to_person=other)
    ).exists():
        raise ValueError(f"{person.display_name} and {other.full_name} are already connected.")
    return Relationship.objects.create(
        from_person=other, to_person=person, kind=Relationship.Kind(kind)
    )


@transaction.atomic
def remove_relationship(*, relationship: Relationship) -> None:
    relationship.delete()


def bulk_restore(*, owner, people_ids: Iterable[int]) -> int:
    """Bring archived people back to the active list; the undo of `bulk_archive`."""
    return (
        Person.objects.for_user(owner)
        .filter(id__in=people_ids, archived_at__isnull=False)
        .update(archived_at=None, updated_at=timezone.now())
    )
