"""A deliberately small stand-in for connections.importing.detect, so the pipeline can be tested
while the real parsers are written elsewhere. Same interface; plain vCard 3.0 and CSV only.

Tests point settings.IMPORT_PARSER here only when the real module is missing (see
`tests.connections.import_helpers.parser_module`).
"""

import base64
import csv
from collections.abc import Iterator

from connections.importing.records import (
    ContactPointRecord,
    ContactRecord,
    NotAContactFile,
    RowError,
)

MAPPABLE_FIELDS = [
    ("full_name", "Full name"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("nickname", "Nickname"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("address", "Address"),
    ("website", "Website"),
    ("organisation", "Organisation"),
    ("job_title", "Job title"),
    ("birthday", "Birthday"),
    ("notes", "Notes"),
    ("tags", "Tags"),
    ("ignore", "Ignore this column"),
]


def _text(path) -> str:
    with open(path, "rb") as handle:
        data = handle.read()
    if not data.strip():
        raise NotAContactFile("This file is empty: there are no contacts in it.")
    if b"\0" in data[:4096]:
        raise NotAContactFile("This is not a contact file (it looks like an image or archive).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotAContactFile("This is not a contact file: it is not text.") from None


def detect_format(path) -> str:
    text = _text(path).lstrip()
    if text.upper().startswith("BEGIN:VCARD"):
        return "vcard"
    if text.startswith("{") and '"format_version"' in text[:2000]:
        return "tend_json"
    first = text.splitlines()[0] if text else ""
    if "," in first:
        return "generic_csv"
    raise NotAContactFile("This is not a contact file Tend can read.")


def csv_headers(path) -> list[str]:
    return next(csv.reader(_text(path).splitlines()))


def parse_contacts(path, *, mapping=None, progress=None) -> Iterator[ContactRecord | RowError]:
    kind = detect_format(path)
    text = _text(path)
    if kind == "vcard":
        yield from _vcards(text, progress)
    else:
        yield from _csv(text, mapping or {}, progress)


def _vcards(text: str, progress) -> Iterator[ContactRecord | RowError]:
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    number, card, done = 0, None, 0
    for line in lines:
        done += len(line.encode()) + 1
        upper = line.upper()
        if upper == "BEGIN:VCARD":
            number += 1
            card = {"fn": "", "points": [], "uid": "", "org": "", "bday": "", "photo": None}
        elif upper == "END:VCARD" and card is not None:
            yield _card(number, card)
            card = None
            if progress:
                progress(done)
        elif card is not None and ":" in line:
            name, value = line.split(":", 1)
            key = name.split(";")[0].upper()
            if key == "FN":
                card["fn"] = value.strip()
            elif key in ("EMAIL", "TEL"):
                kind = "email" if key == "EMAIL" else "phone"
                card["points"].append(ContactPointRecord(kind=kind, value=value.strip()))
            elif key == "UID":
                card["uid"] = value.strip()
            elif key == "ORG":
                card["org"] = value.split(";")[0].strip()
            elif key == "BDAY":
                card["bday"] = value.strip()
            elif key == "PHOTO":
                card["photo"] = value.strip()
    if progress:
        progress(done)


def _card(number: int, card: dict) -> ContactRecord | RowError:
    if not card["fn"]:
        return RowError(number=number, reason="This card has no name (no FN line).")
    record = ContactRecord(
        number=number,
        full_name=card["fn"],
        organisation=card["org"],
        uid=card["uid"],
        contact_points=card["points"],
    )
    bday = card["bday"].replace("-", "")
    if len(bday) == 8 and bday.isdigit():
        record.birthday_year, record.birthday_month, record.birthday_day = (
            int(bday[:4]),
            int(bday[4:6]),
            int(bday[6:]),
        )
    if card["photo"]:
        record.photo = base64.b64decode(card["photo"], validate=False)
    return record


def _csv(text: str, mapping: dict, progress) -> Iterator[ContactRecord | RowError]:
    rows = csv.reader(text.splitlines())
    header = next(rows)
    for number, row in enumerate(rows, start=1):
        values: dict[str, list[str]] = {}
        for column, cell in zip(header, row, strict=False):
            field = mapping.get(column, "ignore")
            if cell.strip() and field != "ignore":
                values.setdefault(field, []).append(cell.strip())
        name = " ".join(values.get("full_name", [])) or " ".join(
            values.get("first_name", []) + values.get("last_name", [])
        )
        if not name:
            yield RowError(number=number, reason="This row has no name.")
            continue
        points = [
            ContactPointRecord(kind=kind, value=value)
            for kind in ("email", "phone", "address", "website")
            for value in values.get(kind, [])
        ]
        yield ContactRecord(
            number=number,
            full_name=name,
            organisation=" ".join(values.get("organisation", [])),
            notes=" ".join(values.get("notes", [])),
            tags=[t for v in values.get("tags", []) for t in v.split(";")],
            contact_points=points,
        )
    if progress:
        progress(len(text.encode()))
