"""Contacts from CSV: Google (current and older layout), Outlook, LinkedIn, and any other CSV
through a column mapping chosen in the browser.

Rows are read one at a time with the csv module; row numbers count data rows (1 = the first
row after the header), so the report points at the row a person sees in a spreadsheet.
"""

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from connections.importing.fields import (
    BadDate,
    add_point,
    add_tag,
    clean_label,
    finish,
    join_name,
    parse_date,
)
from connections.importing.records import ContactRecord, RowError

GOOGLE, OUTLOOK, LINKEDIN, GENERIC = "google_csv", "outlook_csv", "linkedin_csv", "generic_csv"

MAPPABLE_FIELDS: list[tuple[str, str]] = [
    ("full_name", "Full name"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("nickname", "Nickname"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("address", "Address"),
    ("website", "Website or profile"),
    ("organisation", "Organisation"),
    ("job_title", "Job title"),
    ("birthday", "Birthday"),
    ("notes", "Notes"),
    ("tags", "Tags"),
    ("ignore", "Ignore this column"),
]
FIELD_KEYS = {key for key, _ in MAPPABLE_FIELDS}

_DELIMITERS = (",", ";", "\t", "|")
_MULTI = " ::: "  # Google puts several values in one cell with this


# --- layout: where the header is and what it says ----------------------------------------------


@dataclass(frozen=True)
class CsvLayout:
    delimiter: str
    skip_rows: int  # csv rows before the header (LinkedIn's "Notes:" preamble, blank lines)
    headers: list[str]
    kind: str  # GOOGLE | OUTLOOK | LINKEDIN | GENERIC


def find_layout(sample: str, *, truncated: bool) -> CsvLayout | None:
    """The CSV layout of a text sample, or None if it is not a CSV with a header row."""
    lines = sample.splitlines(keepends=True)
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in half
    best: CsvLayout | None = None
    best_rows: list[list[str]] = []
    for delimiter in _DELIMITERS:
        try:
            rows = list(csv.reader(lines[:500], delimiter=delimiter))
        except csv.Error:
            continue
        skip = _preamble_rows(rows)
        if skip >= len(rows):
            continue
        headers = [_clean_header(cell) for cell in rows[skip]]
        while headers and not headers[-1]:
            headers.pop()
        if best is None or len(headers) > len(best.headers):
            best = CsvLayout(delimiter, skip, headers, classify(headers))
            best_rows = rows[skip + 1 :]
    if best is None or len(best.headers) < 2:
        return None
    if best.kind != GENERIC:
        return best
    headers = best.headers
    if sum(1 for h in headers if not h) > len(headers) // 5 or any(len(h) > 100 for h in headers):
        return None
    data = [row for row in best_rows if any(cell.strip() for cell in row)]
    fitting = [row for row in data if _fits(row, len(headers))]
    if not data or len(fitting) < 0.8 * len(data):
        return None
    return best


def _fits(row: list[str], width: int) -> bool:
    """A data row of a real CSV: about as wide as the header (trailing empty cells aside)."""
    while len(row) > width and not row[-1].strip():
        row = row[:-1]
    return (width + 1) // 2 <= len(row) <= width + 1


def _clean_header(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").split())


def _preamble_rows(rows: list[list[str]]) -> int:
    """Rows before the header: blank rows, and LinkedIn's `Notes:` paragraph."""
    skip = 0
    while skip < len(rows) and not any(cell.strip() for cell in rows[skip]):
        skip += 1
    if skip < len(rows) and rows[skip] and rows[skip][0].strip().lower().startswith("notes:"):
        for index in range(skip + 1, min(len(rows), skip + 50)):
            lowered = {_clean_header(cell).lower() for cell in rows[index]}
            if "first name" in lowered or "last name" in lowered:
                return index
        for index in range(skip + 1, len(rows)):
            if not any(cell.strip() for cell in rows[index]):
                skip = index
                break
        while skip < len(rows) and not any(cell.strip() for cell in rows[skip]):
            skip += 1
    return skip


_GOOGLE_ITEM = re.compile(
    r"^(e-mail|phone|address|website|event|relation|organization|im|custom field|"
    r"external id|location) (\d+) - (.+)$",
    re.IGNORECASE,
)


def classify(headers: list[str]) -> str:
    lowered = {header.lower() for header in headers}
    has_names = {"first name", "last name"} <= lowered
    if has_names and ("connected on" in lowered or {"url", "position"} <= lowered):
        return LINKEDIN
    if any(
        (match := _GOOGLE_ITEM.match(h)) and match[1].lower() in ("e-mail", "phone")
        for h in lowered
    ) and (has_names or {"given name", "family name"} <= lowered or "name" in lowered):
        return GOOGLE
    if has_names and lowered & {"e-mail address", "mobile phone", "business phone", "home phone"}:
        return OUTLOOK
    return GENERIC


# --- reading rows --------------------------------------------------------------------------


def parse_csv(
    lines: Iterable[str], layout: CsvLayout, *, mapping: dict[str, str] | None = None
) -> Iterator[ContactRecord | RowError]:
    """Records for the data rows of a CSV; with a mapping, columns go where the mapping says."""
    if mapping:
        build: Callable[[ContactRecord, list[tuple[str, str]]], None] = _mapped(layout, mapping)
    else:
        build = {GOOGLE: _google, OUTLOOK: _outlook, LINKEDIN: _linkedin}[layout.kind]
    reader = csv.reader(lines, delimiter=layout.delimiter)
    for _ in range(layout.skip_rows + 1):
        if next(reader, None) is None:
            return
    headers = layout.headers
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield RowError(number, f"Row {number} cannot be read as CSV: {error}.")
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(headers) and any(cell.strip() for cell in cells[len(headers) :]):
            yield RowError(
                number,
                f"Row {number} has {len(cells)} columns but the header has {len(headers)}.",
            )
            continue
        cells = [*cells, *[""] * (len(headers) - len(cells))]
        row = _Row((header, cell.strip()) for header, cell in zip(headers, cells, strict=False))
        record = ContactRecord(number=number, full_name="")
        try:
            build(record, row)
        except BadDate as error:
            yield RowError(number, f"Row {number}: the date {error}.")
            continue
        yield finish(record, "Row")


class _Row(list):
    """A CSV row as (header, value) pairs, with each header's first non-empty value indexed
    once by its lower-cased name: a Google row has ~90 columns and is asked ~45 times."""

    def __init__(self, pairs):
        super().__init__(pairs)
        self.first_filled: dict[str, tuple[int, str]] = {}
        for index, (header, value) in enumerate(self):
            if value:
                self.first_filled.setdefault(header.lower(), (index, value))


def _get(row: _Row, *names: str) -> str:
    """The value of the first column (in the file's order) named any of `names`, ignoring
    case, that is not empty."""
    found = [row.first_filled[key] for key in map(str.lower, names) if key in row.first_filled]
    return min(found)[1] if found else ""


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(_MULTI) if part.strip()]


def _set_birthday(record: ContactRecord, value: str) -> None:
    found = parse_date(value)
    if found:
        record.birthday_day, record.birthday_month = found.day, found.month
        record.birthday_year = found.year


def _anniversary(value: str) -> str:
    """An anniversary as ISO; one Tend cannot read is kept as written (it goes in the story)."""
    try:
        found = parse_date(value)
    except BadDate:
        return value
    return found.iso() if found else ""


_KNOWN_LABELS = {
    "mobile",
    "home",
    "work",
    "other",
    "main",
    "home fax",
    "work fax",
    "other fax",
    "pager",
    "homepage",
    "home page",
    "profile",
    "blog",
    "google voice",
    "school",
    "iphone",
}


def _csv_label(label: str) -> str:
    label = clean_label(label)
    return label.lower() if label.lower() in _KNOWN_LABELS else label


def _tags(record: ContactRecord, value: str, separators: str = r" ::: ") -> None:
    """Tags from a cell; Google's system labels lose their star, "* myContacts" is dropped."""
    for part in re.split(separators, value):
        tag = part.strip()
        if tag.lower().replace(" ", "").lstrip("*") == "mycontacts":
            continue
        if tag.startswith("* "):
            tag = tag[2:].strip().capitalize()  # "* starred" → Starred
        add_tag(record, tag)


# --- Google --------------------------------------------------------------------------------


def _google(record: ContactRecord, row: list[tuple[str, str]]) -> None:
    items: dict[tuple[str, str], dict[str, str]] = {}
    for header, value in row:
        if match := _GOOGLE_ITEM.match(header):
            items.setdefault((match[1].lower(), match[2]), {})[match[3].lower()] = value
    record.full_name = _get(row, "Name") or join_name(
        _get(row, "Name Prefix"),
        _get(row, "First Name", "Given Name"),
        _get(row, "Middle Name", "Additional Name"),
        _get(row, "Last Name", "Family Name"),
        _get(row, "Name Suffix"),
    )
    record.full_name = record.full_name or _get(row, "File As")
    record.nickname = _get(row, "Nickname")
    organisation = items.get(("organization", "1"), {})
    record.organisation = _get(row, "Organization Name") or organisation.get("name", "")
    record.job_title = _get(row, "Organization Title") or organisation.get("title", "")
    record.notes = _get(row, "Notes")
    _set_birthday(record, _get(row, "Birthday"))
    _tags(record, _get(row, "Labels", "Group Membership"))
    for (kind, _), item in items.items():
        label = _csv_label(item.get("label") or item.get("type") or "")
        if kind == "e-mail":
            for value in _split(item.get("value", "")):
                add_point(record, "email", value, label)
        elif kind == "phone":
            for value in _split(item.get("value", "")):
                add_point(record, "phone", value, label)
        elif kind == "website":
            for value in _split(item.get("value", "")):
                add_point(record, "website", value, label)
        elif kind == "address":
            formatted = _split(item.get("formatted", ""))
            if not formatted:
                parts = ("street", "extended address", "po box", "city", "region", "postal code")
                composed = "\n".join(item.get(p, "") for p in (*parts, "country"))
                formatted = [composed]
            for value in formatted:
                add_point(record, "address", value, label)
        elif kind == "event" and label.lower() == "anniversary" and not record.anniversary:
            record.anniversary = _anniversary(item.get("value", ""))


# --- Outlook -------------------------------------------------------------------------------

_OUTLOOK_PHONES = (
    ("Mobile Phone", "mobile"),
    ("Primary Phone", "main"),
    ("Home Phone", "home"),
    ("Home Phone 2", "home"),
    ("Business Phone", "work"),
    ("Business Phone 2", "work"),
    ("Company Main Phone", "company"),
    ("Other Phone", "other"),
    ("Assistant's Phone", "assistant"),
    ("Car Phone", "car"),
    ("Pager", "pager"),
    ("Home Fax", "home fax"),
    ("Business Fax", "work fax"),
    ("Other Fax", "other fax"),
    ("Callback", "callback"),
    ("Radio Phone", "radio"),
    ("ISDN", "ISDN"),
    ("TTY/TDD Phone", "TTY/TDD"),
    ("Telex", "telex"),
)
_OUTLOOK_ADDRESSES = (("Home", "home"), ("Business", "work"), ("Other", "other"))


def _outlook(record: ContactRecord, row: list[tuple[str, str]]) -> None:
    record.full_name = join_name(
        _get(row, "Title"),
        _get(row, "First Name"),
        _get(row, "Middle Name"),
        _get(row, "Last Name"),
        _get(row, "Suffix"),
    )
    record.nickname = _get(row, "Nickname")
    record.organisation = _get(row, "Company")
    record.job_title = _get(row, "Job Title")
    record.notes = _get(row, "Notes")
    _set_birthday(record, _get(row, "Birthday"))
    record.anniversary = _anniversary(_get(row, "Anniversary"))
    _tags(record, _get(row, "Categories"), r"[;,]")
    for prefix in ("E-mail", "E-mail 2", "E-mail 3"):
        value = _get(row, f"{prefix} Address")
        if "@" in value:  # not an Exchange "/o=…" address
            add_point(record, "email", value)
    for column, label in _OUTLOOK_PHONES:
        add_point(record, "phone", _get(row, column), label)
    for place, label in _OUTLOOK_ADDRESSES:
        parts = [
            _get(row, f"{place} Street"),
            _get(row, f"{place} Street 2"),
            _get(row, f"{place} Street 3"),
            _get(row, f"{place} Address PO Box"),
            _get(row, f"{place} City"),
            _get(row, f"{place} State"),
            _get(row, f"{place} Postal Code"),
            _get(row, f"{place} Country/Region", f"{place} Country"),
        ]
        add_point(record, "address", "\n".join(parts), label)
    add_point(record, "website", _get(row, "Web Page"))
    add_point(record, "website", _get(row, "Personal Web Page"), "home")
    add_point(record, "website", _get(row, "Business Web Page"), "work")


# --- LinkedIn ------------------------------------------------------------------------------


def _linkedin(record: ContactRecord, row: list[tuple[str, str]]) -> None:
    record.full_name = join_name(_get(row, "First Name"), _get(row, "Last Name"))
    record.organisation = _get(row, "Company")
    record.job_title = _get(row, "Position")
    add_point(record, "email", _get(row, "Email Address"))
    add_point(record, "website", _get(row, "URL"), "LinkedIn")
    connected = _get(row, "Connected On")
    if connected:
        try:
            found = parse_date(connected)
        except BadDate:
            found = None
        when = found.words() if found else connected
        record.how_we_met = f"Connected on LinkedIn on {when}"


# --- any other CSV, through a mapping -------------------------------------------------------

# A column called "Work phone" or "Mobile" says which kind of number it holds.
_HEADER_LABELS = {
    "home": "home",
    "private": "home",
    "personal": "home",
    "work": "work",
    "business": "work",
    "office": "work",
    "mobile": "mobile",
    "cell": "mobile",
    "fax": "fax",
    "other": "other",
}


def _header_label(header: str) -> str:
    words = re.findall(r"[a-z]+", header.lower())
    return " ".join(dict.fromkeys(_HEADER_LABELS[w] for w in words if w in _HEADER_LABELS))


def _mapped(
    layout: CsvLayout, mapping: dict[str, str]
) -> Callable[[ContactRecord, list[tuple[str, str]]], None]:
    fields = [mapping.get(header, "ignore") for header in layout.headers]
    fields = [field if field in FIELD_KEYS else "ignore" for field in fields]

    def build(record: ContactRecord, row: list[tuple[str, str]]) -> None:
        first, last, notes = [], [], []
        for (header, value), field in zip(row, fields, strict=True):
            if not value or field == "ignore":
                continue
            label = _header_label(header)
            if field == "full_name":
                record.full_name = record.full_name or value
            elif field == "first_name":
                first.append(value)
            elif field == "last_name":
                last.append(value)
            elif field == "nickname":
                record.nickname = record.nickname or value
            elif field == "organisation":
                record.organisation = record.organisation or value
            elif field == "job_title":
                record.job_title = record.job_title or value
            elif field == "birthday":
                if record.birthday_month is None:
                    _set_birthday(record, value)
            elif field == "notes":
                notes.append(value)
            elif field == "tags":
                _tags(record, value, r" ::: |[,;]")
            elif field == "email":
                for part in re.split(r"[,;]| ::: ", value):
                    add_point(record, "email", part, label)
            elif field in ("phone", "website", "address"):
                for part in _split(value):
                    add_point(record, field, part, label)
        record.full_name = record.full_name or join_name(*first, *last)
        record.notes = "\n\n".join(notes)

    return build


_GUESSES = (
    ("full_name", ("name", "full name", "display name", "contact name", "contact")),
    ("first_name", ("first name", "first", "given name", "forename", "firstname", "vorname")),
    ("last_name", ("last name", "last", "surname", "family name", "lastname", "nachname")),
    ("nickname", ("nickname", "nick", "known as")),
    ("email", ("email", "e-mail", "email address", "e-mail address", "mail", "work email")),
    ("phone", ("phone", "phone number", "telephone", "tel", "mobile", "cell", "work phone")),
    ("address", ("address", "postal address", "home address", "street address")),
    ("website", ("website", "web site", "url", "homepage", "web page", "linkedin")),
    ("organisation", ("organisation", "organization", "company", "employer", "org")),
    ("job_title", ("job title", "title", "position", "role", "job")),
    ("birthday", ("birthday", "date of birth", "dob", "birth date", "born")),
    ("notes", ("notes", "note", "comments", "comment", "description")),
    ("tags", ("tags", "labels", "groups", "categories", "group")),
)


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """A first guess at the mapping, for the browser to show before the person adjusts it."""
    guessed = {}
    for header in headers:
        lowered = " ".join(header.lower().replace("_", " ").split())
        guessed[header] = next((field for field, names in _GUESSES if lowered in names), "ignore")
    return guessed
