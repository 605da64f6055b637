"""Small helpers every parser shares: dates, labels, names and the final tidy-up of a record."""

import re
from dataclasses import dataclass
from datetime import date

from connections.importing.records import ContactPointRecord, ContactRecord, RowError

# Model limits (connections/models.py), so a record always fits.
NAME_MAX = 200
NICKNAME_MAX = 100
ORGANISATION_MAX = 200
JOB_TITLE_MAX = 200
LABEL_MAX = 60
VALUE_MAX = 500
TAG_MAX = 60
PHOTO_MAX_BYTES = 5 * 1024 * 1024  # connections.models.PHOTO_MAX_BYTES
YEAR_MIN, YEAR_MAX = 1900, 2100  # Person.birthday_year validators
NO_YEAR = 1604  # Apple writes a birthday without a year as 1604

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "janv", "januar", "enero"),
            ("feb", "february", "febr", "fev", "februar", "febrero"),
            ("mar", "march", "mars", "marz", "märz", "marzo"),
            ("apr", "april", "avr", "avril", "abr", "abril"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juin", "juni", "junio"),
            ("jul", "july", "juil", "juillet", "juli", "julio"),
            ("aug", "august", "aout", "août", "ago", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre"),
            ("oct", "october", "octobre", "okt", "oktober", "octubre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "décembre", "decembre", "dez", "dezember", "dic", "diciembre"),
        ),
        start=1,
    )
    for name in names
}
MONTH_NAMES = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]


class BadDate(ValueError):
    """A date that cannot be read or does not exist; the message says which."""


@dataclass(frozen=True)
class DayMonthYear:
    day: int
    month: int
    year: int | None

    def iso(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def words(self) -> str:
        text = f"{self.day} {MONTH_NAMES[self.month - 1]}"
        return f"{text} {self.year}" if self.year else text


_ISO = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?$")
_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})(?:\2(\d{2}|\d{4}))?$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})\.?\s*([^\W\d_]+)\.?,?\s*(\d{4})?$")
_MONTH_NAME_DAY = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})?$")


def parse_date(text: str, *, day_first: bool = False) -> DayMonthYear | None:
    """A birthday or anniversary as people's address books write it.

    Handles `1980-03-22`, `19800322`, `1980-03-22T00:00:00Z`, `--0322`, `--03-22`,
    `3/22/1980` (month first unless the first number cannot be a month, or `day_first`),
    `22.03.1980`, `1980/03/22`, `22 Mar 1980`, `March 22, 1980`, and Apple's year 1604.
    Returns None for an empty value or Outlook's `0/0/00`; raises BadDate otherwise.
    """
    text = text.strip()
    if not text:
        return None
    day = month = year = None
    if match := _NO_YEAR.match(text):
        month, day = int(match[1]), int(match[2])
    elif (match := _ISO.match(text)) or (match := _YEAR_FIRST.match(text)):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _NUMERIC.match(text):
        first, second = int(match[1]), int(match[3])
        year = _full_year(match[4]) if match[4] else None
        if first == 0 and second == 0:
            return None  # Outlook's "0/0/00": no date
        if day_first or match[2] == "." or (first > 12 and second <= 12):
            day, month = first, second
        else:
            month, day = first, second
    elif (match := _DAY_MONTH_NAME.match(text)) and match[2].lower() in MONTHS:
        day, month = int(match[1]), MONTHS[match[2].lower()]
        year = int(match[3]) if match[3] else None
    elif (match := _MONTH_NAME_DAY.match(text)) and match[1].lower() in MONTHS:
        month, day = MONTHS[match[1].lower()], int(match[2])
        year = int(match[3]) if match[3] else None
    else:
        raise BadDate(f"“{text}” is not a date Tend can read")
    if year is not None and not (YEAR_MIN <= year <= YEAR_MAX):
        year = None  # 1604 (Apple's "no year"), 0000, or a year no living person has
    try:
        date(year or 2000, month, day)  # 2000 is a leap year, so 29 February passes
    except ValueError:
        raise BadDate(f"“{text}” is not a real date") from None
    return DayMonthYear(day, month, year)


def _full_year(text: str) -> int:
    if len(text) == 4:
        return int(text)
    short = int(text)
    return 2000 + short if short < 30 else 1900 + short


# --- labels ---------------------------------------------------------------------------------

_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_APPLE_LABELS = {
    "mobile": "mobile",
    "iphone": "iPhone",
    "main": "main",
    "home": "home",
    "work": "work",
    "other": "other",
    "homefax": "home fax",
    "workfax": "work fax",
    "otherfax": "other fax",
    "pager": "pager",
    "homepage": "homepage",
    "assistantphone": "assistant",
    "assistant": "assistant",
    "school": "school",
    "anniversary": "anniversary",
}
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def clean_label(label: str) -> str:
    """`_$!<HomeFAX>!$_` → "home fax"; `* Home` (Google) → "home"; a custom label stays as typed."""
    label = " ".join(label.split())
    if match := _APPLE_LABEL.match(label):
        inner = match[1]
        label = _APPLE_LABELS.get(inner.lower(), _CAMEL.sub(" ", inner).lower())
    elif label.startswith("* "):
        label = label[2:].strip().lower()
    return label[:LABEL_MAX]


# --- tidy-up --------------------------------------------------------------------------------


def join_name(*parts: str) -> str:
    return " ".join(" ".join(part.split()) for part in parts if part and part.strip())


def add_point(record: ContactRecord, kind: str, value: str, label: str = "") -> None:
    """Add a contact point once (the same kind and value twice keeps the first, with its label)."""
    if kind == "address":
        lines = (line.strip(" ,") for line in value.splitlines())
        value = ", ".join(line for line in lines if line)
    else:
        value = " ".join(value.split())
    if kind == "phone" and value.lower().startswith("tel:"):
        value = value[4:].replace(";ext=", " ext. ")
    if kind == "email" and value.lower().startswith("mailto:"):
        value = value[7:]
    value = value[:VALUE_MAX]
    label = " ".join(label.split())[:LABEL_MAX]
    if not value:
        return
    key = _point_key(kind, value)
    for point in record.contact_points:
        if point.kind == kind and _point_key(kind, point.value) == key:
            point.label = point.label or label
            return
    record.contact_points.append(ContactPointRecord(kind, value, label))


def _point_key(kind: str, value: str) -> str:
    if kind == "phone" and any(ch.isdigit() for ch in value):
        return "".join(ch for ch in value if ch.isdigit() or ch == "+")
    return value.lower()


def add_tag(record: ContactRecord, tag: str) -> None:
    tag = " ".join(tag.split())[:TAG_MAX]
    if tag and tag.lower() not in (existing.lower() for existing in record.tags):
        record.tags.append(tag)


def finish(record: ContactRecord, what: str) -> ContactRecord | RowError:
    """Fit the record to the model; name it after its organisation, email or phone if nameless.

    A record with no name, no email and no phone is not a contact: a RowError.
    `what` is "Card" or "Row", for the reason.
    """
    record.full_name = " ".join(record.full_name.split())
    emails = [p.value for p in record.contact_points if p.kind == "email"]
    phones = [p.value for p in record.contact_points if p.kind == "phone"]
    if not record.full_name:
        if not emails and not phones:
            return RowError(record.number, f"{what} {record.number} has no name, email or phone.")
        record.full_name = record.organisation or (emails or phones)[0]
    record.full_name = record.full_name[:NAME_MAX]
    record.nickname = " ".join(record.nickname.split())[:NICKNAME_MAX]
    record.organisation = " ".join(record.organisation.split())[:ORGANISATION_MAX]
    record.job_title = " ".join(record.job_title.split())[:JOB_TITLE_MAX]
    record.notes = record.notes.replace("\r\n", "\n").replace("\r", "\n").strip()
    record.how_we_met = record.how_we_met.strip()
    return record
