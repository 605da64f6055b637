"""Exports: the user's data as Tend JSON (complete), vCard 3.0 (address books) or CSV
(spreadsheets).

Each format is a generator of text chunks, so a download streams and a command writes as it
goes; people are read in chunks with their related rows prefetched per chunk, so the number of
queries grows with the chunks, never with the people. The JSON format is documented in
docs/export-format.md.
"""

import base64
import csv
import io
import json
import mimetypes
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import TextIO
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils import timezone
from PIL import Image

from connections.models import (
    ContactPoint,
    Goal,
    Interaction,
    Nudge,
    Person,
    PersonValue,
    Reflection,
    Relationship,
    Tag,
    Value,
)
from connections.people import MERGEABLE_FIELDS

FORMAT_VERSION = 1
CHUNK_SIZE = 500
USER_FIELDS = [
    "display_name",
    "timezone",
    "nudge_hour",
    "quiet_weekdays",
    "daily_nudge_limit",
    "weekly_email_weekday",
    "email_nudges_enabled",
    "birthday_notice_days",
]
# The person's own fields (those a merge chooses between, the photo apart: it is exported on
# its own), then when they were archived, added and last in touch.
PERSON_FIELDS = [field for field in MERGEABLE_FIELDS if field != "photo"] + [
    "archived_at",
    "created_at",
    "last_interaction_at",
]
INTERACTION_FIELDS = [
    "occurred_at",
    "kind",
    "duration_minutes",
    "what_i_heard",
    "what_i_shared",
    "connection_rating",
    "created_at",
]
GOAL_FIELDS = ["title", "notes", "target_date", "status", "achieved_on", "created_at"]
MILESTONE_FIELDS = ["title", "due_on", "done_on"]
NUDGE_FIELDS = [
    "kind",
    "reason",
    "due_on",
    "status",
    "occasion_on",
    "snooze_count",
    "created_at",
    "resolved_at",
]
REFLECTION_FIELDS = ["written_on", "topic", "body", "created_at"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_json(user, out: TextIO) -> None:
    """Write everything the user has in Tend as one JSON document (format_version 1)."""
    _write(json_chunks(user), out)


def export_vcard(user, out: TextIO) -> None:
    """Write every person as a vCard 3.0 card that phones and Google Contacts import."""
    _write(vcard_chunks(user), out)


def export_csv(user, out: TextIO) -> None:
    """Write one spreadsheet row per person, every cell safe from formula injection."""
    _write(csv_chunks(user), out)


def _write(chunks: Iterable[str], out: TextIO) -> None:
    for chunk in chunks:
        out.write(chunk)


# --- shared reads ---------------------------------------------------------------------------


def _people_for_export(user, *related):
    return (
        Person.objects.for_user(user)
        .order_by("id")
        .prefetch_related(*related)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _tags_points_and_values() -> list:
    """What every person row of the JSON and CSV exports shows, in a stable order."""
    return [
        Prefetch("tags", queryset=Tag.objects.order_by(Lower("name"), "id")),
        _contact_points(),
        Prefetch(
            "person_values",
            queryset=PersonValue.objects.select_related("value").order_by(
                Lower("value__name"), "id"
            ),
        ),
    ]


def _contact_points():
    return Prefetch("contact_points", queryset=ContactPoint.objects.order_by("kind", "id"))


def _photo(person: Person) -> tuple[bytes, str] | None:
    """The photo's bytes and content type, or None when there is none or its file is gone."""
    if not person.photo:
        return None
    try:
        with person.photo.open("rb") as photo:
            data = photo.read()
    except OSError:
        return None
    content_type = mimetypes.guess_type(person.photo.name)[0] or "application/octet-stream"
    return data, content_type


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _fields(obj, names: list[str]) -> dict:
    row = {}
    for name in names:
        value = getattr(obj, name)
        row[name] = _iso(value) if isinstance(value, date | datetime) else value
    return row


# --- Tend JSON --------------------------------------------------------------------------------


def json_chunks(user) -> Iterator[str]:
    """The JSON export as text chunks: the small lists first, then one line per record."""

    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    # References are positions in id order: stable for one export, never database ids.
    person_refs = {
        pk: f"p{n}"
        for n, pk in enumerate(
            Person.objects.for_user(user).order_by("id").values_list("id", flat=True), 1
        )
    }
    goal_refs: dict[int, str] = {}
    milestone_refs: dict[int, str] = {}
    interaction_refs: dict[int, str] = {}

    head = {
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "user": {"email": user.email, **_fields(user, USER_FIELDS)},
        "values": [
            {"name": value.name, "is_mine": value.is_mine, "note": value.note}
            for value in Value.objects.filter(owner=user).order_by(Lower("name"), "id")
        ],
        "tags": list(
            Tag.objects.filter(owner=user)
            .order_by(Lower("name"), "id")
            .values_list("name", flat=True)
        ),
    }
    # One top-level key, and below one record, per line: readable, diffable, streamable.
    yield "{\n" + ",\n".join(f"{dumps(key)}: {dumps(value)}" for key, value in head.items())

    yield ',\n"people": ['
    people = _people_for_export(
        user,
        *_tags_points_and_values(),
        Prefetch("goals", queryset=Goal.objects.order_by("id")),
        "goals__milestones",
        Prefetch("relationships_from", queryset=Relationship.objects.order_by("to_person_id")),
    )
    for n, person in enumerate(people):
        record = _person_record(person, person_refs, goal_refs, milestone_refs)
        yield ("\n" if n == 0 else ",\n") + dumps(record)
    yield "\n],\n"

    yield '"interactions": ['
    interactions = (
        Interaction.objects.for_user(user)
        .order_by("occurred_at", "id")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.only("id").order_by("id")),
            Prefetch("topics", queryset=Tag.objects.order_by(Lower("name"), "id")),
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for n, interaction in enumerate(interactions, 1):
        ref = interaction_refs[interaction.pk] = f"i{n}"
        record = {
            "ref": ref,
            **_fields(interaction, INTERACTION_FIELDS),
            "people": [person_refs[person.pk] for person in interaction.people.all()],
            "topics": [tag.name for tag in interaction.topics.all()],
        }
        yield ("\n" if n == 1 else ",\n") + dumps(record)
    yield "\n],\n"

    yield '"nudges": ['
    nudges = Nudge.objects.filter(owner=user).order_by("id").iterator(chunk_size=CHUNK_SIZE)
    for n, nudge in enumerate(nudges):
        record = {
            "person": person_refs[nudge.person_id],
            **_fields(nudge, NUDGE_FIELDS),
            "interaction": interaction_refs.get(nudge.interaction_id),
            "goal": goal_refs.get(nudge.goal_id),
            "milestone": milestone_refs.get(nudge.milestone_id),
        }
        yield ("\n" if n == 0 else ",\n") + dumps(record)
    yield "\n],\n"

    yield '"reflections": ['
    reflections = (
        Reflection.objects.filter(owner=user)
        .order_by("written_on", "id")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for n, reflection in enumerate(reflections):
        yield ("\n" if n == 0 else ",\n") + dumps(_fields(reflection, REFLECTION_FIELDS))
    yield "\n]\n}\n"


def _person_record(
    person: Person,
    person_refs: dict[int, str],
    goal_refs: dict[int, str],
    milestone_refs: dict[int, str],
) -> dict:
    photo = _photo(person)
    goals = []
    for goal in person.goals.all():
        goal_ref = goal_refs[goal.pk] = f"g{len(goal_refs) + 1}"
        milestones = []
        for milestone in goal.milestones.all():
            milestone_ref = milestone_refs[milestone.pk] = f"m{len(milestone_refs) + 1}"
            milestones.append({"ref": milestone_ref, **_fields(milestone, MILESTONE_FIELDS)})
        goals.append({"ref": goal_ref, **_fields(goal, GOAL_FIELDS), "milestones": milestones})
    return {
        "ref": person_refs[person.pk],
        **_fields(person, PERSON_FIELDS),
        "photo": (
            {"content_type": photo[1], "data": base64.b64encode(photo[0]).decode("ascii")}
            if photo
            else None
        ),
        "tags": [tag.name for tag in person.tags.all()],
        "contact_points": [
            {"kind": point.kind, "label": point.label, "value": point.value}
            for point in person.contact_points.all()
        ],
        "values": [
            {"name": person_value.value.name, "note": person_value.note}
            for person_value in person.person_values.all()
        ],
        "goals": goals,
        "relationships": [
            {"kind": relationship.kind, "of": person_refs[relationship.to_person_id]}
            for relationship in person.relationships_from.all()
        ],
    }


# --- vCard 3.0 ------------------------------------------------------------------------------

NAME_PARTICLES = {"da", "de", "del", "della", "der", "di", "do", "dos", "das", "du", "la", "le"}
NAME_PARTICLES |= {"van", "von", "ten", "ter", "bin", "al", "el", "st", "st."}
VCARD_TYPES = {
    "email": {"home": "HOME", "work": "WORK", "other": "OTHER"},
    "phone": {
        "mobile": "CELL",
        "cell": "CELL",
        "home": "HOME",
        "work": "WORK",
        "main": "MAIN",
        "fax": "FAX",
        "pager": "PAGER",
        "iphone": "IPHONE",
        "other": "OTHER",
    },
    "address": {"home": "HOME", "work": "WORK", "other": "OTHER"},
    "website": {"home": "HOME", "work": "WORK", "other": "OTHER"},
}
VCARD_PROPERTIES = {"email": "EMAIL", "phone": "TEL", "address": "ADR", "website": "URL"}
# The type every property of a kind carries; phones and addresses need none.
VCARD_BASE_TYPES = {"email": ["INTERNET"], "phone": ["VOICE"], "address": [], "website": []}


def vcard_chunks(user) -> Iterator[str]:
    """One vCard 3.0 card per person: CRLF line ends, folded at 75 octets, escaped values."""
    host = urlsplit(settings.SITE_URL).hostname or "tend.local"
    people = _people_for_export(
        user,
        Prefetch("tags", queryset=Tag.objects.order_by(Lower("name"), "id")),
        _contact_points(),
    )
    for person in people:
        yield "".join(_fold(line) + "\r\n" for line in _vcard_lines(person, host))


def _vcard_lines(person: Person, host: str) -> Iterator[str]:
    yield "BEGIN:VCARD"
    yield "VERSION:3.0"
    yield f"UID:tend-person-{person.pk}@{host}"
    yield f"FN:{_escape(person.full_name)}"
    yield "N:" + ";".join(_escape(part) for part in split_name(person.full_name))
    if person.nickname:
        yield f"NICKNAME:{_escape(person.nickname)}"
    if person.organisation:
        yield f"ORG:{_escape(person.organisation)}"
    if person.job_title:
        yield f"TITLE:{_escape(person.job_title)}"
    if person.has_birthday:
        year = f"{person.birthday_year:04d}-" if person.birthday_year else "--"
        separator = "-" if person.birthday_year else ""
        yield f"BDAY:{year}{person.birthday_month:02d}{separator}{person.birthday_day:02d}"
    item = 0
    for point in person.contact_points.all():
        label = " ".join(point.label.split())
        known = VCARD_TYPES[point.kind].get(label.lower())
        types = VCARD_BASE_TYPES[point.kind] + ([known] if known else [])
        params = f";TYPE={','.join(types)}" if types else ""
        value = _escape(point.value)
        if point.kind == ContactPoint.Kind.ADDRESS:
            # Tend keeps an address as one text; it goes in the street part, lines kept.
            value = f";;{value};;;;"
        prefix = ""
        if label and not known:
            item += 1
            prefix = f"item{item}."
        yield f"{prefix}{VCARD_PROPERTIES[point.kind]}{params}:{value}"
        if prefix:
            yield f"{prefix}X-ABLabel:{_escape(label)}"
    tags = [tag.name for tag in person.tags.all()]
    if tags:
        yield "CATEGORIES:" + ",".join(_escape(tag) for tag in tags)
    if person.story:
        yield f"NOTE:{_escape(person.story)}"
    photo = _photo(person)
    if photo:
        jpeg = _as_jpeg(*photo)
        if jpeg:
            yield "PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(jpeg).decode("ascii")
    yield "END:VCARD"


def split_name(full_name: str) -> tuple[str, str, str, str, str]:
    """(family, given, additional, prefix, suffix) for vCard N, a best effort: the last word is
    the family name, with particles before it ("van der Berg", "da Silva")."""
    words = full_name.split()
    if len(words) < 2:
        return ("", full_name.strip(), "", "", "")
    family_start = len(words) - 1
    while family_start > 1 and words[family_start - 1].lower() in NAME_PARTICLES:
        family_start -= 1
    given, *middle = words[:family_start]
    return (" ".join(words[family_start:]), given, " ".join(middle), "", "")


def _escape(text: str) -> str:
    """vCard 3.0 TEXT escaping: backslash, comma, semicolon and line breaks."""
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold to lines of at most 75 octets, never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, size, limit = [], [], 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            # A continuation line starts with a space, which counts towards its 75 octets.
            current, size, limit = [], 0, 74
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _as_jpeg(data: bytes, content_type: str) -> bytes | None:
    """JPEG bytes for the card: address books expect JPEG, so other formats are converted."""
    if content_type == "image/jpeg":
        return data
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(image, mask=image.getchannel("A"))
            out = io.BytesIO()
            background.save(out, format="JPEG", quality=90)
            return out.getvalue()
    except (OSError, ValueError):
        return None


# --- CSV --------------------------------------------------------------------------------------


def escape_formula(cell: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _points(kind: str) -> Callable[[Person, ZoneInfo], str]:
    def cell(person: Person, zone: ZoneInfo) -> str:
        points = person.contact_points.all()
        return "; ".join(" ".join(point.value.split()) for point in points if point.kind == kind)

    return cell


def _birthday(person: Person, zone: ZoneInfo) -> str:
    if not person.has_birthday:
        return ""
    month_day = f"{person.birthday_month:02d}-{person.birthday_day:02d}"
    return f"{person.birthday_year:04d}-{month_day}" if person.birthday_year else month_day


def _local_date(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).date().isoformat() if value else ""


CSV_COLUMNS: list[tuple[str, Callable[[Person, ZoneInfo], str]]] = [
    ("Name", lambda p, z: p.full_name),
    ("Nickname", lambda p, z: p.nickname),
    ("Pronouns", lambda p, z: p.pronouns),
    ("Emails", _points(ContactPoint.Kind.EMAIL)),
    ("Phones", _points(ContactPoint.Kind.PHONE)),
    ("Addresses", _points(ContactPoint.Kind.ADDRESS)),
    ("Websites", _points(ContactPoint.Kind.WEBSITE)),
    ("Organisation", lambda p, z: p.organisation),
    ("Title", lambda p, z: p.job_title),
    ("Birthday", _birthday),
    ("Circle", lambda p, z: p.get_circle_display()),
    ("Reach out every (days)", lambda p, z: str(p.cadence_days or "")),
    ("Paused", lambda p, z: "yes" if p.paused else ""),
    ("Archived on", lambda p, z: _local_date(p.archived_at, z)),
    ("Tags", lambda p, z: "; ".join(tag.name for tag in p.tags.all())),
    ("Values", lambda p, z: "; ".join(pv.value.name for pv in p.person_values.all())),
    ("How we met", lambda p, z: p.how_we_met),
    ("Story", lambda p, z: p.story),
    ("Last interaction", lambda p, z: _local_date(p.last_interaction_at, z)),
    ("Added", lambda p, z: _local_date(p.created_at, z)),
]


def csv_chunks(user) -> Iterator[str]:
    """A header row, then one row per person; list cells are joined with "; "."""
    zone = user.zone
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def row(cells: list[str]) -> str:
        writer.writerow([escape_formula(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield row([header for header, _ in CSV_COLUMNS])
    people = _people_for_export(
        user,
        *_tags_points_and_values(),
    )
    for person in people:
        yield row([cell(person, zone) for _, cell in CSV_COLUMNS])
