"""vCards as real address books write them: the shared fixtures (ez-vcard's samples, see
tests/fixtures/vcards/LICENSE.ez-vcard) and small hand-written cards for each family."""

import base64
import io
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image

from connections.importing.detect import parse_contacts
from connections.importing.fields import BadDate, parse_date
from connections.importing.records import ContactPointRecord, ContactRecord, RowError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "vcards"


def parse(path: Path) -> list[ContactRecord | RowError]:
    return list(parse_contacts(path))


def write(tmp_path: Path, content: str | bytes, name: str = "contacts.vcf") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(content)
    return path


def points(record: ContactRecord, kind: str) -> list[tuple[str, str]]:
    return [(p.value, p.label) for p in record.contact_points if p.kind == kind]


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (40, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def folded(data: str, width: int = 74) -> str:
    """Base64 folded the way exporters do: continuation lines start with a space."""
    return "\n ".join(data[i : i + width] for i in range(0, len(data), width))


# --- the shared real-world fixtures, field by field ------------------------------------------


def test_every_shared_fixture_is_copied_with_its_licence():
    shared = Path("/work/shared/fixtures/vcards")
    if shared.exists():
        assert {p.name for p in shared.iterdir()} <= {p.name for p in FIXTURES.iterdir()}
    assert (FIXTURES / "LICENSE.ez-vcard").exists()


def test_iphone_export_keeps_name_labels_addresses_and_photo():
    [john] = parse(FIXTURES / "John_Doe_IPHONE.vcf")

    assert john.number == 1
    assert john.full_name == "Mr. John Richter James Doe Sr."
    assert john.nickname == "Johny"
    assert john.organisation == "IBM"
    assert john.job_title == "Money Counter"
    assert (john.birthday_day, john.birthday_month, john.birthday_year) == (6, 6, 2012)
    assert points(john, "email") == [("john.doe@ibm.com", "")]
    assert points(john, "phone") == [
        ("905-555-1234", "mobile"),
        ("905-666-1234", "home"),
        ("905-777-1234", "work"),
        ("905-888-1234", "home fax"),
        ("905-999-1234", "work fax"),
        ("905-111-1234", "pager"),
        ("905-222-1234", "assistant"),  # item2.X-ABLabel:_$!<AssistantPhone>!$_
    ]
    assert points(john, "address") == [
        ("Silicon Alley 5, New York, New York, 12345, United States of America", "home"),
        ("Street4, Building 6, Floor 8, New York, 12345, USA", "work"),
    ]
    assert points(john, "website") == [("http://www.ibm.com", "homepage")]
    assert john.photo_type == "jpeg"
    assert john.photo.startswith(b"\xff\xd8\xff")
    assert Image.open(io.BytesIO(john.photo)).size == (320, 320)
    assert john.warnings == []


def test_outlook_vcard_21_keeps_everything_a_person_would_look_for():
    [john] = parse(FIXTURES / "John_Doe_MS_OUTLOOK.vcf")

    assert john.full_name == "Mr. John Richter James Doe Sr."
    assert john.nickname == "Johny"
    assert john.organisation == "IBM"
    assert john.job_title == "Money Counter"
    assert (john.birthday_day, john.birthday_month, john.birthday_year) == (22, 3, 1980)
    assert john.anniversary == "2011-01-13"
    assert points(john, "email") == [("john.doe@ibm.cm", "")]
    assert points(john, "phone") == [("(905) 555-1234", "work"), ("(905) 666-1234", "home")]
    assert points(john, "address") == [
        ("Cresent moon drive, Albaney, New York, 12345, United States of America", "work"),
        ("Silicon Alley 5, New York, New York, 12345, United States of America", "home"),
    ]
    assert points(john, "website") == [("http://www.ibm.com", "work")]
    assert john.notes.startswith("THIS SOFTWARE IS PROVIDED BY GEORGE EL-HADDAD")
    assert john.photo_type == "jpeg" and john.photo.startswith(b"\xff\xd8")


def test_outlook_2007_quoted_printable_note_and_department():
    [mike] = parse(FIXTURES / "outlook-2007.vcf")

    assert mike.full_name == "Mr. Michael Angstadt Jr."
    assert mike.nickname == "Mike"
    assert mike.organisation == "TheCompany"  # the department is not the organisation
    assert mike.job_title == "TheJobTitle"
    assert (mike.birthday_day, mike.birthday_month, mike.birthday_year) == (10, 3, 1922)
    assert mike.anniversary == "2012-08-01"
    assert points(mike, "email") == [("mike.angstadt@gmail.com", "")]
    assert points(mike, "phone") == [
        ("(111) 555-1111", "work"),
        ("(111) 555-2222", "home"),
        ("(111) 555-4444", "mobile"),
        ("(111) 555-3333", "work fax"),
    ]
    assert points(mike, "address") == [
        ("222 Broadway, TheOffice, New York, NY, 99999, USA", "work"),
    ]
    assert points(mike, "website") == [("http://mikeangstadt.name", "home")]
    assert mike.notes == (
        "This is the NOTE field\t\n"
        "I assume it encodes this text inside a NOTE vCard type.\n"
        "But I'm not sure because there's text formatting going on here.\n"
        "It does not preserve the formatting"
    )
    assert mike.photo.startswith(b"\xff\xd8")


def test_gmail_export_with_custom_labels_escapes_and_a_folded_note():
    [greg] = parse(FIXTURES / "gmail-single.vcf")

    assert greg.full_name == "Greg Dartmouth"
    assert greg.nickname == "Gman"
    assert greg.organisation == "TheCompany"
    assert greg.job_title == "TheJobTitle"
    assert (greg.birthday_day, greg.birthday_month, greg.birthday_year) == (10, 9, 1960)
    assert greg.anniversary == "1970-06-02"  # item4.X-ABDATE labelled _$!<Anniversary>!$_
    assert points(greg, "email") == [("gdartmouth@hotmail.com", "")]
    assert points(greg, "phone") == [("555 555 1111", "mobile"), ("555 555 2222", "GRAND_CENTRAL")]
    assert points(greg, "address") == [
        ("123 Home St, Home City, HM 12345", "home"),
        ("321 Custom St, Custom City, TX, 98765, USA", "CustomAdrType"),
    ]
    assert points(greg, "website") == [("http://TheProfile.com", "PROFILE")]
    assert greg.notes == (
        "This is GMail's note field.\nIt should be added as a NOTE type.\nACustomField: CustomField"
    )


def test_rfc6350_vcard_4_example():
    [simon] = parse(FIXTURES / "rfc6350-example.vcf")

    assert simon.full_name == "Simon Perreault"
    assert simon.organisation == "Viagenie"
    assert (simon.birthday_day, simon.birthday_month, simon.birthday_year) == (3, 2, None)
    assert simon.anniversary == "2009-08-08"
    assert points(simon, "email") == [("simon.perreault@viagenie.ca", "work")]
    assert points(simon, "phone") == [
        ("+1-418-656-9254 ext. 102", "work"),
        ("+1-418-262-6501", "work mobile"),
    ]
    assert points(simon, "address") == [
        ("2875 Laurier, Suite D2-630, Quebec, QC, G1V 2M2, Canada", "work")
    ]
    assert points(simon, "website") == [("http://nomis80.org", "home")]


def test_android_export_with_quoted_printable_names_and_a_broken_photo():
    records = parse(FIXTURES / "John_Doe_ANDROID.vcf")

    assert [r.number for r in records] == [1, 2, 3, 4, 5, 6]
    assert all(isinstance(r, ContactRecord) for r in records)
    first, second, third, fourth, fifth, sixth = records
    # Cards with only an email are kept, named after the email.
    assert first.full_name == "john.doe@company.com"
    assert points(first, "email") == [("john.doe@company.com", "")]
    assert second.full_name == "jane.doe@company.com"
    assert first.tags == []  # Android's "My Contacts" is every contact, not a tag
    assert third.full_name == "Ñ Ñ Ñ Ñ Ñ"
    assert points(third, "phone") == [("123456789", "mobile")]
    # A value split across lines by quoted-printable soft line breaks.
    assert fourth.full_name == "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ"
    assert points(fourth, "phone") == [
        ("123456", "mobile"),
        ("234567", "home"),
        ("3456789", "mobile"),
        ("45678901", "home"),
    ]
    note = "Ñ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ Ñ Ñ ÑÑ Ñ Ñ Ñ Ñ"
    assert fourth.notes == f"{note}\n\n{note}"  # two NOTE lines, both kept
    assert fifth.full_name == "Ñ Ñ Ñ Ñ"
    assert fifth.organisation == "Ñ" * 12
    assert points(fifth, "phone") == [("123456", "mobile")]  # the same number once
    assert points(fifth, "email")[0] == ("bob@company.com", "work")
    assert points(fifth, "website") == [("www.company.com", ""), ("http://www.company.com", "")]
    # Its base64 photo is cut short: the card stays, the photo goes, and the report says so.
    assert fifth.photo is None
    assert fifth.warnings == ["The photo could not be read and was left out."]
    assert sixth.full_name == "ÑÑÑÑ"
    assert sixth.organisation == "Ñ" * 44
    assert points(sixth, "email") == [("henry@company.com", "")]
    assert points(sixth, "phone") == [("55556666", "mobile")]
    assert all(r.birthday_month is None for r in records)


# --- hand-written cards, one per family --------------------------------------------------------


def test_iphone_card_with_item_labels_pref_types_and_inline_photo(tmp_path):
    photo = base64.b64encode(jpeg_bytes()).decode()
    path = write(
        tmp_path,
        f"""BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//iPhone OS 17.2//EN
N:Okafor;Ngozi;;Dr.;PhD
FN:Dr. Ngozi Okafor PhD
NICKNAME:Zizi
ORG:Lagos General\\, Ltd;Cardiology;
TITLE:Cardiologist
item1.EMAIL;type=INTERNET;type=pref:ngozi@example.org
item2.EMAIL;type=INTERNET:ngozi.home@example.org
item2.X-ABLabel:_$!<Other>!$_
item3.TEL;type=pref:+234 803 555 0101
item3.X-ABLabel:_$!<Mobile>!$_
TEL;type=IPHONE;type=CELL;type=VOICE:+234 803 555 0102
TEL;type=WORK,FAX:+234 1 555 0103
item4.URL:https\\://ngozi.example.org
item4.X-ABLabel:blog
item5.X-ABDATE;type=pref:2010-05-01
item5.X-ABLabel:_$!<Anniversary>!$_
BDAY;value=date:1604-04-12
NOTE:Met at the conference\\; loves jollof.\\nCall on Sundays.
CATEGORIES:Friends,Lagos
UID:6D5B2A2B-0D1F-4A43-9B1E-2A1F3C9A0001
PHOTO;ENCODING=b;TYPE=JPEG:{folded(photo)}
END:VCARD
""",
    )
    [ngozi] = parse(path)

    assert ngozi.full_name == "Dr. Ngozi Okafor PhD"
    assert ngozi.nickname == "Zizi"
    assert ngozi.organisation == "Lagos General, Ltd"
    assert ngozi.job_title == "Cardiologist"
    assert points(ngozi, "email") == [
        ("ngozi@example.org", ""),
        ("ngozi.home@example.org", "other"),
    ]
    assert points(ngozi, "phone") == [
        ("+234 803 555 0101", "mobile"),
        ("+234 803 555 0102", "iPhone"),
        ("+234 1 555 0103", "work fax"),
    ]
    assert points(ngozi, "website") == [("https://ngozi.example.org", "blog")]
    assert (ngozi.birthday_day, ngozi.birthday_month, ngozi.birthday_year) == (12, 4, None)
    assert ngozi.anniversary == "2010-05-01"
    assert ngozi.notes == "Met at the conference; loves jollof.\nCall on Sundays."
    assert ngozi.tags == ["Friends", "Lagos"]
    assert ngozi.uid == "6D5B2A2B-0D1F-4A43-9B1E-2A1F3C9A0001"
    assert ngozi.photo == jpeg_bytes()
    assert ngozi.photo_type == "jpeg"


def test_android_21_quoted_printable_latin1_with_soft_line_breaks(tmp_path):
    content = (
        b"BEGIN:VCARD\r\n"
        b"VERSION:2.1\r\n"
        b"N;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen;;;\r\n"
        b"FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=FCrgen M=FC=\r\n"
        b"ller\r\n"
        b"TEL;CELL;PREF:+49 151 5550 1234\r\n"
        b"TEL;HOME:+49 30 5550 1234\r\n"
        b"EMAIL;HOME:juergen@example.de\r\n"
        b"ADR;HOME;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:;;Stra=DFe 5;K=F6ln;;50667;=\r\n"
        b"Deutschland\r\n"
        b"NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=windows-1252:Caf=E9 =80 5=0D=0Azweite Zeile\r\n"
        b"BDAY:19800322\r\n"
        b"END:VCARD\r\n"
        b"BEGIN:VCARD\r\n"
        b"VERSION:2.1\r\n"
        # Raw Latin-1 bytes, no encoding declared: decoded as Windows-1252, not garbled.
        b"N:Lef\xe8vre;Ren\xe9e;;;\r\n"
        b"TEL;WORK;VOICE:+33 1 55 55 01 01\r\n"
        b"END:VCARD\r\n"
    )
    juergen, renee = parse(write(tmp_path, content))

    assert juergen.full_name == "Jürgen Müller"
    assert points(juergen, "phone") == [
        ("+49 151 5550 1234", "mobile"),
        ("+49 30 5550 1234", "home"),
    ]
    assert points(juergen, "email") == [("juergen@example.de", "home")]
    assert points(juergen, "address") == [("Straße 5, Köln, 50667, Deutschland", "home")]
    assert juergen.notes == "Café € 5\nzweite Zeile"
    assert (juergen.birthday_day, juergen.birthday_month, juergen.birthday_year) == (22, 3, 1980)
    assert renee.full_name == "Renée Lefèvre"  # built from N when FN is missing
    assert points(renee, "phone") == [("+33 1 55 55 01 01", "work")]


def test_thunderbird_and_evolution_cards(tmp_path):
    path = write(
        tmp_path,
        """BEGIN:VCARD
VERSION:4.0
EMAIL;PREF=1:anna.berg@example.se
EMAIL;TYPE=work:anna@firma.example.se
FN:Anna Berg
N:Berg;Anna;;;
TEL;TYPE=cell;VALUE=TEXT:070-555 01 01
NICKNAME:Annie
NOTE:From Thunderbird
UID:3f0d1c2e-1a2b-4c5d-8e9f-000000000001
BDAY;VALUE=DATE:19900102
END:VCARD
BEGIN:VCARD
VERSION:3.0
UID:pas-id-5F1A2B3C00000001
X-EVOLUTION-FILE-AS:Rossi\\, Marco
FN:Marco Rossi
N:Rossi;Marco;;;
EMAIL;TYPE=WORK;X-EVOLUTION-UI-SLOT=1:marco.rossi@example.it
TEL;TYPE=CELL;X-EVOLUTION-UI-SLOT=1:+39 333 555 0101
TEL;TYPE=HOME,VOICE;X-EVOLUTION-UI-SLOT=2:+39 06 555 0102
ADR;TYPE=HOME:;;Via Roma 1;Roma;RM;00100;Italia
ORG:Acme Italia;
TITLE:Ingegnere
BDAY:1975-11-30
X-EVOLUTION-ANNIVERSARY:2001-09-15
CATEGORIES:Lavoro,Amici
NOTE:Evolution folds long lines with a tab:\\nthis note continues\n\t on the next line.
END:VCARD
""",
    )
    anna, marco = parse(path)

    assert anna.full_name == "Anna Berg"
    assert anna.nickname == "Annie"
    assert points(anna, "email") == [
        ("anna.berg@example.se", ""),
        ("anna@firma.example.se", "work"),
    ]
    assert points(anna, "phone") == [("070-555 01 01", "mobile")]
    assert (anna.birthday_day, anna.birthday_month, anna.birthday_year) == (2, 1, 1990)
    assert anna.uid == "3f0d1c2e-1a2b-4c5d-8e9f-000000000001"
    assert anna.notes == "From Thunderbird"
    assert marco.full_name == "Marco Rossi"
    assert marco.organisation == "Acme Italia"
    assert marco.job_title == "Ingegnere"
    assert points(marco, "email") == [("marco.rossi@example.it", "work")]
    assert points(marco, "phone") == [("+39 333 555 0101", "mobile"), ("+39 06 555 0102", "home")]
    assert points(marco, "address") == [("Via Roma 1, Roma, RM, 00100, Italia", "home")]
    assert (marco.birthday_day, marco.birthday_month, marco.birthday_year) == (30, 11, 1975)
    assert marco.anniversary == "2001-09-15"
    assert marco.tags == ["Lavoro", "Amici"]
    assert marco.notes == (
        "Evolution folds long lines with a tab:\nthis note continues on the next line."
    )


def test_vcard_4_data_uri_photo_is_kept_and_a_photo_url_is_never_fetched(tmp_path):
    photo = base64.b64encode(png_bytes()).decode()
    path = write(
        tmp_path,
        f"""BEGIN:VCARD
VERSION:4.0
FN:Priya Natarajan
EMAIL;TYPE=home:priya@example.in
PHOTO:data:image/png;base64,{folded(photo)}
BDAY:--0412
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:Tom Web
TEL;VALUE=uri;TYPE=voice:tel:+44-20-7946-0000
PHOTO;MEDIATYPE=image/jpeg:https://example.com/never-fetch-me.jpg
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Old Url
EMAIL:url@example.com
PHOTO;VALUE=URI:http://example.com/photo.jpg
END:VCARD
""",
    )
    priya, tom, old = parse(path)

    assert priya.photo == png_bytes()
    assert priya.photo_type == "png"
    assert (priya.birthday_day, priya.birthday_month, priya.birthday_year) == (12, 4, None)
    assert tom.photo is None and tom.warnings == []
    assert points(tom, "phone") == [("+44-20-7946-0000", "")]
    assert old.photo is None and old.warnings == []


def test_utf16_files_with_a_byte_order_mark(tmp_path):
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Ωmega 李\r\nEMAIL:zoe@example.com\r\nEND:VCARD\r\n"
    for encoding, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        path = write(tmp_path, bom + card.encode(encoding), name=f"{encoding}.vcf")

        [zoe] = parse(path)

        assert zoe.full_name == "Zoë Ωmega 李"
        assert points(zoe, "email") == [("zoe@example.com", "")]


def test_utf8_bom_and_bare_newlines(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfBEGIN:VCARD\nVERSION:3.0\nFN:Ola Nordmann\nEND:VCARD\n")

    [ola] = parse(path)

    assert ola.full_name == "Ola Nordmann"


def test_type_params_in_every_spelling(tmp_path):
    path = write(
        tmp_path,
        """BEGIN:VCARD
VERSION:3.0
FN:Types
TEL;TYPE=HOME,WORK:1111
TEL;TYPE=home;TYPE=pref:2222
TEL;HOME;CELL:3333
TEL;type="work,cell":4444
TEL;TYPE=x-custom:5555
END:VCARD
""",
    )
    [card] = parse(path)

    assert points(card, "phone") == [
        ("1111", "home work"),
        ("2222", "home"),
        ("3333", "home mobile"),
        ("4444", "work mobile"),
        ("5555", ""),
    ]


def test_name_is_built_from_n_with_prefix_and_suffix_when_fn_is_missing(tmp_path):
    path = write(
        tmp_path,
        "BEGIN:VCARD\nVERSION:3.0\nN:van der Berg;Jan;Pieter,Klaas;Prof.;Jr.\nEND:VCARD\n",
    )
    [jan] = parse(path)

    assert jan.full_name == "Prof. Jan Pieter Klaas van der Berg Jr."


def test_company_card_without_a_person_name_is_named_after_its_organisation(tmp_path):
    path = write(
        tmp_path, "BEGIN:VCARD\nVERSION:3.0\nN:;;;;\nORG:Corner Bakery\nTEL:555 0100\nEND:VCARD\n"
    )
    [bakery] = parse(path)

    assert bakery.full_name == "Corner Bakery"


# --- malformed cards: reported by number, the others still parse ------------------------------


def test_malformed_cards_are_reported_by_number_while_the_rest_parse(tmp_path):
    path = write(
        tmp_path,
        """BEGIN:VCARD
VERSION:3.0
FN:Good One
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Never Ends
BEGIN:VCARD
VERSION:3.0
NOTE:A card with no name, email or phone
END:VCARD
VERSION:3.0
FN:No Begin
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Broken Photo
PHOTO;ENCODING=b;TYPE=JPEG:!!!not base64!!!
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Impossible Birthday
BDAY:1980-02-31
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Good Two
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Cut Off
""",
    )
    results = parse(path)

    assert [(type(r).__name__, r.number) for r in results] == [
        ("ContactRecord", 1),
        ("RowError", 2),
        ("RowError", 3),
        ("RowError", 4),
        ("ContactRecord", 5),
        ("ContactRecord", 6),
        ("ContactRecord", 7),
        ("RowError", 8),
    ]
    good, never_ends, nameless, no_begin, photo, birthday, good_two, cut_off = results
    assert good.full_name == "Good One"
    assert "no END:VCARD" in never_ends.reason
    assert nameless.reason == "Card 3 has no name, email or phone."
    assert no_begin.reason == "Card 4 has no BEGIN:VCARD line."
    assert photo.full_name == "Broken Photo" and photo.photo is None
    assert photo.warnings == ["The photo could not be read and was left out."]
    assert birthday.full_name == "Impossible Birthday"
    assert birthday.birthday_month is None
    assert birthday.warnings == ["The birthday was left out: “1980-02-31” is not a real date."]
    assert good_two.full_name == "Good Two"
    assert cut_off.reason == "The file ends before card 8's END:VCARD line."


def test_a_photo_that_is_not_an_image_is_left_out(tmp_path):
    junk = base64.b64encode(b"this is text, not a picture").decode()
    path = write(
        tmp_path, f"BEGIN:VCARD\nVERSION:3.0\nFN:Pic\nPHOTO;ENCODING=b:{junk}\nEND:VCARD\n"
    )
    [card] = parse(path)

    assert card.photo is None
    assert card.warnings == ["The photo is not an image Tend can read and was left out."]


def test_an_embedded_21_agent_card_is_not_a_contact_of_its_own(tmp_path):
    path = write(
        tmp_path,
        """BEGIN:VCARD
VERSION:2.1
FN:Boss Person
AGENT:
BEGIN:VCARD
VERSION:2.1
FN:Their Assistant
END:VCARD
TEL;WORK:555 0100
END:VCARD
""",
    )
    [boss] = parse(path)

    assert boss.full_name == "Boss Person"
    assert points(boss, "phone") == [("555 0100", "work")]


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1980-03-22", (22, 3, 1980)),
        ("19800322", (22, 3, 1980)),
        ("1980-03-22T00:00:00Z", (22, 3, 1980)),
        ("1980-03-22T10:00:00-0500", (22, 3, 1980)),
        ("--0412", (12, 4, None)),
        ("--04-12", (12, 4, None)),
        ("1604-04-12", (12, 4, None)),  # Apple: no year
        ("3/22/1980", (22, 3, 1980)),
        ("22/3/1980", (22, 3, 1980)),
        ("22.03.1980", (22, 3, 1980)),
        ("1980/03/22", (22, 3, 1980)),
        ("12 Mar 2024", (12, 3, 2024)),
        ("March 12, 1980", (12, 3, 1980)),
        ("29 Feb", (29, 2, None)),
        ("--02-29", (29, 2, None)),
    ],
)
def test_dates_as_address_books_write_them(text, expected):
    found = parse_date(text)
    assert (found.day, found.month, found.year) == expected


@pytest.mark.parametrize("text", ["", "0/0/00", "  "])
def test_empty_dates_are_no_date(text):
    assert parse_date(text) is None


@pytest.mark.parametrize("text", ["31/02/1980", "1980-02-31", "1981-02-29", "soon", "13/13/1980"])
def test_impossible_or_unreadable_dates_are_refused(text):
    with pytest.raises(BadDate):
        parse_date(text)


# --- streaming -----------------------------------------------------------------------------


def test_a_20000_card_file_streams_without_holding_the_file_in_memory(tmp_path):
    photo = folded(base64.b64encode(jpeg_bytes() + b"\x00" * 1200).decode())
    path = tmp_path / "big.vcf"
    with open(path, "w", encoding="utf-8", newline="\r\n") as f:
        for n in range(20_000):
            f.write(
                f"BEGIN:VCARD\nVERSION:3.0\nN:Person{n};Test;;;\nFN:Test Person{n}\n"
                f"EMAIL;TYPE=INTERNET:person{n}@example.com\nTEL;TYPE=CELL:+1 555 {n:07d}\n"
                f"NOTE:{'Some long note text. ' * 20}\n"
                f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}\nEND:VCARD\n"
            )
    size = path.stat().st_size
    assert size > 40 * 1024 * 1024
    progress: list[int] = []

    tracemalloc.start()
    try:
        count = 0
        last = None
        for record in parse_contacts(path, progress=progress.append):
            assert isinstance(record, ContactRecord)
            count += 1
            last = record
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 20_000
    assert last.full_name == "Test Person19999"
    assert last.contact_points[0] == ContactPointRecord("email", "person19999@example.com", "")
    assert last.photo.startswith(b"\xff\xd8")
    assert peak < 10 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte file"
    assert len(progress) == 101  # every 200 records, and once at the end
    assert progress == sorted(progress)
    assert 0 < progress[0] < progress[50] < size
    assert progress[-1] == size
