"""Contacts from the CSVs people actually export: Google (both layouts), Outlook, LinkedIn,
and any other CSV through a column mapping."""

import csv
import io
from pathlib import Path

import pytest

from connections.importing.detect import (
    MAPPABLE_FIELDS,
    csv_headers,
    detect_format,
    guess_mapping,
    parse_contacts,
)
from connections.importing.records import ContactRecord, NotAContactFile, RowError

GOOGLE_HEADERS = [
    *("First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name"),
    *("Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As"),
    *("Organization Name", "Organization Title", "Organization Department", "Birthday"),
    *("Notes", "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label"),
    *("E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label"),
    *("Phone 2 - Value", "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street"),
    *("Address 1 - City", "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code"),
    *("Address 1 - Country", "Address 1 - Extended Address", "Website 1 - Label"),
    *("Website 1 - Value", "Event 1 - Label", "Event 1 - Value"),
]
OLD_GOOGLE_HEADERS = [
    *("Name", "Given Name", "Additional Name", "Family Name", "Yomi Name", "Given Name Yomi"),
    *("Additional Name Yomi", "Family Name Yomi", "Name Prefix", "Name Suffix", "Initials"),
    *("Nickname", "Short Name", "Maiden Name", "Birthday", "Gender", "Location"),
    *("Billing Information", "Directory Server", "Mileage", "Occupation", "Hobby"),
    *("Sensitivity", "Priority", "Subject", "Notes", "Language", "Photo", "Group Membership"),
    *("E-mail 1 - Type", "E-mail 1 - Value", "E-mail 2 - Type", "E-mail 2 - Value"),
    *("Phone 1 - Type", "Phone 1 - Value", "Phone 2 - Type", "Phone 2 - Value"),
    *("Address 1 - Type", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City"),
    *("Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code"),
    *("Address 1 - Country", "Address 1 - Extended Address", "Organization 1 - Type"),
    *("Organization 1 - Name", "Organization 1 - Yomi Name", "Organization 1 - Title"),
    *("Organization 1 - Department", "Website 1 - Type", "Website 1 - Value"),
]
OUTLOOK_HEADERS = [
    *("Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department"),
    *("Job Title", "Business Street", "Business Street 2", "Business Street 3", "Business City"),
    *("Business State", "Business Postal Code", "Business Country/Region", "Home Street"),
    *("Home Street 2", "Home Street 3", "Home City", "Home State", "Home Postal Code"),
    *("Home Country/Region", "Other Street", "Other City", "Assistant's Phone", "Business Fax"),
    *("Business Phone", "Business Phone 2", "Callback", "Car Phone", "Company Main Phone"),
    *("Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone", "Other Fax"),
    *("Other Phone", "Pager", "Primary Phone", "Anniversary", "Birthday", "Categories"),
    *("E-mail Address", "E-mail Type", "E-mail Display Name", "E-mail 2 Address"),
    *("E-mail 2 Type", "E-mail 3 Address", "Gender", "Initials", "Notes", "Web Page"),
]
LINKEDIN_PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    "are missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)


def write_csv(
    tmp_path: Path,
    headers: list[str],
    rows: list[dict[str, str]],
    *,
    preamble: str = "",
    delimiter: str = ",",
    encoding: str = "utf-8",
    name: str = "contacts.csv",
) -> Path:
    buffer = io.StringIO()
    buffer.write(preamble)
    writer = csv.DictWriter(buffer, headers, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def points(record: ContactRecord, kind: str) -> list[tuple[str, str]]:
    return [(p.value, p.label) for p in record.contact_points if p.kind == kind]


def test_google_contacts_current_layout(tmp_path):
    path = write_csv(
        tmp_path,
        GOOGLE_HEADERS,
        [
            {
                "First Name": "Ana",
                "Middle Name": "Maria",
                "Last Name": "Lima",
                "Nickname": "Aninha",
                "Organization Name": "Acme",
                "Organization Title": "Engineer",
                "Organization Department": "R&D",
                "Birthday": "1980-03-22",
                "Notes": "Loves tea, hates coffee.\nTwo kids.",
                "Photo": "https://lh3.googleusercontent.com/contacts/photo",
                "Labels": "* myContacts ::: Friends ::: * starred",
                "E-mail 1 - Label": "* Home",
                "E-mail 1 - Value": "ana@home.example ::: ana.alt@home.example",
                "E-mail 2 - Label": "Work",
                "E-mail 2 - Value": "ana@acme.example",
                "Phone 1 - Label": "Mobile",
                "Phone 1 - Value": "+55 11 5555-0101",
                "Phone 2 - Label": "Lake house",
                "Phone 2 - Value": "+55 11 5555-0102",
                "Address 1 - Label": "Home",
                "Address 1 - Formatted": "Rua A, 1\nSão Paulo\nBrazil",
                "Address 1 - Street": "Rua A, 1",
                "Address 1 - City": "São Paulo",
                "Address 1 - Country": "Brazil",
                "Website 1 - Label": "Profile",
                "Website 1 - Value": "https://ana.example",
                "Event 1 - Label": "Anniversary",
                "Event 1 - Value": "2010-05-01",
            },
            {"Birthday": "--03-22", "Labels": "* myContacts", "E-mail 1 - Value": "b@x.example"},
            {"Notes": "A row with nothing to know them by"},
            {"First Name": "Imp", "Last Name": "Ossible", "Birthday": "1980-02-31"},
            {"First Name": "Cara", "Address 1 - Street": "1 High St", "Address 1 - City": "Leeds"},
        ],
    )

    assert detect_format(path) == "google_csv"
    ana, nameless, nothing, impossible, cara = parse_contacts(path)

    assert ana.number == 1
    assert ana.full_name == "Ana Maria Lima"
    assert ana.nickname == "Aninha"
    assert ana.organisation == "Acme"
    assert ana.job_title == "Engineer"
    assert (ana.birthday_day, ana.birthday_month, ana.birthday_year) == (22, 3, 1980)
    assert ana.notes == "Loves tea, hates coffee.\nTwo kids."
    assert ana.tags == ["Friends", "Starred"]
    assert points(ana, "email") == [
        ("ana@home.example", "home"),
        ("ana.alt@home.example", "home"),
        ("ana@acme.example", "work"),
    ]
    assert points(ana, "phone") == [
        ("+55 11 5555-0101", "mobile"),
        ("+55 11 5555-0102", "Lake house"),
    ]
    assert points(ana, "address") == [("Rua A, 1, São Paulo, Brazil", "home")]
    assert points(ana, "website") == [("https://ana.example", "profile")]
    assert ana.anniversary == "2010-05-01"
    assert ana.photo is None  # a photo URL is never fetched
    assert nameless.full_name == "b@x.example"
    assert (nameless.birthday_day, nameless.birthday_month, nameless.birthday_year) == (22, 3, None)
    assert nameless.tags == []
    assert nothing == RowError(3, "Row 3 has no name, email or phone.")
    assert impossible == RowError(4, "Row 4: the date “1980-02-31” is not a real date.")
    assert cara.full_name == "Cara"
    assert points(cara, "address") == [("1 High St, Leeds", "")]


def test_google_contacts_older_layout(tmp_path):
    path = write_csv(
        tmp_path,
        OLD_GOOGLE_HEADERS,
        [
            {
                "Name": "Björn Ek",
                "Given Name": "Björn",
                "Family Name": "Ek",
                "Nickname": "Bjössi",
                "Birthday": "1975-11-30",
                "Notes": "Sailing friend",
                "Group Membership": "* My Contacts ::: Sailing ::: * Coworkers",
                "E-mail 1 - Type": "* Home",
                "E-mail 1 - Value": "bjorn@example.se",
                "Phone 1 - Type": "Mobile",
                "Phone 1 - Value": "+46 70 555 01 01 ::: +46 70 555 01 02",
                "Phone 2 - Type": "Work",
                "Phone 2 - Value": "+46 8 555 01 03",
                "Address 1 - Type": "Home",
                "Address 1 - Formatted": "Storgatan 1\n111 22 Stockholm",
                "Organization 1 - Name": "Segel AB",
                "Organization 1 - Title": "Skipper",
                "Website 1 - Type": "Blog",
                "Website 1 - Value": "https://bjorn.example.se",
            },
            {"Given Name": "Only", "Family Name": "Given", "E-mail 1 - Value": "og@example.com"},
        ],
    )

    assert detect_format(path) == "google_csv"
    bjorn, only = parse_contacts(path)

    assert bjorn.full_name == "Björn Ek"
    assert bjorn.nickname == "Bjössi"
    assert bjorn.organisation == "Segel AB"
    assert bjorn.job_title == "Skipper"
    assert (bjorn.birthday_day, bjorn.birthday_month, bjorn.birthday_year) == (30, 11, 1975)
    assert bjorn.notes == "Sailing friend"
    assert bjorn.tags == ["Sailing", "Coworkers"]
    assert points(bjorn, "email") == [("bjorn@example.se", "home")]
    assert points(bjorn, "phone") == [
        ("+46 70 555 01 01", "mobile"),
        ("+46 70 555 01 02", "mobile"),
        ("+46 8 555 01 03", "work"),
    ]
    assert points(bjorn, "address") == [("Storgatan 1, 111 22 Stockholm", "home")]
    assert points(bjorn, "website") == [("https://bjorn.example.se", "blog")]
    assert only.full_name == "Only Given"


def test_outlook_csv(tmp_path):
    path = write_csv(
        tmp_path,
        OUTLOOK_HEADERS,
        [
            {
                "Title": "Ms.",
                "First Name": "Grace",
                "Last Name": "Hopper",
                "Company": "US Navy",
                "Department": "Computing",
                "Job Title": "Rear Admiral",
                "Business Street": "1 Navy Way",
                "Business City": "Arlington",
                "Business State": "VA",
                "Business Postal Code": "22202",
                "Business Country/Region": "United States",
                "Mobile Phone": "(555) 010-0001",
                "Business Phone": "(555) 010-0002",
                "Home Fax": "(555) 010-0003",
                "Birthday": "12/9/1906",
                "Anniversary": "0/0/00",
                "Categories": "Heroes;Computing",
                "E-mail Address": "grace@navy.example",
                "E-mail Type": "SMTP",
                "E-mail 2 Address": "/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=grace",
                "E-mail 2 Type": "EX",
                "Notes": "Found the first bug.",
                "Web Page": "https://grace.example",
            },
            {"First Name": "No", "Last Name": "Birthday", "Birthday": "0/0/00"},
            {"First Name": "Day", "Last Name": "First", "Birthday": "22/3/1980"},
            {"First Name": "Not", "Last Name": "Real", "Birthday": "31/02/1980"},
        ],
    )

    assert detect_format(path) == "outlook_csv"
    grace, no_birthday, day_first, not_real = parse_contacts(path)

    assert grace.full_name == "Ms. Grace Hopper"
    assert grace.organisation == "US Navy"
    assert grace.job_title == "Rear Admiral"
    assert (grace.birthday_day, grace.birthday_month, grace.birthday_year) == (9, 12, 1906)
    assert grace.anniversary == ""
    assert grace.tags == ["Heroes", "Computing"]
    assert points(grace, "email") == [("grace@navy.example", "")]  # not the Exchange path
    assert points(grace, "phone") == [
        ("(555) 010-0001", "mobile"),
        ("(555) 010-0002", "work"),
        ("(555) 010-0003", "home fax"),
    ]
    assert points(grace, "address") == [
        ("1 Navy Way, Arlington, VA, 22202, United States", "work"),
    ]
    assert points(grace, "website") == [("https://grace.example", "")]
    assert grace.notes == "Found the first bug."
    assert no_birthday.full_name == "No Birthday" and no_birthday.birthday_month is None
    assert (day_first.birthday_day, day_first.birthday_month) == (22, 3)
    assert not_real == RowError(4, "Row 4: the date “31/02/1980” is not a real date.")


def test_linkedin_connections_with_their_notes_preamble(tmp_path):
    path = write_csv(
        tmp_path,
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
        [
            {
                "First Name": "Jane",
                "Last Name": "Doe",
                "URL": "https://www.linkedin.com/in/janedoe",
                "Email Address": "jane@example.com",
                "Company": "Acme",
                "Position": "CTO",
                "Connected On": "12 Mar 2024",
            },
            {
                "First Name": "John",
                "Last Name": "Smith",
                "URL": "https://www.linkedin.com/in/jsmith",
                "Company": "Initech",
                "Position": "Manager, Sales",
                "Connected On": "03 Jan 2020",
            },
            {"First Name": "Mo", "Last Name": "Odd", "Connected On": "last spring"},
        ],
        preamble=LINKEDIN_PREAMBLE,
    )

    assert detect_format(path) == "linkedin_csv"
    assert csv_headers(path)[:3] == ["First Name", "Last Name", "URL"]
    jane, john, mo = parse_contacts(path)

    assert jane.number == 1
    assert jane.full_name == "Jane Doe"
    assert jane.organisation == "Acme"
    assert jane.job_title == "CTO"
    assert points(jane, "email") == [("jane@example.com", "")]
    assert points(jane, "website") == [("https://www.linkedin.com/in/janedoe", "LinkedIn")]
    assert jane.how_we_met == "Connected on LinkedIn on 12 March 2024"
    assert john.number == 2
    assert john.full_name == "John Smith"  # no email: LinkedIn hides most of them
    assert john.job_title == "Manager, Sales"
    assert john.how_we_met == "Connected on LinkedIn on 3 January 2020"
    assert mo.how_we_met == "Connected on LinkedIn on last spring"  # kept as written


def test_any_other_csv_through_a_column_mapping(tmp_path):
    headers = ["Nom", "Prénom", "Courriel", "Portable", "Société", "Anniversaire", "Étiquettes"]
    path = tmp_path / "export.csv"
    path.write_bytes(
        (
            ";".join(headers) + "\r\n"
            "Dupont;Zoé;zoe@example.fr;06 12 34 56 78;Acme;22/03/1980;amis, famille\r\n"
            "\r\n"
            "Martin;Léa;lea@example.fr;;;31/02/1980;\r\n"
            "Bernard;Hugo;hugo@example.fr;;;;;trop;de;colonnes\r\n"
            ";;;;Société Seule;;\r\n"
            "Petit;Jules;;07 00 00 00 00;;--05-01;\r\n"
        ).encode("cp1252")
    )
    mapping = {
        "Nom": "last_name",
        "Prénom": "first_name",
        "Courriel": "email",
        "Portable": "phone",
        "Société": "organisation",
        "Anniversaire": "birthday",
        "Étiquettes": "tags",
    }

    assert detect_format(path) == "generic_csv"
    assert csv_headers(path) == headers
    with pytest.raises(NotAContactFile, match="match them to fields"):
        parse_contacts(path)
    zoe, lea, hugo, alone, jules = parse_contacts(path, mapping=mapping)

    assert zoe.number == 1
    assert zoe.full_name == "Zoé Dupont"
    assert points(zoe, "email") == [("zoe@example.fr", "")]
    assert points(zoe, "phone") == [("06 12 34 56 78", "")]
    assert zoe.organisation == "Acme"
    assert (zoe.birthday_day, zoe.birthday_month, zoe.birthday_year) == (22, 3, 1980)
    assert zoe.tags == ["amis", "famille"]
    # Row 2 is blank and skipped; numbers still match the spreadsheet's data rows.
    assert lea == RowError(3, "Row 3: the date “31/02/1980” is not a real date.")
    assert hugo == RowError(4, "Row 4 has 10 columns but the header has 7.")
    assert alone == RowError(5, "Row 5 has no name, email or phone.")
    assert jules.number == 6
    assert jules.full_name == "Jules Petit"
    assert (jules.birthday_day, jules.birthday_month, jules.birthday_year) == (1, 5, None)


def test_a_mapping_can_name_columns_of_a_known_layout_differently(tmp_path):
    path = write_csv(
        tmp_path,
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
        [{"First Name": "Jane", "Last Name": "Doe", "Company": "Acme", "Position": "CTO"}],
    )
    mapping = {"First Name": "first_name", "Last Name": "last_name", "Company": "notes"}

    [jane] = parse_contacts(path, mapping=mapping)

    assert jane.full_name == "Jane Doe"
    assert jane.organisation == ""
    assert jane.job_title == ""
    assert jane.notes == "Acme"


def test_tab_separated_utf16_export(tmp_path):
    path = write_csv(
        tmp_path,
        ["Name", "E-mail", "Phone", "Work Phone"],
        [
            {
                "Name": "Kofi Mensah",
                "E-mail": "kofi@example.gh",
                "Phone": "+233 20 555 0101",
                "Work Phone": "+233 30 555 0102",
            }
        ],
        delimiter="\t",
        encoding="utf-16",
    )
    mapping = guess_mapping(csv_headers(path))

    assert mapping == {
        "Name": "full_name",
        "E-mail": "email",
        "Phone": "phone",
        "Work Phone": "phone",
    }
    [kofi] = parse_contacts(path, mapping=mapping)
    assert kofi.full_name == "Kofi Mensah"
    assert points(kofi, "email") == [("kofi@example.gh", "")]
    assert points(kofi, "phone") == [("+233 20 555 0101", ""), ("+233 30 555 0102", "work")]


def test_mappable_fields_cover_what_a_person_has():
    keys = [key for key, _ in MAPPABLE_FIELDS]
    assert keys == [
        *("full_name", "first_name", "last_name", "nickname", "email", "phone", "address"),
        *("website", "organisation", "job_title", "birthday", "notes", "tags", "ignore"),
    ]
    assert all(label and label[0].isupper() for _, label in MAPPABLE_FIELDS)


def test_a_row_csv_cannot_read_is_reported_and_the_rest_continue(tmp_path):
    path = tmp_path / "broken.csv"
    long_field = "x" * (csv.field_size_limit() + 10)
    path.write_text(
        "First Name,Last Name,E-mail Address,Mobile Phone\r\n"
        "Ada,Lovelace,ada@example.com,\r\n"
        f'Big,"{long_field}",big@example.com,\r\n'
        "Alan,Turing,alan@example.com,\r\n",
        encoding="utf-8",
    )

    ada, big, alan = parse_contacts(path)

    assert ada.full_name == "Ada Lovelace"
    assert isinstance(big, RowError) and big.number == 2
    assert big.reason.startswith("Row 2 cannot be read as CSV")
    assert alan.full_name == "Alan Turing" and alan.number == 3
