import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connections import phones
from connections.importing.pipeline import (
    BATCH,
    Matcher,
    build_person,
    choose_actions,
    choose_mapping,
    preview_job,
    run_import,
    start_import,
)
from connections.importing.records import ContactPointRecord, ContactRecord, record_to_json
from connections.models import ContactPoint, ImportJob, ImportRow, Person, Tag
from connections.tasks import preview_import, run_import_job
from tests.connections.import_helpers import card, jpeg_bytes, png_bytes, vcf
from tests.factories import ContactPointFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def import_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PHONE_REGION = "PT"
    return settings


def imported(user, upload, strategy="skip", actions=None):
    """Upload, preview and import in one go, as the CLI does; return the finished job."""
    job = start_import(owner=user, uploaded_by=user, uploaded_file=upload, strategy=strategy)
    job = preview_job(job)
    if actions:
        rows = {row.number: row.pk for row in job.rows.all()}
        choose_actions(
            job=job,
            strategy=strategy,
            row_actions={rows[number]: action for number, action in actions.items()},
        )
    return run_import(job)


def stored_import_files(settings) -> list[Path]:
    return [p for p in (Path(settings.MEDIA_ROOT) / "imports").glob("*") if p.is_file()]


# --- matching ------------------------------------------------------------------------------


def test_incoming_contacts_match_by_uid_then_email_then_phone_then_name(user):
    by_uid = PersonFactory(owner=user, full_name="Uma Uid", external_uid="card-1")
    by_email = PersonFactory(owner=user, full_name="Ema Mail")
    ContactPointFactory(person=by_email, kind="email", value="ana@example.com")
    by_phone = PersonFactory(owner=user, full_name="Pedro Phone")
    ContactPointFactory(person=by_phone, kind="phone", value="+351 912 345 678")
    by_name = PersonFactory(owner=user, full_name="Dora Dias")

    job = start_import(
        owner=user,
        uploaded_by=user,
        uploaded_file=vcf(
            card("Someone", uid="card-1", email="ana@example.com", phone="912345678"),
            card("Someone Else", email="ANA@example.com", phone="912 345 678"),
            card("Dora Dias", phone="912-345-678"),
            card("dora  DIAS"),
            card("Eve New", email="eve@example.com"),
        ),
    )
    preview_job(job)

    rows = {row.number: row for row in job.rows.all()}
    assert (rows[1].matched_person, rows[1].match_reason) == (by_uid, "same UID")
    assert (rows[2].matched_person, rows[2].match_reason) == (
        by_email,
        "same email ana@example.com",
    )
    assert (rows[3].matched_person, rows[3].match_reason) == (by_phone, "same phone 912-345-678")
    assert (rows[4].matched_person, rows[4].match_reason) == (by_name, "same name")
    assert rows[5].status == ImportRow.Status.NEW and rows[5].matched_person is None
    assert rows[5].record["emails"] == ["eve@example.com"]


def test_another_users_people_are_never_matched(user, other_user):
    bob_person = PersonFactory(owner=other_user, full_name="Ana Lima", external_uid="x")
    ContactPointFactory(person=bob_person, kind="email", value="ana@example.com")

    job = imported(user, vcf(card("Ana Lima", uid="x", email="ana@example.com")))

    assert job.created == 1
    assert Person.objects.filter(owner=user).count() == 1
    assert Person.objects.filter(owner=other_user).count() == 1


def test_the_matcher_reads_the_owners_people_in_three_queries_and_parses_none_of_their_numbers(
    user, other_user, django_assert_num_queries
):
    for n in range(30):
        person = PersonFactory(owner=user, full_name=f"Person {n}", external_uid=f"uid-{n}")
        ContactPointFactory(person=person, kind="email", value=f"P{n}@Example.com")
        ContactPointFactory(person=person, kind="phone", value=f"+351 912 00{n:04d}")
    stranger = PersonFactory(owner=other_user, full_name="Someone Else")
    ContactPointFactory(person=stranger, kind="phone", value="+351 913 000 000")
    phones._phone_keys.cache_clear()

    with django_assert_num_queries(3):
        matcher = Matcher(owner=user)

    assert phones._phone_keys.cache_info().misses == 0
    assert len(matcher.uid) == len(matcher.email) == len(matcher.phone) == 30
    assert "913000000" not in matcher.phone
    incoming = ContactRecord(
        number=1,
        full_name="Not A Name They Have",
        contact_points=[ContactPointRecord(kind="phone", value="00351 912 000 003")],
    )
    found = matcher.match(incoming)
    assert found.person_id == Person.objects.get(owner=user, full_name="Person 3").pk
    assert found.reason == "same phone 00351 912 000 003"
    assert matcher.match(ContactRecord(number=2, full_name="person   7")).reason == "same name"


def test_a_stored_number_is_found_again_however_the_next_file_writes_it(user):
    first = imported(user, vcf(card("Rui Costa", phone="+351 912 000 111")))
    assert first.created == 1
    point = ContactPoint.objects.get(person__owner=user)
    assert point.phone_key == "912000111"

    job = start_import(
        owner=user, uploaded_by=user, uploaded_file=vcf(card("R. Costa", phone="00351912000111"))
    )
    preview_job(job)

    row = job.rows.get()
    assert row.status == ImportRow.Status.MATCH
    assert row.matched_person == point.person
    assert row.match_reason == "same phone 00351912000111"


def test_after_phone_region_changes_rekey_phones_lets_imports_match_older_numbers(
    user, settings, capsys
):
    settings.PHONE_REGION = None
    person = PersonFactory(owner=user, full_name="Ruth Bell")
    ContactPointFactory(person=person, kind="phone", value="1 555 123 4567")
    assert ContactPoint.objects.get().phone_key == "15551234567"  # no country to read it by

    settings.PHONE_REGION = "US"
    call_command("rekey_phones")

    assert "1 changed" in capsys.readouterr().out
    assert ContactPoint.objects.get().phone_key == "5551234567"
    job = start_import(
        owner=user, uploaded_by=user, uploaded_file=vcf(card("R. Bell", phone="+1 555 123 4567"))
    )
    preview_job(job)
    assert job.rows.get().matched_person == person


def test_the_preview_writes_no_people(user):
    job = start_import(
        owner=user, uploaded_by=user, uploaded_file=vcf(card("Ana Lima"), card("Ben Cole"))
    )
    job = preview_job(job)

    assert job.status == ImportJob.Status.AWAITING_CHOICES
    assert job.rows.count() == 2
    assert not Person.objects.exists()


# --- strategies ---------------------------------------------------------------------------


@pytest.fixture
def ana(user):
    person = PersonFactory(owner=user, full_name="Ana Lima", organisation="")
    ContactPointFactory(person=person, kind="email", value="ana@example.com")
    return person


ANA_AGAIN = card("Ana Lima", email="ana@example.com", phone="+351 912 000 111", org="Atlas")


def test_skip_leaves_people_already_in_tend_untouched_and_adds_the_new_ones(user, ana):
    job = imported(user, vcf(ANA_AGAIN, card("Ben Cole")), strategy="skip")

    assert (job.created, job.skipped, job.updated) == (1, 1, 0)
    ana.refresh_from_db()
    assert ana.organisation == ""
    assert ana.contact_points.count() == 1
    skipped = job.rows.get(number=1)
    assert skipped.person == ana and "Already in Tend as Ana Lima" in skipped.message


def test_update_empty_fills_only_what_is_missing_and_adds_new_contact_points(user, ana):
    ana.job_title = "Engineer"
    ana.save()

    job = imported(
        user,
        vcf(card("Ana L.", email="ana@example.com", phone="+351 912 000 111", org="Atlas")),
        strategy="update_empty",
    )

    assert (job.created, job.updated) == (0, 1)
    ana.refresh_from_db()
    assert ana.full_name == "Ana Lima"  # a name she already has is kept
    assert ana.organisation == "Atlas"
    assert ana.job_title == "Engineer"
    assert sorted(ana.contact_points.values_list("value", flat=True)) == [
        "+351 912 000 111",
        "ana@example.com",
    ]


def test_update_empty_with_nothing_new_counts_as_skipped(user, ana):
    job = imported(user, vcf(card("Ana Lima", email="ana@example.com")), strategy="update_empty")

    assert (job.updated, job.skipped) == (0, 1)
    assert job.rows.get().message == "Nothing new to add."


def test_create_new_adds_a_second_person_even_when_one_matches(user, ana):
    job = imported(user, vcf(ANA_AGAIN), strategy="create_new")

    assert job.created == 1
    assert Person.objects.filter(owner=user, full_name="Ana Lima").count() == 2


def test_a_choice_for_one_row_wins_over_the_imports_strategy(user, ana):
    job = imported(
        user,
        vcf(ANA_AGAIN, card("Ben Cole"), card("Cleo Dunn")),
        strategy="skip",
        actions={1: "update_empty", 2: "skip"},
    )

    assert (job.updated, job.created, job.skipped) == (1, 1, 1)
    ana.refresh_from_db()
    assert ana.organisation == "Atlas"
    assert not Person.objects.filter(full_name="Ben Cole").exists()
    assert Person.objects.filter(full_name="Cleo Dunn").exists()


def test_reimporting_the_same_file_with_skip_creates_nothing_new(user):
    content = "".join(
        [
            card("Ana Lima", uid="a-1", email="ana@example.com", phone="+351 912 000 111"),
            card("Ben Cole", phone="+44 7700 900123"),
            card("Cleo Dunn"),
        ]
    )
    first = imported(user, SimpleUploadedFile("c.vcf", content.encode()))
    people, points = Person.objects.count(), ContactPoint.objects.count()

    second = imported(user, SimpleUploadedFile("c.vcf", content.encode()), strategy="skip")

    assert first.created == 3
    assert (second.created, second.skipped) == (0, 3)
    assert (Person.objects.count(), ContactPoint.objects.count()) == (people, points)


def test_the_same_contact_twice_in_one_file_becomes_one_person(user):
    job = imported(
        user,
        vcf(
            card("Ana Lima", email="ana@example.com"),
            card("Ana Lima", email="ana@example.com", phone="+351 912 000 111"),
        ),
    )

    assert (job.created, job.merged) == (1, 1)
    ana = Person.objects.get(owner=user)
    assert ana.contact_points.count() == 2
    assert job.rows.get(number=2).match_reason == "same email ana@example.com"


# --- what comes in, and what does not --------------------------------------------------------


def test_new_people_get_their_contact_points_birthday_uid_and_a_quiet_circle(user):
    imported(
        user,
        vcf(
            card(
                "Ana Lima",
                uid="urn:uuid:1",
                email="ana@example.com",
                phone="+351 912 000 111",
                org="Atlas",
                bday="1980-03-22",
            )
        ),
    )

    ana = Person.objects.get(owner=user)
    assert ana.external_uid == "urn:uuid:1"
    assert ana.organisation == "Atlas"
    assert (ana.birthday_day, ana.birthday_month, ana.birthday_year) == (22, 3, 1980)
    assert ana.circle == "acquaintance" and ana.cadence_days is None
    assert {(p.kind, p.value) for p in ana.contact_points.all()} == {
        ("email", "ana@example.com"),
        ("phone", "+351 912 000 111"),
    }


def test_an_inline_photo_becomes_the_persons_photo(user):
    imported(user, vcf(card("Ana Lima", photo=jpeg_bytes())))

    ana = Person.objects.get(owner=user)
    assert ana.photo and ana.photo.read() == jpeg_bytes()


def test_a_photo_that_is_not_a_picture_is_left_out_with_a_note(user):
    job = imported(user, vcf(card("Ana Lima", photo=b"not a picture at all")))

    ana = Person.objects.get(owner=user)
    assert not ana.photo
    assert "photo is not an image Tend can read" in job.rows.get().message


def test_a_malformed_card_is_reported_by_number_while_the_good_ones_import(user):
    job = imported(user, vcf(card("Ana Lima"), card(""), card("Ben Cole")))

    assert (job.created, job.failed) == (2, 1)
    failed = job.rows.get(outcome="failed")
    assert failed.number == 2 and failed.message
    assert set(Person.objects.values_list("full_name", flat=True)) == {"Ana Lima", "Ben Cole"}


def test_the_uploaded_file_is_deleted_when_the_import_is_done(user, settings):
    job = imported(user, vcf(card("Ana Lima")))

    assert job.status == ImportJob.Status.DONE
    assert not job.file
    assert stored_import_files(settings) == []


def junk_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("contacts.txt", "not really")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", png_bytes()),
        ("contacts.zip", junk_zip()),
        ("empty.vcf", b""),
        ("junk.vcf", bytes(range(256)) * 8),
    ],
)
def test_a_file_that_is_not_a_contact_file_is_rejected_whole(user, settings, name, content):
    job = start_import(
        owner=user, uploaded_by=user, uploaded_file=SimpleUploadedFile(name, content)
    )

    assert job.status == ImportJob.Status.REJECTED
    assert job.reason
    assert not Person.objects.exists() and not ImportRow.objects.exists()
    assert stored_import_files(settings) == []


def test_a_file_over_the_limit_is_rejected_with_the_limit_in_words(user, settings):
    settings.IMPORT_MAX_BYTES = 2 * 1024 * 1024
    big = SimpleUploadedFile("big.vcf", card("Ana Lima").encode() * 40_000)

    job = start_import(owner=user, uploaded_by=user, uploaded_file=big)

    assert job.status == ImportJob.Status.REJECTED
    assert "up to 2 MB" in job.reason
    assert stored_import_files(settings) == []


def test_a_plain_csv_waits_for_its_columns_to_be_mapped(user):
    upload = SimpleUploadedFile(
        "people.csv", b"Who,Mail,Company,Misc\nAna Lima,ana@example.com,Atlas,x\n,,Nobody,y\n"
    )
    job = start_import(owner=user, uploaded_by=user, uploaded_file=upload)
    assert job.needs_mapping

    choose_mapping(
        job=job,
        mapping={"Who": "full_name", "Mail": "email", "Company": "organisation", "Misc": "ignore"},
    )
    job = run_import(preview_job(job))

    ana = Person.objects.get(owner=user)
    assert (ana.full_name, ana.organisation) == ("Ana Lima", "Atlas")
    assert ana.contact_points.get().value == "ana@example.com"
    assert (job.created, job.failed) == (1, 1)


def test_a_mapping_without_a_name_column_is_refused(user):
    upload = SimpleUploadedFile("people.csv", b"Mail\nana@example.com\n")
    job = start_import(owner=user, uploaded_by=user, uploaded_file=upload)

    with pytest.raises(ValueError, match="name"):
        choose_mapping(job=job, mapping={"Mail": "email"})


# --- tasks --------------------------------------------------------------------------------


def test_the_tasks_do_the_work_once(user):
    job = start_import(owner=user, uploaded_by=user, uploaded_file=vcf(card("Ana Lima")))

    preview_import(job.pk)
    preview_import(job.pk)
    run_import_job(job.pk)
    run_import_job(job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.created == 1
    assert Person.objects.count() == 1


def test_a_task_for_a_job_that_is_gone_does_nothing(user):
    preview_import(987654)
    run_import_job(987654)

    assert not Person.objects.exists()


# --- command ------------------------------------------------------------------------------


def test_the_command_imports_each_file_and_prints_the_summary(user, tmp_path, capsys):
    good = tmp_path / "phone.vcf"
    good.write_text(card("Ana Lima", email="ana@example.com") + card("") + card("Ben Cole"))

    call_command("import_contacts", "--user", "ALICE@example.com", str(good))

    output = capsys.readouterr().out
    assert "phone.vcf: 2 created, 0 updated, 0 merged, 0 skipped, 1 failed." in output
    assert "row 2:" in output
    assert Person.objects.filter(owner=user).count() == 2


def test_the_command_fails_for_a_rejected_file_and_still_imports_the_others(user, tmp_path):
    junk, good = tmp_path / "junk.png", tmp_path / "good.vcf"
    junk.write_bytes(png_bytes())
    good.write_text(card("Ana Lima"))
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 of 2 files"):
        call_command(
            "import_contacts",
            "--user",
            user.email,
            str(junk),
            str(good),
            "--strategy",
            "skip",
            stdout=out,
        )

    assert "junk.png: rejected." in out.getvalue()
    assert Person.objects.filter(owner=user).count() == 1


# --- writing many rows at once ----------------------------------------------------------------


def tagged_card(name: str, email: str, categories: str) -> str:
    return card(name, email=email).replace("END:VCARD", f"CATEGORIES:{categories}\r\nEND:VCARD")


def test_new_people_get_the_owners_existing_tags_and_each_new_tag_once(user, other_user):
    Tag.objects.create(owner=user, name="Friends")
    Tag.objects.create(owner=other_user, name="Climbing")

    job = imported(
        user,
        vcf(
            tagged_card("Ana Lima", "Ana@Example.com", "friends,Climbing"),
            tagged_card("Ben Cole", "ben@example.com", "Climbing,climbing, Book  club"),
            card("Cleo Dunn", phone="+351 912 000 111"),
        ),
    )

    assert job.created == 3
    assert sorted(Tag.objects.filter(owner=user).values_list("name", flat=True)) == [
        "Book club",
        "Climbing",
        "Friends",
    ]
    people = {p.full_name: p for p in Person.objects.filter(owner=user)}
    assert sorted(t.name for t in people["Ana Lima"].tags.all()) == ["Climbing", "Friends"]
    assert sorted(t.name for t in people["Ben Cole"].tags.all()) == ["Book club", "Climbing"]
    assert not people["Cleo Dunn"].tags.exists()
    # What de-duplication and search compare is filled in, as saving one by one does.
    assert people["Ana Lima"].contact_points.get().normalized == "ana@example.com"
    assert people["Cleo Dunn"].contact_points.get().normalized == "+351912000111"
    assert {row.person_id for row in job.rows.all()} == {p.pk for p in people.values()}


def test_a_row_the_database_refuses_fails_alone_and_the_rest_of_its_batch_is_created(user):
    # A NUL character past the part of the file that is sniffed: PostgreSQL refuses it.
    cards = [card(f"Person {n:04d}", email=f"p{n}@example.com") for n in range(1, 801)]
    cards[699] = card("Bad\x00Name", email="bad@example.com")
    job = imported(user, vcf(*cards))

    assert job.status == ImportJob.Status.DONE
    if connection.vendor != "postgresql":
        assert job.created == 800  # SQLite stores the NUL
        return
    assert (job.created, job.failed) == (799, 1)
    bad = job.rows.get(number=700)
    assert bad.outcome == ImportRow.Outcome.FAILED and "NUL" in bad.message
    assert bad.person is None
    assert Person.objects.filter(owner=user).count() == 799
    assert not Person.objects.filter(full_name__startswith="Bad").exists()


def test_new_people_are_written_in_a_few_queries_per_batch_not_per_row(user):
    cards = [
        tagged_card(f"Person {n:04d}", f"p{n}@example.com", "Friends,Work")
        for n in range(1, 2 * BATCH + 1)
    ]
    job = start_import(owner=user, uploaded_by=user, uploaded_file=vcf(*cards))
    job = preview_job(job)

    with CaptureQueriesContext(connection) as queries:
        job = run_import(job)

    assert job.created == 2 * BATCH
    assert ContactPoint.objects.filter(person__owner=user).count() == 2 * BATCH
    assert len(queries) < 40, [q["sql"][:80] for q in queries.captured_queries]


def test_a_contact_repeated_batches_later_in_the_same_file_is_still_found(user):
    count = 2 * BATCH + 50
    cards = [
        card(f"Person {n:04d}", email=f"p{n}@example.com", phone=f"+351 912 {n:06d}", uid=f"u-{n}")
        for n in range(1, count + 1)
    ]
    cards += [
        card("Ana Again", email="P1@Example.com"),
        card("Ben Again", phone="+351912000002"),
        card("Cleo Again", uid="u-3"),
    ]
    job = preview_job(start_import(owner=user, uploaded_by=user, uploaded_file=vcf(*cards)))

    repeats = job.rows.filter(number__gt=count).order_by("number")
    assert [(row.status, row.matched_row, row.match_reason) for row in repeats] == [
        ("match", 1, "same email p1@example.com"),
        ("match", 2, "same phone +351912000002"),
        ("match", 3, "same UID"),
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'tend_import_seen_%%'")
            assert cursor.fetchone()[0] == 0, "the preview's working table is dropped"

    job = run_import(job)
    assert (job.created, job.merged, job.failed) == (count, 3, 0)
    assert Person.objects.filter(owner=user).count() == count


# --- one reading of the file ------------------------------------------------------------------


def test_the_import_writes_what_the_preview_read_without_reading_the_file_again(user):
    job = start_import(
        owner=user,
        uploaded_by=user,
        uploaded_file=vcf(
            card("Ana Lima", email="ana@example.com", phone="+351 912 000 111", bday="--0322"),
            card("Ben Cole", email="ben@example.com"),
            card("Ana Lima", email="ana@example.com", phone="912 000 222"),
        ),
    )
    job = preview_job(job)
    # The file changes on disk after the preview: what the user reviewed is what comes in.
    Path(job.file.path).write_text(vcf(card("Someone Else")).read().decode())
    ben = job.rows.get(number=2)
    choose_actions(job=job, strategy="skip", row_actions={ben.pk: "skip"})

    job = run_import(job)

    assert (job.created, job.merged, job.skipped, job.failed) == (1, 1, 1, 0)
    ana = Person.objects.get(owner=user)
    assert (ana.full_name, ana.birthday_day, ana.birthday_month, ana.birthday_year) == (
        "Ana Lima",
        22,
        3,
        None,
    )
    assert sorted(ana.contact_points.values_list("value", flat=True)) == [
        "+351 912 000 111",
        "912 000 222",
        "ana@example.com",
    ]
    assert not job.rows.exclude(contact="").exists(), "nothing of the file is kept once done"


def test_a_job_previewed_before_rows_kept_their_contacts_reads_the_file_again(user):
    job = preview_job(
        start_import(
            owner=user,
            uploaded_by=user,
            uploaded_file=vcf(card("Ana Lima", email="ana@example.com"), card("Ben Cole")),
        )
    )
    job.rows.update(contact="")  # as an older preview left them

    job = run_import(job)

    assert (job.created, job.failed) == (2, 0)
    assert set(Person.objects.values_list("full_name", flat=True)) == {"Ana Lima", "Ben Cole"}


def test_people_written_in_bulk_are_what_validating_each_one_would_make(user):
    records = [
        ContactRecord(number=1, full_name="  Ana \n  Lima  ", nickname="A" * 150),
        ContactRecord(number=2, full_name=("Long " * 60).strip(), job_title="x" * 300),
        ContactRecord(number=3, full_name="", organisation="  Atlas \t Lda  "),
        ContactRecord(
            number=4,
            full_name="",
            contact_points=[ContactPointRecord("phone", " +351 912 000 111 ", " cell ")],
        ),
        ContactRecord(number=5, full_name="Leap", birthday_day=29, birthday_month=2),
        ContactRecord(
            number=6, full_name="Odd", birthday_day=31, birthday_month=4, birthday_year=1990
        ),
        ContactRecord(
            number=7,
            full_name="Old",
            birthday_day=1,
            birthday_month=1,
            birthday_year=1850,
            uid="u" * 300,
            notes=" note ",
            anniversary="2001-05-05",
        ),
    ]
    cards = [card(f"Person {n}") for n in range(1, len(records) + 1)]
    job = preview_job(start_import(owner=user, uploaded_by=user, uploaded_file=vcf(*cards)))
    for record in records:
        job.rows.filter(number=record.number).update(contact=record_to_json(record))

    job = run_import(job)

    assert (job.created, job.failed) == (len(records), 0)
    fields = [
        "full_name",
        "nickname",
        "organisation",
        "job_title",
        "story",
        "how_we_met",
        "external_uid",
        "birthday_day",
        "birthday_month",
        "birthday_year",
        "circle",
        "cadence_days",
        "pronouns",
        "photo",
        "preferred_channel",
        "paused",
    ]
    for record in records:
        row = job.rows.get(number=record.number)
        person = row.person
        person.full_clean()
        expected, points, _ = build_person(owner=user, record=record)
        assert [getattr(person, f) for f in fields] == [getattr(expected, f) for f in fields]
        assert sorted(
            person.contact_points.values_list("kind", "label", "value", "normalized")
        ) == sorted((p.kind, p.label, p.value, p.normalized) for p in points)


def test_repeats_in_one_file_merge_in_file_order_whatever_path_they_take(user):
    job = imported(
        user,
        vcf(
            card("Ana Lima", email="ana@example.com"),
            tagged_card("Ana Lima", "ana@example.com", "Friends").replace(
                "END:VCARD", "ORG:Atlas\r\nTEL;TYPE=CELL:+351 912 000 111\r\nEND:VCARD"
            ),
            card("Ana Lima", email="ana@example.com", phone="912000111", org="Other"),
            card("Ana Lima", email="ana@example.com", phone="+351 913 000 222"),
            card("Ben Cole", email="ben@example.com"),
            card("Ben Cole", email="ben@example.com", org="Photo Org", photo=jpeg_bytes()),
            card("Ben Cole", email="ben@example.com", org="Plain Org"),
            card("Cleo Dunn", email="cleo@example.com"),
            card("Cleo Dunn", email="cleo@example.com", org="Atlas"),
        ),
        actions={8: "skip"},
    )

    assert (job.created, job.merged, job.skipped, job.failed) == (3, 5, 1, 0)
    ana, ben = (Person.objects.get(owner=user, full_name=n) for n in ("Ana Lima", "Ben Cole"))
    assert ana.organisation == "Atlas", "the first repeat fills an empty field"
    assert sorted(ana.contact_points.values_list("value", flat=True)) == [
        "+351 912 000 111",
        "+351 913 000 222",
        "ana@example.com",
    ]
    assert [t.name for t in ana.tags.all()] == ["Friends"]
    assert ben.organisation == "Photo Org" and ben.photo
    assert job.rows.get(number=3).message == "Same contact as row 1."
    # The first Cleo was skipped as chosen, so her repeat has no one to merge into.
    cleo = Person.objects.get(owner=user, full_name="Cleo Dunn")
    assert cleo.organisation == "Atlas" and job.rows.get(number=9).outcome == "created"
