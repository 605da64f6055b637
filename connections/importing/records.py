"""What every contact parser yields: one `ContactRecord` per card or row, whatever the format.

Parsers stream: they yield records (or `RowError`s for a malformed card or row, with its
number and the reason) one at a time, so a 50 MB file never sits in memory as objects.
A file that is not a contact file at all raises `NotAContactFile` before yielding anything.
"""

import base64
import json
from dataclasses import dataclass, field


class NotAContactFile(Exception):
    """The whole file is rejected, with a reason a person can act on."""


@dataclass
class ContactPointRecord:
    kind: str  # "email" | "phone" | "address" | "website" (ContactPoint.Kind values)
    value: str
    label: str = ""  # "home", "work", "mobile", an X-ABLabel…
    # A phone's match keys (phones.phone_keys), once the preview has worked them out, so
    # the import does not parse the number again.
    keys: list[str] | None = None


@dataclass
class ContactRecord:
    number: int  # 1-based card or row number in the file, for the per-row report
    full_name: str
    nickname: str = ""
    organisation: str = ""
    job_title: str = ""
    birthday_day: int | None = None
    birthday_month: int | None = None
    birthday_year: int | None = None
    notes: str = ""  # NOTE / Notes → the person's story
    how_we_met: str = ""  # e.g. LinkedIn "Connected On"
    tags: list[str] = field(default_factory=list)  # CATEGORIES, Google "Labels"/"Group Membership"
    contact_points: list[ContactPointRecord] = field(default_factory=list)
    uid: str = ""  # vCard UID, for de-duplication
    photo: bytes | None = None  # inline photo bytes only; URIs are never fetched
    photo_type: str = ""  # "jpeg", "png", "gif"…
    anniversary: str = ""  # ISO date or --MMDD as found; kept in the story when present
    # What was left out of an otherwise good card or row (a broken photo, an impossible date),
    # in words for the per-row report.
    warnings: list[str] = field(default_factory=list)


@dataclass
class RowError:
    number: int
    reason: str


_TEXT_FIELDS = (
    "full_name",
    "nickname",
    "organisation",
    "job_title",
    "notes",
    "how_we_met",
    "uid",
    "photo_type",
    "anniversary",
)


def record_to_json(record: ContactRecord) -> str:
    """The record as compact JSON, for the preview to keep it until the import writes it
    (only what is set; NUL characters stay escaped, so PostgreSQL stores them as text)."""
    data: dict = {"n": record.number}
    for name in _TEXT_FIELDS:
        value = getattr(record, name)
        if value:
            data[name] = value
    birthday = [record.birthday_day, record.birthday_month, record.birthday_year]
    if birthday != [None, None, None]:
        data["birthday"] = birthday
    if record.tags:
        data["tags"] = record.tags
    if record.contact_points:
        data["points"] = [
            [p.kind, p.value, p.label] if p.keys is None else [p.kind, p.value, p.label, p.keys]
            for p in record.contact_points
        ]
    if record.photo is not None:
        data["photo"] = base64.b64encode(record.photo).decode("ascii")
    if record.warnings:
        data["warnings"] = record.warnings
    return json.dumps(data, separators=(",", ":"))


def record_from_json(text: str) -> ContactRecord:
    data = json.loads(text)
    record = ContactRecord(number=data["n"], full_name=data.get("full_name", ""))
    for name in _TEXT_FIELDS[1:]:
        if name in data:
            setattr(record, name, data[name])
    if "birthday" in data:
        record.birthday_day, record.birthday_month, record.birthday_year = data["birthday"]
    record.tags = data.get("tags", [])
    record.contact_points = [ContactPointRecord(*point) for point in data.get("points", ())]
    if "photo" in data:
        record.photo = base64.b64decode(data["photo"])
    record.warnings = data.get("warnings", [])
    return record
