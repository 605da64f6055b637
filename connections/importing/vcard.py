"""A streaming vCard 2.1 / 3.0 / 4.0 reader, forgiving of what real address books write.

Lines are unfolded as they are read (a leading space or tab continues the previous line;
a quoted-printable value ending in `=` continues on the next line), cards are assembled one
at a time, and each card becomes a `ContactRecord` — or a `RowError` with the card's number
and the reason — before the next is read. Nothing but the current card is held in memory.
"""

import base64
import binascii
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from connections.importing.fields import (
    PHOTO_MAX_BYTES,
    BadDate,
    add_point,
    add_tag,
    clean_label,
    finish,
    join_name,
    parse_date,
)
from connections.importing.reading import decode_line
from connections.importing.records import ContactRecord, RowError

MAX_LINE_CHARS = 12 * 1024 * 1024  # a 5 MB photo is about 7 MB of base64
MAX_CARD_LINES = 5000

# 2.1 writes parameters without names: `TEL;HOME;CELL:` or `PHOTO;ENCODING=BASE64;JPEG:`.
_BARE_ENCODINGS = {"quoted-printable", "base64", "b", "8bit", "7bit"}
_IGNORED_TYPES = {
    "pref",
    "voice",
    "internet",
    "x400",
    "msg",
    "bbs",
    "modem",
    "text",
    "dom",
    "intl",
    "postal",
    "parcel",
    "uri",
    "video",
    "jpeg",
    "jpg",
    "png",
    "gif",
}
_PLACES = {"home": "home", "work": "work", "other": "other", "school": "school", "car": "car"}
_DEVICES = {
    "cell": "mobile",
    "mobile": "mobile",
    "iphone": "iPhone",
    "main": "main",
    "fax": "fax",
    "pager": "pager",
    "textphone": "textphone",
    "isdn": "ISDN",
    "callback": "callback",
}
_ANNIVERSARY_PROPERTIES = {
    "ANNIVERSARY",
    "X-ANNIVERSARY",
    "X-MS-ANNIVERSARY",
    "X-EVOLUTION-ANNIVERSARY",
    "X-KADDRESSBOOK-X-ANNIVERSARY",
}
_PHOTO_MAGIC = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF8", "gif"),
    (b"BM", "bmp"),
)


@dataclass
class Property:
    group: str  # "item1" in `item1.TEL`, lowercased
    name: str  # uppercased
    params: dict[str, list[str]] = field(default_factory=dict)  # uppercased keys
    raw: str = ""  # the value as written, still escaped / encoded

    def param(self, key: str) -> str:
        values = self.params.get(key)
        return values[0] if values else ""

    @property
    def types(self) -> list[str]:
        return [value.lower() for value in self.params.get("TYPE", [])]

    @property
    def text(self) -> str:
        """The value decoded (quoted-printable, charset) but still vCard-escaped."""
        if self.param("ENCODING").lower() == "quoted-printable":
            data = quopri.decodestring(self.raw.encode("utf-8"))
            return decode_line(data, self.param("CHARSET"))
        return self.raw


def parse_vcards(lines: Iterable[str]) -> Iterator[ContactRecord | RowError]:
    """Cards one at a time: a record for each good card, a RowError for each malformed one."""
    number = 0
    card: list[Property] | None = None
    card_chars = 0
    stray: int | None = None  # number given to text found outside any card
    agent_depth = 0  # inside a 2.1 AGENT's embedded card, skipped
    skipping = False  # an oversized card, skipped to the next BEGIN
    last_was_empty_agent = False

    for line in unfold(lines):
        upper = line[:20].strip().upper()  # never copy a whole photo line just to look
        if not upper:
            continue
        if upper.startswith("BEGIN:VCARD"):
            if card is not None and last_was_empty_agent:
                agent_depth += 1
                continue
            if card is not None:
                yield RowError(
                    number, f"Card {number} has no END:VCARD before the next card begins."
                )
            elif stray is not None:
                yield _stray_error(stray)
            number += 1
            card, card_chars, stray, skipping = [], 0, None, False
            last_was_empty_agent = False
            continue
        if upper.startswith("END:VCARD"):
            if agent_depth:
                agent_depth -= 1
            elif skipping:
                skipping = False
            elif card is not None:
                yield _card_to_record(number, card)
                card = None
            else:
                if stray is None:
                    number += 1
                    stray = number
                yield RowError(stray, f"Card {stray} has no BEGIN:VCARD line.")
                stray = None
            continue
        if agent_depth or skipping:
            continue
        if card is None:
            if stray is None:
                number += 1
                stray = number
            continue
        prop = parse_property(line)
        if prop is None:
            continue
        last_was_empty_agent = prop.name == "AGENT" and not prop.raw.strip()
        card.append(prop)
        card_chars += len(prop.raw)
        if len(card) > MAX_CARD_LINES or card_chars > MAX_LINE_CHARS * 2:
            yield RowError(number, f"Card {number} is too large to be a contact.")
            card, skipping = None, True

    if card is not None:
        yield RowError(number, f"The file ends before card {number}'s END:VCARD line.")
    elif stray is not None:
        yield _stray_error(stray)


def _stray_error(number: int) -> RowError:
    return RowError(number, f"Card {number}: text outside BEGIN:VCARD and END:VCARD.")


def unfold(lines: Iterable[str]) -> Iterator[str]:
    """Physical lines → logical lines (folding and quoted-printable soft line breaks undone)."""
    parts: list[str] = []
    size = 0
    qp = False  # the current line's value is quoted-printable
    for physical in lines:
        physical = physical.rstrip("\r\n")
        if parts and qp and parts[-1].endswith("="):
            # A soft line break: the next physical line continues the value, whatever it is.
            parts[-1] = parts[-1][:-1]
            if size < MAX_LINE_CHARS:
                parts.append(physical)
                size += len(physical)
            continue
        if parts and physical[:1] in (" ", "\t"):
            if size < MAX_LINE_CHARS:
                parts.append(physical[1:])
                size += len(physical)
            continue
        if not physical.strip():
            continue  # blank lines (2.1 ends base64 with one) are not content
        if parts:
            yield "".join(parts)
        parts, size = [physical], len(physical)
        colon = physical.find(":")
        qp = colon > 0 and "QUOTED-PRINTABLE" in physical[:colon].upper()
    if parts:
        line = "".join(parts)
        yield line[:-1] if qp and line.endswith("=") else line


def parse_property(line: str) -> Property | None:
    """`item1.TEL;TYPE="work,voice";PREF=1:+1 555` → Property; None if there is no `:`."""
    in_quotes = False
    separators: list[int] = []
    colon = -1
    for index, char in enumerate(line):
        if char == '"':
            in_quotes = not in_quotes
        elif in_quotes:
            continue
        elif char == ";":
            separators.append(index)
        elif char == ":":
            colon = index
            break
    if colon <= 0:
        return None
    bounds = [-1, *separators, colon]
    pieces = [line[bounds[i] + 1 : bounds[i + 1]] for i in range(len(bounds) - 1)]
    group, _, name = pieces[0].strip().rpartition(".")
    prop = Property(group=group.lower(), name=name.upper(), raw=line[colon + 1 :])
    for piece in pieces[1:]:
        key, has_value, value = piece.partition("=")
        if not has_value:
            value = key.strip()
            key = "ENCODING" if value.lower() in _BARE_ENCODINGS else "TYPE"
        key = key.strip().upper()
        if key in ("TYPE", "PREF"):
            values = [v.strip().strip('"') for v in value.strip().strip('"').split(",")]
            if key == "PREF":
                key, values = "TYPE", ["pref"]
        else:
            values = [value.strip().strip('"')]
        prop.params.setdefault(key, []).extend(v for v in values if v)
    return prop


# --- escaping -------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", ":": ":", "\\": "\\"}


def unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append(_ESCAPES.get(following, "\\" + following))
        else:
            out.append(char)
    return "".join(out)


def split_unescaped(text: str, separator: str) -> list[str]:
    """Split on a separator not preceded by a backslash, then unescape each part."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            current.append(char + next(chars, ""))
        elif char == separator:
            parts.append(unescape("".join(current)))
            current = []
        else:
            current.append(char)
    parts.append(unescape("".join(current)))
    return parts


# --- one card -------------------------------------------------------------------------------


def _card_to_record(number: int, props: list[Property]) -> ContactRecord | RowError:
    record = ContactRecord(number=number, full_name="")
    labels = {
        prop.group: clean_label(unescape(prop.text))
        for prop in props
        if prop.group and prop.name == "X-ABLABEL"
    }
    formatted_name = ""
    structured_name = ""
    role = ""
    notes: list[str] = []

    for prop in props:
        name = prop.name
        if name == "FN" and not formatted_name:
            formatted_name = unescape(prop.text).strip()
        elif name == "N" and not structured_name:
            structured_name = _structured_name(prop.text)
        elif name == "NICKNAME" and not record.nickname:
            record.nickname = ", ".join(n for n in split_unescaped(prop.text, ",") if n.strip())
        elif name == "ORG" and not record.organisation:
            components = [c.strip() for c in split_unescaped(prop.text, ";")]
            record.organisation = next((c for c in components if c), "")
        elif name == "TITLE" and not record.job_title:
            record.job_title = unescape(prop.text).strip()
        elif name == "ROLE" and not role:
            role = unescape(prop.text).strip()
        elif name == "NOTE":
            note = unescape(prop.text).strip()
            if note:
                notes.append(note)
        elif name == "BDAY" and record.birthday_month is None:
            _set_birthday(record, prop)
        elif name in _ANNIVERSARY_PROPERTIES or (
            name == "X-ABDATE" and labels.get(prop.group) == "anniversary"
        ):
            if not record.anniversary:
                record.anniversary = _anniversary(prop.text)
        elif name == "EMAIL":
            add_point(record, "email", unescape(prop.text), _label(prop, labels))
        elif name == "TEL":
            add_point(record, "phone", unescape(prop.text), _label(prop, labels))
        elif name == "ADR":
            add_point(record, "address", _address(prop.text), _label(prop, labels))
        elif name == "URL":
            add_point(record, "website", unescape(prop.text), _label(prop, labels))
        elif name == "X-SOCIALPROFILE":
            label = _label(prop, labels) or "profile"
            add_point(record, "website", unescape(prop.text), label)
        elif name == "CATEGORIES":
            for tag in split_unescaped(prop.text, ","):
                if tag.strip().lower() not in ("my contacts", "* mycontacts", "starred in android"):
                    add_tag(record, tag)
        elif name == "UID" and not record.uid:
            record.uid = unescape(prop.text).strip()
        elif name == "PHOTO" and record.photo is None:
            _set_photo(record, prop)

    record.full_name = formatted_name or structured_name
    record.job_title = record.job_title or role
    record.notes = "\n\n".join(notes)
    return finish(record, "Card")


def _structured_name(text: str) -> str:
    """N: family; given; additional; prefixes; suffixes → "Mr. John Richter James Doe Sr."."""
    parts = [*split_unescaped(text, ";"), "", "", "", "", ""][:5]
    family, given, additional, prefix, suffix = (p.replace(",", " ") for p in parts)
    return join_name(prefix, given, additional, family, suffix)


def _label(prop: Property, labels: dict[str, str]) -> str:
    if prop.group and labels.get(prop.group):
        return labels[prop.group]
    types = [t for t in prop.types if t not in _IGNORED_TYPES and not t.startswith("x-")]
    places = [_PLACES[t] for t in types if t in _PLACES]
    devices = [_DEVICES[t] for t in types if t in _DEVICES]
    if "iPhone" in devices:  # Apple writes TYPE=IPHONE,CELL for what it shows as "iPhone"
        devices = [d for d in devices if d != "mobile"]
    label = " ".join(dict.fromkeys([*places, *devices]))
    if not label and types:
        label = types[0]  # an unusual but explicit type ("assistant", "profile"…)
    if prop.name == "X-SOCIALPROFILE" and prop.types:
        label = prop.types[0]
    return clean_label(label)


def _address(text: str) -> str:
    """ADR: PO box; extended; street; locality; region; postal code; country → one address."""
    parts = [*split_unescaped(text, ";"), "", "", "", "", "", "", ""][:7]
    po_box, extended, street, locality, region, code, country = (p.strip() for p in parts)
    lines = [street, extended, po_box, locality, region, code, country]
    return "\n".join(
        segment.strip(" ,")
        for line in lines
        for segment in line.replace(",\n", "\n").splitlines()
        if segment.strip(" ,")
    )


def _set_birthday(record: ContactRecord, prop: Property) -> None:
    raw = unescape(prop.text).strip()
    try:
        found = parse_date(raw)
    except BadDate as error:
        record.warnings.append(f"The birthday was left out: {error}.")
        return
    if found:
        record.birthday_day, record.birthday_month = found.day, found.month
        record.birthday_year = found.year


def _anniversary(text: str) -> str:
    raw = unescape(text).strip()
    try:
        found = parse_date(raw)
    except BadDate:
        return raw
    return found.iso() if found else ""


_DATA_URI = re.compile(r"^data:([\w/+.-]*)((?:;[^,;]*)*),", re.IGNORECASE)


def _set_photo(record: ContactRecord, prop: Property) -> None:
    """Inline photos only; a URI is never fetched. A broken one is left out, with a warning."""
    raw = "".join(prop.raw.split())
    encoding = prop.param("ENCODING").lower()
    declared = ""
    if match := _DATA_URI.match(raw):
        if ";base64" not in match[2].lower():
            return
        declared = match[1].lower().removeprefix("image/")
        data = raw[match.end() :]
    elif encoding in ("b", "base64"):
        data = raw
        declared = next((t for t in prop.types if t in ("jpeg", "jpg", "png", "gif")), "")
    else:
        return  # a URL (`VALUE=uri`, http:, cid:…) or nothing
    if not data:
        return
    try:
        photo = base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        record.warnings.append("The photo could not be read and was left out.")
        return
    kind = next((name for magic, name in _PHOTO_MAGIC if photo.startswith(magic)), "")
    if not kind and photo[:4] == b"RIFF" and photo[8:12] == b"WEBP":
        kind = "webp"
    if not kind:
        record.warnings.append("The photo is not an image Tend can read and was left out.")
        return
    if len(photo) > PHOTO_MAX_BYTES:
        record.warnings.append("The photo is larger than 5 MB and was left out.")
        return
    record.photo = photo
    record.photo_type = kind or declared
