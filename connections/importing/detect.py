"""What kind of contact file is this, and its records, one at a time.

The format is decided from the content, never the file name: a vCard begins with
BEGIN:VCARD, a Tend export is a JSON object with "format_version", and a CSV is recognised
by its header row (Google, Outlook, LinkedIn, or any other CSV, which needs a column mapping).
Anything else is rejected whole with a reason a person can act on.
"""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from connections.importing import csv_formats
from connections.importing.csv_formats import MAPPABLE_FIELDS, CsvLayout, guess_mapping
from connections.importing.reading import LineReader, Sniffed, sniff
from connections.importing.records import ContactRecord, NotAContactFile, RowError
from connections.importing.vcard import parse_vcards

__all__ = [
    "FORMATS",
    "MAPPABLE_FIELDS",
    "csv_headers",
    "detect_format",
    "guess_mapping",
    "parse_contacts",
]

VCARD, TEND_JSON = "vcard", "tend_json"
FORMATS = {
    VCARD: "vCard",
    csv_formats.GOOGLE: "Google Contacts CSV",
    csv_formats.OUTLOOK: "Outlook CSV",
    csv_formats.LINKEDIN: "LinkedIn connections CSV",
    csv_formats.GENERIC: "CSV",
    TEND_JSON: "Tend export (JSON)",
}
PROGRESS_EVERY = 200  # records between progress calls

_FORMAT_VERSION = re.compile(r'"format_version"\s*:')
_OTHER_TEXT = (
    ("BEGIN:VCALENDAR", "This is a calendar file (.ics), not a contact file."),
    ("<?XML", "This is an XML file, not a vCard or CSV of contacts."),
    ("<!DOCTYPE HTML", "This is a web page, not a contact file."),
    ("<HTML", "This is a web page, not a contact file."),
    ("DN:", "This looks like an LDIF address book. Export your contacts as vCard or CSV."),
)


def detect_format(path: Path) -> str:
    """One of FORMATS' keys, decided from the file's content; NotAContactFile if none fits."""
    return _detect(path)[0]


def _detect(path: Path) -> tuple[str, Sniffed, CsvLayout | None]:
    sniffed = sniff(path)
    text = sniffed.text
    head = text.lstrip(" \t\r\n\ufeff")
    first_lines = [line.strip().upper() for line in head.splitlines()[:5] if line.strip()]
    if any(line.startswith("BEGIN:VCARD") for line in first_lines):
        return VCARD, sniffed, None
    if head.startswith(("{", "[")):
        if head.startswith("{") and _FORMAT_VERSION.search(text):
            return TEND_JSON, sniffed, None
        raise NotAContactFile(
            "This is a JSON file, but not a Tend export. Export your contacts as vCard or CSV."
        )
    upper = head[:200].upper()
    for start, reason in _OTHER_TEXT:
        if upper.startswith(start):
            raise NotAContactFile(reason)
    layout = csv_formats.find_layout(text, truncated=sniffed.truncated)
    if layout is None:
        raise NotAContactFile(
            "This text file is neither a vCard (.vcf) nor a CSV with a header row of column "
            "names, so Tend cannot read contacts from it."
        )
    return layout.kind, sniffed, layout


def csv_headers(path: Path) -> list[str]:
    """The column names of a CSV (after LinkedIn's preamble), for the column-mapping step."""
    _, _, layout = _detect(path)
    if layout is None:
        raise NotAContactFile("This is not a CSV file, so it has no columns to match.")
    return list(layout.headers)


def parse_contacts(
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[ContactRecord | RowError]:
    """Detect the format and stream the file's records (and RowErrors for bad cards or rows).

    Raises NotAContactFile at once — before anything is yielded — for a file that is not a
    contact file, for a Tend JSON export (imported by its own path), and for a CSV of unknown
    layout without a `mapping` ({column header: field key from MAPPABLE_FIELDS}). A mapping
    given for a known CSV layout is used instead of the built-in one.
    `progress(bytes_read_so_far)` is called every PROGRESS_EVERY records and at the end.
    """
    kind, sniffed, layout = _detect(path)
    if kind == TEND_JSON:
        raise NotAContactFile("This is a Tend export (JSON); it is imported as a whole account.")
    if kind == csv_formats.GENERIC and not mapping:
        raise NotAContactFile(
            "Tend does not know this CSV's columns yet: match them to fields first."
        )
    reader = LineReader(path, sniffed)
    if kind == VCARD:
        records = parse_vcards(reader)
    else:
        assert layout is not None
        records = csv_formats.parse_csv(reader, layout, mapping=mapping)
    return _with_progress(records, reader, progress)


def _with_progress(
    records: Iterator[ContactRecord | RowError],
    reader: LineReader,
    progress: Callable[[int], None] | None,
) -> Iterator[ContactRecord | RowError]:
    for count, record in enumerate(records, start=1):
        yield record
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(reader.bytes_read)
    if progress is not None:
        progress(reader.path.stat().st_size)
