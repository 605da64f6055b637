"""What each row of the people list shows.

A page has 50 rows, and Django's template engine pays for every variable, filter and include
in a loop: the rows were most of the page's time (see docs/benchmarks.md). So each row's
wording is worked out here once, in Python, and the template only places it.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from connections.models import Circle, Person
from connections.templatetags.tend import avatar, overdue_marker, relative_time

# What a row reads of each person (with the annotations `person_rows` expects).
ROW_FIELDS = [
    "full_name",
    "nickname",
    "photo",
    "circle",
    "job_title",
    "organisation",
    "paused",
    "archived_at",
    "last_interaction_at",
]

# Shown as "Close circle" and "Wider circle"; "Inner circle" says it already.
CIRCLE_WORD_ADDED = {Circle.CLOSE, Circle.WIDER}


@dataclass(frozen=True)
class PersonRow:
    pk: int
    full_name: str
    nickname: str
    circle: str
    circle_label: str
    work: str
    tags: list[str]
    avatar: str
    last_contact: str
    is_archived: bool
    paused: bool
    overdue_marker: str
    shared_value_count: int

    @property
    def has_state(self) -> bool:
        return bool(
            self.is_archived or self.paused or self.overdue_marker or self.shared_value_count
        )


def _work(person: Person) -> str:
    if person.job_title and person.organisation:
        return f"{person.job_title} at {person.organisation}"
    return person.job_title or person.organisation


def _tag_names(people_ids: list[int]) -> dict[int, list[str]]:
    """Each person's tag names in name order, read as plain pairs (no Tag objects)."""
    names = defaultdict(list)
    pairs = (
        Person.tags.through.objects.filter(person_id__in=people_ids)
        .order_by("tag__name", "tag_id")
        .values_list("person_id", "tag__name")
    )
    for person_id, name in pairs:
        names[person_id].append(name)
    return names


def person_rows(people: Iterable[Person], *, today: date) -> list[PersonRow]:
    """Rows for people annotated `with_cadence_lag` and `with_shared_value_count`."""
    people = list(people)
    tags = _tag_names([person.pk for person in people]) if people else {}
    rows = []
    for person in people:
        circle = Circle(person.circle)
        rows.append(
            PersonRow(
                pk=person.pk,
                full_name=person.full_name,
                nickname=person.nickname,
                circle=circle.value,
                circle_label=f"{circle.label} circle"
                if circle in CIRCLE_WORD_ADDED
                else circle.label,
                work=_work(person),
                tags=tags.get(person.pk, []),
                avatar=avatar(person, "md"),
                last_contact=relative_time(person.last_interaction_at, today),
                is_archived=person.is_archived,
                paused=person.paused,
                overdue_marker=overdue_marker(person.cadence_lag),
                shared_value_count=person.shared_value_count,
            )
        )
    return rows
