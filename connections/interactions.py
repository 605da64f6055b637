"""Logging what happened with people, and keeping `Person.last_interaction_at` true."""

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max

from connections.models import Interaction, Person
from connections.nudges import resolve_cadence_nudges, schedule_follow_up
from connections.people import tags_named
from connections.search import add_words, rebuild_documents


def _refresh_last_interaction(people_ids: Iterable[int]) -> None:
    for person_id, latest in (
        Person.objects.filter(id__in=list(people_ids))
        .annotate(latest=Max("interactions__occurred_at"))
        .values_list("id", "latest")
    ):
        Person.objects.filter(pk=person_id).update(last_interaction_at=latest)


@transaction.atomic
def log_interaction(
    *,
    owner,
    people: Iterable[Person],
    kind: str,
    occurred_at: datetime,
    what_i_heard: str = "",
    what_i_shared: str = "",
    duration_minutes: int | None = None,
    connection_rating: int | None = None,
    topic_names: Iterable[str] = (),
    follow_up_on: date | None = None,
    follow_up_reason: str = "",
) -> Interaction:
    """Record one interaction with one or more of the owner's people, and optionally a
    follow-up with the first of them ("check in a week later", with what was heard)."""
    people = list(people)
    if not people:
        raise ValueError("An interaction needs at least one person.")
    if any(person.owner_id != owner.pk for person in people):
        raise PermissionError("People must belong to the owner.")
    interaction = Interaction(
        owner=owner,
        kind=kind,
        occurred_at=occurred_at,
        what_i_heard=what_i_heard.strip(),
        what_i_shared=what_i_shared.strip(),
        duration_minutes=duration_minutes,
        connection_rating=connection_rating,
    )
    interaction.full_clean()
    interaction.save()
    interaction.people.set(people)
    if topic_names:
        interaction.topics.set(tags_named(owner=owner, names=topic_names))
    words = f"{interaction.what_i_heard} {interaction.what_i_shared}"
    add_words([person.pk for person in people], words)
    resolve_cadence_nudges(people_ids=[person.pk for person in people])
    if follow_up_on is not None:
        schedule_follow_up(
            person=people[0], due_on=follow_up_on, reason=follow_up_reason, interaction=interaction
        )
    # Only ever moves forward: logging an old interaction keeps a newer last contact.
    for person in people:
        if person.last_interaction_at is None or occurred_at > person.last_interaction_at:
            Person.objects.filter(pk=person.pk).update(last_interaction_at=occurred_at)
            person.last_interaction_at = occurred_at
    return interaction


@transaction.atomic
def update_interaction(
    *, interaction: Interaction, people: Iterable[Person], **fields
) -> Interaction:
    people = list(people)
    before = set(interaction.people.values_list("id", flat=True))
    topic_names = fields.pop("topic_names", None)
    for name, value in fields.items():
        setattr(interaction, name, value)
    interaction.full_clean()
    interaction.save()
    interaction.people.set(people)
    if topic_names is not None:
        interaction.topics.set(tags_named(owner=interaction.owner, names=topic_names))
    touched = before | {p.pk for p in people}
    rebuild_documents(touched)
    _refresh_last_interaction(touched)
    return interaction


@transaction.atomic
def delete_interaction(*, interaction: Interaction) -> None:
    people_ids = list(interaction.people.values_list("id", flat=True))
    interaction.delete()
    rebuild_documents(people_ids)
    _refresh_last_interaction(people_ids)
