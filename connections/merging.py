"""Finding and describing duplicates, for the side-by-side merge page."""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Lower

from connections.models import ContactPoint, Person

# What the user chooses between, in the order the merge page shows it: a label and the
# Person fields that move together (a birthday is day, month and year).
FIELD_GROUPS: list[tuple[str, str, list[str]]] = [
    ("full_name", "Full name", ["full_name"]),
    ("nickname", "Nickname", ["nickname"]),
    ("pronouns", "Pronouns", ["pronouns"]),
    ("photo", "Photo", ["photo"]),
    ("birthday", "Birthday", ["birthday_day", "birthday_month", "birthday_year"]),
    ("circle", "Circle", ["circle"]),
    ("cadence", "Rhythm", ["cadence_days", "cadence_is_custom"]),
    ("preferred_channel", "Prefers", ["preferred_channel"]),
    ("connect_notes", "How they like to connect", ["connect_notes"]),
    ("how_we_met", "How we met", ["how_we_met"]),
    ("story", "Their story", ["story"]),
    ("organisation", "Organisation", ["organisation"]),
    ("job_title", "Title", ["job_title"]),
    ("paused", "Nudges", ["paused"]),
]


def describe(person: Person, group: str) -> str:
    """How one field group of a person reads on the merge page ('' when empty)."""
    if group == "birthday":
        if not person.has_birthday:
            return ""
        from datetime import date

        day = date(2000, person.birthday_month, person.birthday_day)
        text = f"{day:%-d %B}"
        return f"{text} {person.birthday_year}" if person.birthday_year else text
    if group == "circle":
        return person.get_circle_display()
    if group == "cadence":
        return f"every {person.cadence_days} days" if person.cadence_days else "no regular rhythm"
    if group == "preferred_channel":
        return person.get_preferred_channel_display()
    if group == "photo":
        return "has a photo" if person.photo else ""
    if group == "paused":
        return "paused" if person.paused else "on"
    return getattr(person, group) or ""


@dataclass(frozen=True)
class FieldChoice:
    name: str
    label: str
    keep_text: str
    absorb_text: str

    @property
    def differs(self) -> bool:
        return self.keep_text != self.absorb_text

    @property
    def default(self) -> str:
        """Keep's value, unless only the other person has one."""
        return "absorb" if self.absorb_text and not self.keep_text else "keep"


def field_choices(keep: Person, absorb: Person) -> list[FieldChoice]:
    return [
        FieldChoice(name, label, describe(keep, name), describe(absorb, name))
        for name, label, _ in FIELD_GROUPS
    ]


def fields_for_groups(groups: list[str]) -> list[str]:
    chosen = set(groups)
    return [field for name, _, fields in FIELD_GROUPS if name in chosen for field in fields]


def likely_duplicates(*, user, limit: int = 10) -> list[tuple[Person, Person]]:
    """Pairs of the user's people with the same name, email or phone; first found first."""
    people = Person.objects.for_user(user).active()
    same_names = (
        people.annotate(key=Lower("full_name"))
        .values("key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("key", flat=True)[:limit]
    )
    groups: dict[str, list[Person]] = {}
    for person in people.annotate(key=Lower("full_name")).filter(key__in=list(same_names)):
        groups.setdefault(f"name:{person.key}", []).append(person)
    shared_points = (
        ContactPoint.objects.filter(person__in=people)
        .exclude(kind=ContactPoint.Kind.ADDRESS)
        .exclude(normalized="")
        .values("kind", "normalized")
        .annotate(n=Count("person", distinct=True))
        .filter(n__gt=1)[:limit]
    )
    for point in shared_points:
        matching = people.filter(
            contact_points__kind=point["kind"], contact_points__normalized=point["normalized"]
        ).distinct()
        groups.setdefault(f"{point['kind']}:{point['normalized']}", []).extend(matching)
    pairs: list[tuple[Person, Person]] = []
    seen: set[tuple[int, int]] = set()
    for members in groups.values():
        members = sorted(set(members), key=lambda p: p.pk)
        for other in members[1:]:
            key = (members[0].pk, other.pk)
            if key not in seen:
                seen.add(key)
                pairs.append((members[0], other))
    return pairs[:limit]
