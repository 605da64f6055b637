"""What every contact parser yields: one `ContactRecord` per card or row, whatever the format.

Parsers stream: they yield records (or `RowError`s for a malformed card or row, with its
number and the reason) one at a time, so a 50 MB file never sits in memory as objects.
A file that is not a contact file at all raises `NotAContactFile` before yielding anything.
"""

from dataclasses import dataclass, field


class NotAContactFile(Exception):
    """The whole file is rejected, with a reason a person can act on."""


@dataclass
class ContactPointRecord:
    kind: str  # "email" | "phone" | "address" | "website" (ContactPoint.Kind values)
    value: str
    label: str = ""  # "home", "work", "mobile", an X-ABLabel…


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
