"""Format detection from content, and files rejected whole with a reason a person can act on."""

import io
import random
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from connections.importing.detect import csv_headers, detect_format, parse_contacts
from connections.importing.records import NotAContactFile

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "vcards"


def write(tmp_path: Path, content: bytes, name: str = "upload.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.vcf")))
def test_every_vcard_fixture_is_detected_as_vcard(fixture):
    assert detect_format(FIXTURES / fixture) == "vcard"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n", "vcard"),
        (b"\r\n\r\nbegin:vcard\nversion:2.1\nN:A;;;;\nend:vcard\n", "vcard"),
        (b"First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value\nA,B,,a@b.c\n", "google_csv"),
        (b"Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value\nA,A,,,\n", "google_csv"),
        (b"First Name,Last Name,E-mail Address,Mobile Phone\nA,B,a@b.c,1\n", "outlook_csv"),
        (b"First Name;Last Name;E-mail Address;Mobile Phone\r\nA;B;a@b.c;1\r\n", "outlook_csv"),
        (
            b'Notes:\n"Some text, with a comma"\n\n'
            b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
            b"A,B,https://x,,,,12 Mar 2024\n",
            "linkedin_csv",
        ),
        (b"Who,Mail,Tel\nAna,ana@example.com,555\nBen,,556\n", "generic_csv"),
        (b"Who,Mail,Tel,Note\nAna,ana@example.com\nBen,b@x.y,556,hi,,,\n", "generic_csv"),
        (b'{"format_version": 1, "people": []}', "tend_json"),
        (b'  {\n  "exported_at": "2026-01-01",\n  "format_version": 1\n}\n', "tend_json"),
    ],
)
def test_format_is_detected_from_content(tmp_path, content, expected):
    assert detect_format(write(tmp_path, content)) == expected


def test_the_file_name_does_not_matter(tmp_path):
    vcard_named_csv = write(tmp_path, b"BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD\n", "x.csv")
    csv_named_vcf = write(tmp_path, b"First Name,Last Name,E-mail Address\nA,B,a@b.c\n", "x.vcf")

    assert detect_format(vcard_named_csv) == "vcard"
    assert detect_format(csv_named_vcf) == "outlook_csv"


def test_utf16_and_latin1_csv_are_detected(tmp_path):
    text = "First Name,Last Name,E-mail Address\r\nJosé,Núñez,jose@example.es\r\n"
    utf16 = write(tmp_path, b"\xff\xfe" + text.encode("utf-16-le"), "u16.csv")
    bomless = write(tmp_path, text.encode("utf-16-le"), "bomless.csv")
    latin1 = write(tmp_path, text.encode("latin-1"), "l1.csv")

    for path in (utf16, bomless, latin1):
        assert detect_format(path) == "outlook_csv"
        [jose] = parse_contacts(path)
        assert jose.full_name == "José Núñez"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, "JPEG")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, "GIF")
    return buffer.getvalue()


def zipped() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("contacts.vcf", "BEGIN:VCARD\nFN:A\nEND:VCARD\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\r\n\t\n", "The file is empty."),
        (png(), "This is a PNG image, not a contact file."),
        (jpeg(), "This is a JPEG image, not a contact file."),
        (gif(), "This is a GIF image, not a contact file."),
        (zipped(), "This is a zip archive or an Office document."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "This is a PDF document, not a contact file."),
        (random.Random(5).randbytes(4096), "This looks like binary data"),
        (bytes(range(1, 32)) * 40, "This looks like binary data"),
        (
            b"Dear diary,\nToday I met Ana at the market.\nShe said hello.\n",
            "neither a vCard (.vcf) nor a CSV with a header row",
        ),
        (b"just one line of text", "neither a vCard (.vcf) nor a CSV with a header row"),
        (b'{"name": "not a tend export"}', "This is a JSON file, but not a Tend export."),
        (b'[{"name": "a list"}]', "This is a JSON file, but not a Tend export."),
        (b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "This is a calendar file (.ics)"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "This is a web page"),
    ],
)
def test_files_that_are_not_contact_files_are_rejected_whole(tmp_path, content, reason):
    path = write(tmp_path, content, "contacts.vcf")

    with pytest.raises(NotAContactFile) as rejected:
        detect_format(path)
    assert str(rejected.value).startswith(reason) or reason in str(rejected.value)
    with pytest.raises(NotAContactFile):
        parse_contacts(path)  # raises at once, before anything could be written


def test_a_tend_export_is_detected_but_left_to_its_own_importer(tmp_path):
    path = write(tmp_path, b'{"format_version": 1, "people": []}', "export.json")

    with pytest.raises(NotAContactFile, match="Tend export"):
        parse_contacts(path)


def test_a_csv_of_unknown_layout_needs_a_mapping_and_offers_its_headers(tmp_path):
    path = write(tmp_path, b"Who,Mail,Tel\r\nAna,ana@example.com,555\r\n", "people.csv")

    with pytest.raises(NotAContactFile, match="match them to fields"):
        parse_contacts(path)
    assert csv_headers(path) == ["Who", "Mail", "Tel"]
    [ana] = parse_contacts(path, mapping={"Who": "full_name", "Mail": "email", "Tel": "phone"})
    assert ana.full_name == "Ana"


def test_a_vcard_has_no_columns_to_match(tmp_path):
    path = write(tmp_path, b"BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD\n")

    with pytest.raises(NotAContactFile, match="no columns"):
        csv_headers(path)


def test_progress_reports_bytes_read_as_records_stream(tmp_path):
    rows = "".join(f"Person,{n},p{n}@example.com\r\n" for n in range(1000))
    path = write(tmp_path, f"First Name,Last Name,E-mail Address\r\n{rows}".encode(), "x.csv")
    seen: list[int] = []

    records = list(parse_contacts(path, progress=seen.append))

    assert len(records) == 1000
    assert len(seen) == 6  # after 200, 400, 600, 800, 1000 records, and at the end
    assert seen == sorted(seen)
    assert seen[-1] == path.stat().st_size
