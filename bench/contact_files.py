"""Contact files for the import benchmark, generated deterministically (the same seed gives the
same bytes): a vCard 3.0 address book as phones and Apple Contacts write it, and a Google
Contacts CSV in Google's current layout.

Cards and rows are varied the way real address books are: accented names, one to three
emails and phones with labels (some custom, as `item1.X-ABLabel`), birthdays with and without a
year (`--0322`, Apple's 1604), notes long enough to be folded, organisations, addresses,
categories, a UID on every card, and a few tiny inline photos. About one in a hundred repeats
an earlier contact's email, as an address book that was merged once does, so the import's
de-duplication within the file has work to do. Every other card is a different person.
"""

import base64
import csv
import random
import unicodedata
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",")]


FIRST_NAMES = _names(
    "Ana, José, Zoë, Åsa, Chloé, Łukasz, Søren, Renée, Miloš, François, Björn, Ngozi, Aoife, "
    "Siân, Jürgen, Inês, Amélie, Øystein, Nuño, Ayşe, Zoltán, Márta, Kasia, Dagný, Émile, "
    "Leilani, Tomás, Gráinne, Priya, Mei, Olumide, Yusuf, Sakura, Maëlle, Henrik, Ingrid, "
    "Camille, Matteo, Lucía, Niamh, Oskar, Raphaël"
)
LAST_NAMES = _names(
    "Müller, García, Nørgaard, O'Brien, Dvořák, López, Ødegaard, Żukowski, Fernández, Höglund, "
    "Nakamura, Okafor, Ní Bhriain, Çelik, Szabó, Kowalczyk, Björnsdóttir, Lefèvre, Moreau, "
    "Rossi, Šimková, Jansen, Papadopoulos, Nguyễn, Pereira, Lindqvist, Duarte, Mbeki, Haddad, "
    "Kovačević, Brennan, Sørensen, van der Berg"
)
ORGANISATIONS = (
    "Acme Ltd",
    "Café Lumière",
    "Nordisk Træ A/S",
    "Öko-Bäckerei Schmidt",
    "St Mary's Hospital",
    "Universidad de Sevilla",
    "Freelance",
    "Brightwater & Sons",
)
TITLES = ("Engineer", "Teacher", "Nurse", "Designer", "Chef", "Founder", "Librarian", "Doctor")
CITIES = (
    ("12 Rue de la Paix", "Paris", "", "75002", "France"),
    ("Calle Mayor 5", "Madrid", "", "28013", "Spain"),
    ("Østergade 3", "København", "", "1100", "Denmark"),
    ("221B Baker Street", "London", "", "NW1 6XE", "United Kingdom"),
    ("500 Market St", "San Francisco", "CA", "94105", "USA"),
)
TAGS = ("Friends", "Family", "Work", "Book club", "Climbing", "Neighbours", "Uni", "Choir")
EMAIL_LABELS = ("home", "work", "other")
PHONE_LABELS = ("cell", "home", "work", "main")
NOTE_SENTENCES = (
    "Met at Zoë's wedding in Lyon; loves café au lait and long walks.",
    "Allergic to peanuts, so no satay when they come over.",
    "Their daughter starts school in September, ask how it went.",
    "Plays the cello in the community orchestra; concerts in spring, autumn.",
    "Moved to Malmö for a new job at the hospital; misses the mountains.",
    "Recommended the book about the Øresund bridge, return it by June.",
)
CUSTOM_LABELS = ("Gym", "Holiday house", "Old number", "Partner's")
GOOGLE_HEADERS = [
    *("First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name"),
    *("Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As"),
    *("Organization Name", "Organization Title", "Organization Department", "Birthday"),
    *("Notes", "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label"),
    *("E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label"),
    *("Phone 2 - Value", "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street"),
    *("Address 1 - City", "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code"),
    *("Address 1 - Country", "Address 1 - Extended Address", "Website 1 - Label"),
    *("Website 1 - Value", "Event 1 - Label", "Event 1 - Value", "Relation 1 - Label"),
    *("Relation 1 - Value", "Custom Field 1 - Label", "Custom Field 1 - Value"),
]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _photo() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (16, 16), (200, 120, 80)).save(buffer, format="JPEG")
    return buffer.getvalue()


class _Person:
    """One generated contact; `n` makes its emails, phones and UID unique."""

    def __init__(self, rng: random.Random, n: int, earlier_email: str | None):
        self.first = rng.choice(FIRST_NAMES)
        self.last = rng.choice(LAST_NAMES)
        self.middle = rng.choice(FIRST_NAMES) if rng.random() < 0.1 else ""
        self.nickname = self.first[:3] if rng.random() < 0.1 else ""
        self.uid = f"{rng.getrandbits(64):016x}-{n:06d}"
        local = f"{_ascii(self.first)}.{_ascii(self.last)}{n}"
        domain = rng.choice(("example.com", "example.org", "mail.example.net"))
        self.emails = [(rng.choice(EMAIL_LABELS), f"{local}@{domain}")]
        if rng.random() < 0.3:
            self.emails.append(("work", f"{_ascii(self.first)}{n}@work.example"))
        if rng.random() < 0.05:
            self.emails.append((rng.choice(CUSTOM_LABELS), f"{local}@old.example"))
        if rng.random() < 0.1:
            self.emails = []  # phone only
        if earlier_email is not None:
            self.emails.append(("other", earlier_email))  # the same person, met twice
        # Unique numbers: n times a number prime to 10^k is a bijection modulo 10^k.
        mobile = f"{(n * 7919) % 10**9:09d}"
        self.phones = []
        if rng.random() < 0.85:
            if n % 2:
                self.phones.append(("cell", f"+44 7{mobile[:3]} {mobile[3:]}"))
            else:
                self.phones.append(("cell", f"+49 151 {mobile[:4]} {mobile[4:]}"))
        if rng.random() < 0.25:
            landline = f"{(n * 7877) % 10**8:08d}"
            self.phones.append(("work", f"+44 20 {landline[:4]} {landline[4:]}"))
        roll = rng.random()
        self.birthday = None
        if roll < 0.4:
            self.birthday = (rng.randint(1940, 2010), rng.randint(1, 12), rng.randint(1, 28))
        elif roll < 0.6:
            self.birthday = (None, rng.randint(1, 12), rng.randint(1, 28))
        elif roll < 0.65:
            self.birthday = (1604, rng.randint(1, 12), rng.randint(1, 28))  # Apple's "no year"
        self.note = ""
        if rng.random() < 0.3:
            self.note = " ".join(rng.sample(NOTE_SENTENCES, rng.randint(1, 3)))
            if rng.random() < 0.3:
                self.note += "\nSecond line, with a comma, and a semicolon; too."
        self.organisation = rng.choice(ORGANISATIONS) if rng.random() < 0.4 else ""
        self.title = rng.choice(TITLES) if self.organisation and rng.random() < 0.6 else ""
        self.address = rng.choice(CITIES) if rng.random() < 0.2 else None
        self.website = f"https://{_ascii(self.first)}{n}.example" if rng.random() < 0.1 else ""
        self.tags = rng.sample(TAGS, rng.randint(0, 2))
        self.photo = rng.random() < 0.005

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first, self.middle, self.last) if part)


def people(count: int, seed: int) -> Iterator[_Person]:
    rng = random.Random(seed)
    seen: list[str] = []
    for n in range(1, count + 1):
        repeat = seen[rng.randrange(len(seen))] if seen and rng.random() < 0.01 else None
        person = _Person(rng, n, repeat)
        if person.emails and repeat is None and len(seen) < 5000:
            seen.append(person.emails[0][1])
        yield person


# --- vCard ---------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 6350 folding at 75 characters (by character, so no UTF-8 sequence is split)."""
    if len(line) <= 75:
        return line + "\r\n"
    parts = [line[:75]] + [" " + line[i : i + 74] for i in range(75, len(line), 74)]
    return "\r\n".join(parts) + "\r\n"


def vcard(person: _Person, photo: bytes) -> str:
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{_escape(person.last)};{_escape(person.first)};{_escape(person.middle)};;",
        f"FN:{_escape(person.full_name)}",
        f"UID:{person.uid}",
    ]
    if person.nickname:
        lines.append(f"NICKNAME:{_escape(person.nickname)}")
    if person.organisation:
        lines.append(f"ORG:{_escape(person.organisation)};")
    if person.title:
        lines.append(f"TITLE:{_escape(person.title)}")
    item = 0
    for label, value in person.emails:
        if label in EMAIL_LABELS:
            lines.append(f"EMAIL;TYPE=INTERNET;TYPE={label.upper()}:{value}")
        else:
            item += 1
            lines += [f"item{item}.EMAIL;TYPE=INTERNET:{value}", f"item{item}.X-ABLabel:{label}"]
    for label, value in person.phones:
        lines.append(f"TEL;TYPE={label.upper()};TYPE=VOICE:{value}")
    if person.birthday:
        year, month, day = person.birthday
        if year is None:
            lines.append(f"BDAY:--{month:02d}{day:02d}")
        elif year == 1604:
            lines.append(f"BDAY;X-APPLE-OMIT-YEAR=1604:1604-{month:02d}-{day:02d}")
        else:
            lines.append(f"BDAY:{year}-{month:02d}-{day:02d}")
    if person.address:
        street, city, region, code, country = (_escape(part) for part in person.address)
        lines.append(f"ADR;TYPE=HOME:;;{street};{city};{region};{code};{country}")
    if person.website:
        lines.append(f"URL:{person.website}")
    if person.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(tag) for tag in person.tags))
    if person.note:
        lines.append(f"NOTE:{_escape(person.note)}")
    if person.photo:
        lines.append(f"PHOTO;ENCODING=b;TYPE=JPEG:{base64.b64encode(photo).decode()}")
    lines.append("END:VCARD")
    return "".join(_fold(line) for line in lines)


def write_vcards(path: Path, count: int, *, seed: int = 6) -> Path:
    photo = _photo()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        for person in people(count, seed):
            f.write(vcard(person, photo))
    return path


# --- Google CSV ----------------------------------------------------------------------------


def google_row(person: _Person) -> dict[str, str]:
    row = {
        "First Name": person.first,
        "Middle Name": person.middle,
        "Last Name": person.last,
        "Nickname": person.nickname,
        "File As": "",
        "Organization Name": person.organisation,
        "Organization Title": person.title,
        "Notes": person.note,
        "Labels": " ::: ".join(["* myContacts", *person.tags]),
    }
    if person.birthday:
        year, month, day = person.birthday
        row["Birthday"] = (
            f"--{month:02d}-{day:02d}" if year in (None, 1604) else f"{year}-{month:02d}-{day:02d}"
        )
    # Google groups several values with one label into one cell, joined by " ::: ".
    by_label: dict[str, list[str]] = {}
    for label, value in person.emails:
        by_label.setdefault(label.capitalize(), []).append(value)
    for index, (label, values) in enumerate(list(by_label.items())[:2], start=1):
        row[f"E-mail {index} - Label"] = f"* {label}" if index == 1 else label
        row[f"E-mail {index} - Value"] = " ::: ".join(values)
    labels = {"cell": "Mobile", "home": "Home", "work": "Work", "main": "Main"}
    for index, (label, value) in enumerate(person.phones[:2], start=1):
        row[f"Phone {index} - Label"] = labels[label]
        row[f"Phone {index} - Value"] = value
    if person.address:
        street, city, region, code, country = person.address
        row |= {
            "Address 1 - Label": "Home",
            "Address 1 - Formatted": "\n".join(p for p in (street, city, code, country) if p),
            "Address 1 - Street": street,
            "Address 1 - City": city,
            "Address 1 - Region": region,
            "Address 1 - Postal Code": code,
            "Address 1 - Country": country,
        }
    if person.website:
        row |= {"Website 1 - Label": "Profile", "Website 1 - Value": person.website}
    if person.birthday and person.birthday[0] and person.birthday[0] % 7 == 0:
        row |= {"Event 1 - Label": "Anniversary", "Event 1 - Value": "2012-06-09"}
    return row


def write_google_csv(path: Path, count: int, *, seed: int = 7) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, GOOGLE_HEADERS, lineterminator="\r\n")
        writer.writeheader()
        for person in people(count, seed):
            writer.writerow(google_row(person))
    return path
