"""What each moment on a person's timeline shows.

A page of the timeline has 20 moments, and Django's template engine pays for every variable,
filter and `{% url %}` in a loop: they were most of the person page's time (see
docs/benchmarks.md). So each moment's wording is worked out here once, and the template only
places it.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.template.defaultfilters import linebreaks_filter

from connections.links import reverse_one
from connections.models import Interaction, InteractionKind, Person, Tag
from connections.templatetags.tend import duration, relative_day, relative_time

KIND_LABELS = dict(InteractionKind.choices)


@dataclass(frozen=True)
class Other:
    pk: int
    full_name: str


@dataclass(frozen=True)
class TimelineEntry:
    pk: int
    kind: str
    kind_label: str
    when: str
    relative: str
    duration: str  # "1 hour 30 min", or "" when not noted
    others: list[Other]
    heard: str
    shared: str
    connection_rating: int | None
    topics: list[str]
    edit_url: str


def with_timeline_links(interactions: QuerySet) -> QuerySet:
    """Who was there and the topics, as plain lists (`people_there`, `topic_list`) of only
    what the timeline shows."""
    return interactions.prefetch_related(
        Prefetch("people", Person.objects.only("id", "full_name"), to_attr="people_there"),
        Prefetch("topics", Tag.objects.only("id", "name"), to_attr="topic_list"),
    )


def timeline_entries(
    interactions: list[Interaction], *, person: Person, today: date
) -> list[TimelineEntry]:
    """Entries for interactions read `with_timeline_links`, as seen from `person`'s page."""
    return [
        TimelineEntry(
            pk=interaction.pk,
            kind=interaction.kind,
            kind_label=KIND_LABELS.get(interaction.kind, interaction.kind),
            when=relative_time(interaction.occurred_at, today),
            relative=relative_day(interaction.occurred_at, today),
            duration=duration(interaction.duration_minutes),
            others=[
                Other(pk=other.pk, full_name=other.full_name)
                for other in interaction.people_there
                if other.pk != person.pk
            ],
            heard=linebreaks_filter(interaction.what_i_heard) if interaction.what_i_heard else "",
            shared=(
                linebreaks_filter(interaction.what_i_shared) if interaction.what_i_shared else ""
            ),
            connection_rating=interaction.connection_rating,
            topics=[topic.name for topic in interaction.topic_list],
            edit_url=f"{reverse_one('interaction_edit', interaction.pk)}?from={person.pk}",
        )
        for interaction in interactions
    ]
