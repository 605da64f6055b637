import base64
import csv
import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from connections.exporting import export_csv, export_json, export_vcard, split_name
from connections.goals import add_goal, add_milestone, complete_milestone, set_goal_status
from connections.importing.tend_json import InvalidTendExport, import_tend_json
from connections.models import Circle, InteractionKind, Nudge, Person, Reflection
from connections.nudges import dismiss_nudge, schedule_follow_up, snooze_nudge
from connections.people import (
    add_relationship,
    archive_person,
    create_person,
    set_contact_points,
    update_person,
)
from connections.reflections import add_reflection
from connections.values import add_my_value, add_person_value
from tests.factories import PersonFactory, UserFactory, interaction_with

LISBON = ZoneInfo("Europe/Lisbon")


def jpeg_bytes(colour="teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), colour).save(out, format="JPEG")
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (200, 10, 10, 128)).save(out, format="PNG")
    return out.getvalue()


def exported(export, user) -> str:
    out = io.StringIO()
    export(user, out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://tend.example.org"
    return settings.MEDIA_ROOT


@pytest.fixture
def rich_account(user):
    """An account with a bit of everything Tend keeps."""
    user.nudge_hour, user.quiet_weekdays, user.birthday_notice_days = 7, [5, 6], 5
    user.save()
    add_my_value(owner=user, name="Honesty", note="Saying the hard thing kindly.")
    add_my_value(owner=user, name="Family")
    create_person(owner=user, full_name="Nobody Tagged", tag_names=["unused-later"]).delete()

    ana = create_person(
        owner=user,
        full_name="Ana Maria da Silva",
        nickname="Aninha",
        pronouns="she/her",
        birthday_day=12,
        birthday_month=4,
        birthday_year=1980,
        how_we_met="Lisbon climbing gym, 2019",
        story="Moved from Porto; loves climbing,\nhates mornings.",
        preferred_channel=InteractionKind.VOICE,
        connect_notes="Evenings, in Portuguese.",
        organisation="Ciência Viva",
        job_title="Biologist",
        circle=Circle.INNER,
        tag_names=["climbing", "Lisbon"],
    )
    update_person(person=ana, photo=ContentFile(jpeg_bytes(), name="ana.jpg"))
    set_contact_points(
        person=ana,
        points=[
            {"kind": "email", "label": "home", "value": "ana@example.com"},
            {"kind": "email", "label": "work", "value": "ana.silva@cienciaviva.pt"},
            {"kind": "phone", "label": "mobile", "value": "+351 912 345 678"},
            {"kind": "phone", "label": "Boat", "value": "+351 21 000 0000"},
            {"kind": "address", "label": "home", "value": "Rua das Flores 12, 3º\nLisboa"},
            {"kind": "website", "label": "", "value": "https://ana.example.com"},
        ],
    )
    add_person_value(person=ana, name="Honesty", note="She never lies to me.")
    add_person_value(person=ana, name="Curiosity")
    marathon = add_goal(
        person=ana, title="Run a marathon", notes="Autumn race", target_date=date(2027, 10, 3)
    )
    add_milestone(goal=marathon, title="First 10k", due_on=date(2027, 3, 1))
    half = add_milestone(goal=marathon, title="Half marathon", due_on=date(2027, 6, 1))
    complete_milestone(milestone=half, on=date(2027, 5, 30))
    thesis = add_goal(person=ana, title="Finish the thesis")
    set_goal_status(goal=thesis, status="achieved", on=timezone.localdate())

    tomas = create_person(
        owner=user,
        full_name="Tomás Lima",
        birthday_day=29,
        birthday_month=2,
        circle=Circle.WIDER,
        cadence_days=45,
        cadence_is_custom=True,
        paused=True,
        tag_names=["lisbon"],
    )
    add_relationship(person=tomas, other=ana, kind="parent")
    bea = create_person(owner=user, full_name="Bea", circle=Circle.ACQUAINTANCE)
    add_relationship(person=bea, other=tomas, kind="friend")
    archive_person(person=bea)

    now = datetime(2026, 11, 20, 19, 30, tzinfo=LISBON)
    dinner = interaction_with(
        ana,
        tomas,
        kind=InteractionKind.IN_PERSON,
        occurred_at=now - timedelta(days=3),
        what_i_heard="Ana is nervous about the defence.",
        what_i_shared="My own viva story.",
        duration_minutes=120,
        connection_rating=5,
        topic_names=["thesis", "family"],
    )
    interaction_with(bea, kind=InteractionKind.TEXT, occurred_at=now - timedelta(days=40))
    schedule_follow_up(
        person=ana, due_on=date(2026, 11, 24), reason="Ask how the defence went", interaction=dinner
    )
    snooze_nudge(nudge=schedule_follow_up(person=tomas, due_on=date(2026, 11, 21)), days=3)
    dismiss_nudge(nudge=schedule_follow_up(person=bea, due_on=date(2026, 11, 1)))
    add_reflection(
        owner=user,
        body="I listen better when I slow down.",
        topic="growth",
        written_on=date(2026, 11, 2),
    )
    add_reflection(owner=user, body="Family first.", topic="values", written_on=date(2026, 11, 9))
    return {"ana": ana, "tomas": tomas, "bea": bea}


# --- JSON -------------------------------------------------------------------------------------


def test_json_export_holds_every_part_of_the_account(rich_account, user):
    document = json.loads(exported(export_json, user))

    assert document["format_version"] == 1
    assert document["user"]["email"] == "alice@example.com"
    assert document["user"]["quiet_weekdays"] == [5, 6]
    assert {"name": "Honesty", "is_mine": True, "note": "Saying the hard thing kindly."} in (
        document["values"]
    )
    assert "unused-later" in document["tags"]
    ana, tomas, bea = document["people"]
    assert ana["ref"] == "p1" and ana["full_name"] == "Ana Maria da Silva"
    assert (ana["birthday_day"], ana["birthday_month"], ana["birthday_year"]) == (12, 4, 1980)
    assert ana["story"] == "Moved from Porto; loves climbing,\nhates mornings."
    assert ana["circle"] == "inner" and ana["preferred_channel"] == "voice"
    assert base64.b64decode(ana["photo"]["data"]) == jpeg_bytes()
    assert ana["photo"]["content_type"] == "image/jpeg"
    assert ana["tags"] == ["climbing", "Lisbon"]
    assert {"kind": "phone", "label": "Boat", "value": "+351 21 000 0000"} in ana["contact_points"]
    assert {"name": "Honesty", "note": "She never lies to me."} in ana["values"]
    marathon = next(goal for goal in ana["goals"] if goal["title"] == "Run a marathon")
    assert [m["title"] for m in marathon["milestones"]] == ["First 10k", "Half marathon"]
    assert marathon["milestones"][1]["done_on"] == "2027-05-30"
    assert ana["relationships"] == [{"kind": "parent", "of": "p2"}]
    assert tomas["birthday_year"] is None and tomas["paused"] is True
    assert tomas["cadence_days"] == 45 and tomas["cadence_is_custom"] is True
    assert tomas["relationships"] == [{"kind": "friend", "of": "p3"}]
    assert bea["archived_at"] is not None and bea["photo"] is None
    assert ana["last_interaction_at"].startswith("2026-11-17T")

    bea_text, dinner = document["interactions"]
    assert dinner["people"] == ["p1", "p2"] and dinner["topics"] == ["family", "thesis"]
    assert dinner["duration_minutes"] == 120 and dinner["connection_rating"] == 5
    assert bea_text["people"] == ["p3"]
    kinds = {(nudge["person"], nudge["kind"], nudge["status"]) for nudge in document["nudges"]}
    assert ("p1", "celebrate", "open") in kinds and ("p3", "follow_up", "dismissed") in kinds
    follow_up = next(n for n in document["nudges"] if n["interaction"])
    assert follow_up["interaction"] == dinner["ref"]
    assert follow_up["reason"] == "Ask how the defence went"
    celebrate = next(n for n in document["nudges"] if n["kind"] == "celebrate")
    assert celebrate["goal"] == next(g["ref"] for g in ana["goals"] if g["status"] == "achieved")
    assert [r["body"] for r in document["reflections"]] == [
        "I listen better when I slow down.",
        "Family first.",
    ]


def comparable(text: str) -> dict:
    document = json.loads(text)
    del document["exported_at"]
    del document["user"]["email"]
    return document


def test_a_json_export_restored_into_an_empty_account_exports_exactly_the_same(
    rich_account, user, tmp_path
):
    first = exported(export_json, user)
    path = tmp_path / "tend.json"
    path.write_text(first, encoding="utf-8")
    fresh = UserFactory(email="restored@example.com", timezone="UTC")

    counts = import_tend_json(user=fresh, path=path)

    assert counts["people"] == 3 and counts["interactions"] == 2 and counts["nudges"] == 4
    assert counts["relationships"] == 2 and counts["goals"] == 2 and counts["milestones"] == 2
    assert comparable(exported(export_json, fresh)) == comparable(first)
    restored_ana = Person.objects.for_user(fresh).get(full_name="Ana Maria da Silva")
    assert restored_ana.photo.read() == jpeg_bytes()


def test_restoring_into_an_account_with_people_adds_beside_them_and_shares_tags(
    rich_account, user, other_user, tmp_path
):
    path = tmp_path / "tend.json"
    path.write_text(exported(export_json, user), encoding="utf-8")
    PersonFactory(owner=other_user, full_name="Already Here")
    create_person(owner=other_user, full_name="Also Here", tag_names=["LISBON"])

    import_tend_json(user=other_user, path=path)

    names = set(Person.objects.for_user(other_user).values_list("full_name", flat=True))
    assert {"Already Here", "Also Here", "Ana Maria da Silva", "Tomás Lima", "Bea"} == names
    assert other_user.tags.filter(name__iexact="lisbon").count() == 1


def write_json(tmp_path, document) -> object:
    path = tmp_path / "restore.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def minimal(**people_fields) -> dict:
    return {
        "format_version": 1,
        "people": [{"ref": "p1", "full_name": "Ana", **people_fields}],
    }


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"format_version": 2, "people": []}, "format_version 2"),
        ({"people": []}, "no format_version"),
        ([1, 2, 3], "no format_version"),
        ({"format_version": 1, "people": {"p1": {}}}, "people should be a list"),
        ({"format_version": 1, "people": [{"ref": "p1"}]}, "people #1 has no “full_name”"),
        (minimal(birthday_day="twelve"), "“birthday_day” should be a whole number"),
        (minimal(created_at="2026-11-28T10:00:00"), "needs a timezone offset"),
        (minimal(photo={"content_type": "image/jpeg", "data": "bm90IGFuIGltYWdl"}), "not an image"),
        (minimal(relationships=[{"kind": "friend", "of": "p9"}]), "refers to “p9”"),
        (minimal(birthday_day=30, birthday_month=2), "That day does not exist"),
        (minimal(circle="best friends"), "circle"),
    ],
)
def test_a_malformed_export_is_rejected_with_the_reason_and_nothing_written(
    user, tmp_path, document, message
):
    with pytest.raises(InvalidTendExport, match=message):
        import_tend_json(user=user, path=write_json(tmp_path, document))
    assert not Person.objects.for_user(user).exists()


def test_a_failure_late_in_the_file_leaves_no_person_and_no_photo_file(user, tmp_path, media):
    photo = {"content_type": "image/jpeg", "data": base64.b64encode(jpeg_bytes()).decode()}
    document = {
        "format_version": 1,
        "tags": ["kept?"],
        "people": [{"ref": "p1", "full_name": "Ana", "photo": photo, "tags": ["friends"]}],
        "reflections": [{"written_on": "2026-11-02", "topic": "growth", "body": "   "}],
    }

    with pytest.raises(InvalidTendExport, match="reflections #1: body"):
        import_tend_json(user=user, path=write_json(tmp_path, document))

    assert not Person.objects.for_user(user).exists()
    assert not user.tags.exists() and not Reflection.objects.filter(owner=user).exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_a_file_that_is_not_json_is_rejected(user, tmp_path):
    path = tmp_path / "photo.json"
    path.write_bytes(jpeg_bytes())
    with pytest.raises(InvalidTendExport, match="not UTF-8|not valid JSON"):
        import_tend_json(user=user, path=path)


# --- vCard ------------------------------------------------------------------------------------


def test_vcard_export_parses_back_to_the_same_names_emails_phones_and_birthdays(rich_account, user):
    text = exported(export_vcard, user)
    cards = {card.fn.value: card for card in vobject.readComponents(text)}

    assert set(cards) == {"Ana Maria da Silva", "Tomás Lima", "Bea"}
    ana = cards["Ana Maria da Silva"]
    assert (ana.n.value.given, ana.n.value.additional, ana.n.value.family) == (
        "Ana",
        "Maria",
        "da Silva",
    )
    assert {email.value for email in ana.contents["email"]} == {
        "ana@example.com",
        "ana.silva@cienciaviva.pt",
    }
    assert {tel.value for tel in ana.contents["tel"]} == {"+351 912 345 678", "+351 21 000 0000"}
    assert ana.bday.value == "1980-04-12"
    assert cards["Tomás Lima"].bday.value == "--0229"
    assert "bday" not in cards["Bea"].contents
    assert ana.nickname.value == "Aninha"
    assert ana.org.value == ["Ciência Viva"] and ana.title.value == "Biologist"
    assert ana.note.value == "Moved from Porto; loves climbing,\nhates mornings."
    assert ana.categories.value == ["climbing", "Lisbon"]
    assert ana.uid.value == f"tend-person-{rich_account['ana'].pk}@tend.example.org"
    assert ana.photo.value == jpeg_bytes()
    mobile = next(tel for tel in ana.contents["tel"] if tel.value.startswith("+351 912"))
    assert "CELL" in mobile.params["TYPE"]
    assert ana.adr.value.street == "Rua das Flores 12, 3º\nLisboa"
    assert ana.url.value == "https://ana.example.com"


def test_vcard_lines_end_in_crlf_and_fold_at_75_octets(rich_account, user):
    text = exported(export_vcard, user)

    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    lines = text.split("\r\n")
    assert "\n" not in "".join(lines)
    assert max(len(line.encode()) for line in lines) <= 75
    assert any(line.startswith(" ") for line in lines)  # the photo is folded
    assert "item1.TEL;TYPE=VOICE:+351 21 000 0000" in lines
    assert "item1.X-ABLabel:Boat" in lines


def test_a_png_photo_goes_into_the_vcard_as_jpeg(user):
    person = PersonFactory(owner=user, full_name="Pat")
    update_person(person=person, photo=ContentFile(png_bytes(), name="pat.png"))

    (card,) = vobject.readComponents(exported(export_vcard, user))

    assert Image.open(io.BytesIO(card.photo.value)).format == "JPEG"


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Prince", ("", "Prince", "")),
        ("Ana Lima", ("Lima", "Ana", "")),
        ("Jan van der Berg", ("van der Berg", "Jan", "")),
        ("Mary Jane Watson Parker", ("Parker", "Mary", "Jane Watson")),
    ],
)
def test_names_split_into_vcard_name_parts(name, parts):
    assert split_name(name)[:3] == parts


# --- CSV --------------------------------------------------------------------------------------


def test_csv_export_has_one_row_per_person_with_lists_joined(rich_account, user):
    rows = list(csv.DictReader(io.StringIO(exported(export_csv, user))))

    assert [row["Name"] for row in rows] == ["Ana Maria da Silva", "Tomás Lima", "Bea"]
    ana, tomas, bea = rows
    assert ana["Emails"] == "ana@example.com; ana.silva@cienciaviva.pt"
    assert ana["Phones"] == "'+351 912 345 678; +351 21 000 0000"
    assert ana["Birthday"] == "1980-04-12" and tomas["Birthday"] == "02-29"
    assert ana["Organisation"] == "Ciência Viva" and ana["Title"] == "Biologist"
    assert ana["Circle"] == "Inner circle" and ana["Tags"] == "climbing; Lisbon"
    assert ana["Values"] == "Curiosity; Honesty"
    assert ana["Last interaction"] == "2026-11-17"
    assert bea["Archived on"] and not ana["Archived on"]
    assert tomas["Paused"] == "yes"


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(user):
    person = create_person(
        owner=user,
        full_name='=HYPERLINK("https://evil.example","click")',
        nickname="-2+3",
        organisation="@SUM(A1:A9)",
        job_title="\tTabbed",
        story="\rReturn",
        tag_names=["+cmd|' /C calc'!A0"],
    )
    set_contact_points(person=person, points=[{"kind": "phone", "value": "+44 20 7946 0000"}])

    (row,) = list(csv.DictReader(io.StringIO(exported(export_csv, user))))

    assert row["Name"] == '\'=HYPERLINK("https://evil.example","click")'
    assert row["Nickname"] == "'-2+3"
    assert row["Organisation"] == "'@SUM(A1:A9)"
    assert row["Title"] == "'\tTabbed"
    assert row["Story"] == "'\rReturn"
    assert row["Tags"] == "'+cmd|' /C calc'!A0"
    assert row["Phones"] == "'+44 20 7946 0000"


# --- the command ------------------------------------------------------------------------------


def test_the_command_writes_to_stdout_without_output(rich_account, user):
    out = io.StringIO()
    call_command("export_contacts", "--user", "ALICE@example.com", "--format", "vcard", stdout=out)

    assert out.getvalue().count("BEGIN:VCARD") == 3


def test_the_command_writes_the_file_given_with_output(rich_account, user, tmp_path):
    out = io.StringIO()
    target = tmp_path / "people.csv"

    call_command(
        "export_contacts",
        "--user",
        user.email,
        "--format",
        "csv",
        "--output",
        str(target),
        stdout=out,
    )

    assert "Exported 3 people" in out.getvalue()
    raw = target.read_bytes()
    assert raw.startswith(b"Name,Nickname,") and b"\r\n" in raw
    assert len(list(csv.DictReader(io.StringIO(raw.decode())))) == 3


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--user", "nobody@example.com", "--format", "json"], "No account"),
        (["--user", "alice@example.com", "--format", "xml"], "Unknown format 'xml'"),
    ],
)
def test_the_command_explains_an_unknown_user_or_format(user, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_contacts", *arguments)


# --- downloads --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "extension", "content_type", "marker"),
    [
        ("json", "json", "application/json", '"format_version": 1'),
        ("vcard", "vcf", "text/vcard", "BEGIN:VCARD"),
        ("csv", "csv", "text/csv", "Name,Nickname"),
    ],
)
def test_each_download_is_a_dated_file_of_the_users_own_people(
    alice_client, user, other_user, fmt, extension, content_type, marker
):
    PersonFactory(owner=user, full_name="Ana Lima")
    PersonFactory(owner=other_user, full_name="Bob's Secret Friend")
    interaction_with(PersonFactory(owner=other_user, full_name="Carla Hidden"))

    response = alice_client.get(f"/export/{fmt}/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    today = datetime.now(tz=user.zone).date()
    assert response["Content-Disposition"] == (
        f'attachment; filename="tend-{today:%Y-%m-%d}.{extension}"'
    )
    body = b"".join(response.streaming_content).decode()
    assert marker in body and "Ana Lima" in body
    assert "Secret Friend" not in body and "Carla" not in body and "Talked about" not in body


def test_downloads_need_a_login_and_a_known_format(alice_client):
    response = Client().get("/export/json/")
    assert response.status_code == 302 and "/login" in response["Location"]
    assert alice_client.get("/export/xml/").status_code == 404


def test_the_export_card_links_to_the_three_downloads(alice_client):
    from django.template.loader import render_to_string

    html = render_to_string("connections/export_links.html")

    assert "Your data is yours" in html
    for fmt in ("json", "vcard", "csv"):
        assert f'href="/export/{fmt}/"' in html


# --- query counts -----------------------------------------------------------------------------


def busy_account(user, people: int) -> None:
    for n in range(people):
        person = create_person(owner=user, full_name=f"Person {n}", tag_names=[f"tag {n % 3}"])
        set_contact_points(
            person=person,
            points=[
                {"kind": "email", "value": f"p{n}@example.com"},
                {"kind": "phone", "value": f"+351 91 000 {n:04d}"},
            ],
        )
        add_person_value(person=person, name="Honesty", note="yes")
        goal = add_goal(person=person, title="Learn Greek")
        add_milestone(goal=goal, title="Alphabet")
        interaction = interaction_with(person, topic_names=["work"])
        schedule_follow_up(person=person, due_on=date(2026, 12, 1), interaction=interaction)
        if n:
            add_relationship(
                person=person,
                other=Person.objects.get(owner=user, full_name="Person 0"),
                kind="friend",
            )
    add_reflection(owner=user, body="Noted.", topic="growth", written_on=date(2026, 11, 1))


@pytest.mark.parametrize("export", [export_json, export_vcard, export_csv])
def test_export_query_count_does_not_grow_with_people(db, export):
    few, many = UserFactory(), UserFactory()
    busy_account(few, 5)
    busy_account(many, 50)

    counts = []
    for user in (few, many):
        with CaptureQueriesContext(connection) as queries:
            exported(export, user)
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert Nudge.objects.filter(owner=many).count() == 50


def test_the_documented_example_has_the_keys_of_a_real_export(rich_account, user):
    from django.conf import settings

    doc = (settings.BASE_DIR / "docs" / "export-format.md").read_text(encoding="utf-8")
    example = json.loads(doc.split("```json\n", 1)[1].split("```", 1)[0])
    real = json.loads(exported(export_json, user))

    def keys(document):
        person = document["people"][0]
        goal = person["goals"][0]
        return {
            "top": set(document),
            "user": set(document["user"]),
            "value": set(document["values"][0]),
            "person": set(person),
            "contact point": set(person["contact_points"][0]),
            "goal": set(goal),
            "milestone": set(goal["milestones"][0]),
            "interaction": set(document["interactions"][0]),
            "nudge": set(document["nudges"][0]),
            "reflection": set(document["reflections"][0]),
        }

    assert keys(example) == keys(real)
