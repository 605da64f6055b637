import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connections.importing.pipeline import start_import
from connections.models import ImportJob, Person
from connections.tasks import preview_import, run_import_job
from tests.connections.import_helpers import card, png_bytes, vcf
from tests.factories import ContactPointFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def import_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def upload(client, file, strategy="skip"):
    return client.post("/import/", {"file": file, "strategy": strategy})


def test_the_import_page_teaches_which_files_work_when_nothing_was_imported(alice_client):
    page = alice_client.get("/import/").content.decode()

    assert 'type="file"' in page and 'accept=".vcf,' in page
    for source in ("iPhone", "Google", "Outlook", "LinkedIn"):
        assert source in page
    assert "Safe to import the same file twice" in page
    assert "Your imports" not in page


def test_uploading_a_file_queues_its_preview_and_shows_progress(
    alice_client, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = upload(alice_client, vcf(card("Ana Lima")))

    job = ImportJob.objects.get(owner=user)
    assert response.status_code == 302 and response["Location"] == f"/import/{job.pk}/"
    assert len(queued) == 1
    page = alice_client.get(f"/import/{job.pk}/").content.decode()
    assert "<progress" in page
    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="/import/{job.pk}/progress/"' in page


def test_a_file_that_is_not_contacts_is_refused_next_to_the_field(alice_client, user):
    response = upload(alice_client, SimpleUploadedFile("me.png", png_bytes()))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<div id="id_file_error"><p class="error">' in page
    assert ImportJob.objects.get(owner=user).reason in page
    assert not Person.objects.exists()


def preview(user, file, strategy="skip") -> ImportJob:
    job = start_import(owner=user, uploaded_by=user, uploaded_file=file, strategy=strategy)
    preview_import(job.pk)
    job.refresh_from_db()
    return job


def test_the_preview_shows_new_matching_and_unreadable_contacts_with_a_choice_per_row(
    alice_client, user
):
    ana = PersonFactory(owner=user, full_name="Ana Lima")
    ContactPointFactory(person=ana, kind="email", value="ana@example.com")
    job = preview(user, vcf(card("Ana L.", email="ana@example.com"), card("Ben Cole"), card("")))

    page = alice_client.get(f"/import/{job.pk}/").content.decode()

    assert "<strong>1</strong> new" in page
    assert "<strong>1</strong> already in Tend" in page
    assert "<strong>1</strong> cannot be read" in page
    assert f'<a href="/people/{ana.pk}/">Ana Lima</a>' in page
    assert "same email ana@example.com" in page
    assert "Fill in what is missing" in page
    assert "hx-trigger" not in page
    assert "Import 3 contacts" in page


def test_choosing_and_importing_runs_in_the_background_and_ends_with_a_report(
    alice_client, user, django_capture_on_commit_callbacks
):
    ana = PersonFactory(owner=user, full_name="Ana Lima")
    ContactPointFactory(person=ana, kind="email", value="ana@example.com")
    job = preview(user, vcf(card("Ana L.", email="ana@example.com", org="Atlas"), card("Ben")))
    rows = {row.number: row for row in job.rows.all()}

    with django_capture_on_commit_callbacks() as queued:
        response = alice_client.post(
            f"/import/{job.pk}/",
            {"strategy": "skip", f"row-{rows[1].pk}": "update_empty", "import": "1"},
        )

    assert response.status_code == 302
    assert len(queued) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING
    assert 'hx-trigger="every 1s"' in alice_client.get(f"/import/{job.pk}/").content.decode()

    run_import_job(job.pk)

    page = alice_client.get(f"/import/{job.pk}/").content.decode()
    assert "Import finished" in page
    ana.refresh_from_db()
    assert ana.organisation == "Atlas"
    ben = Person.objects.get(owner=user, full_name="Ben")
    assert f'<a href="/people/{ben.pk}/">Ben</a>' in page
    assert f'<a href="/people/{ana.pk}/">Ana Lima</a>' in page
    assert "hx-trigger" not in page


def test_a_second_click_on_import_does_not_queue_it_twice(
    alice_client, user, django_capture_on_commit_callbacks
):
    job = preview(user, vcf(card("Ana Lima")))
    with django_capture_on_commit_callbacks() as queued:
        alice_client.post(f"/import/{job.pk}/", {"strategy": "skip", "import": "1"})
        alice_client.post(f"/import/{job.pk}/", {"strategy": "skip", "import": "1"})

    assert len(queued) == 1


def test_the_progress_endpoint_answers_the_bar_while_running_then_reloads_the_page(
    alice_client, user
):
    job = start_import(owner=user, uploaded_by=user, uploaded_file=vcf(card("Ana Lima")))
    url = f"/import/{job.pk}/progress/"

    running = alice_client.get(url, headers={"HX-Request": "true"})
    assert running.status_code == 200
    assert b"<progress" in running.content and b"every 1s" in running.content

    preview_import(job.pk)
    finished = alice_client.get(url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"

    assert alice_client.get(url)["Location"] == f"/import/{job.pk}/"


def test_a_plain_csv_asks_which_column_holds_what(
    alice_client, user, django_capture_on_commit_callbacks
):
    csv_file = SimpleUploadedFile("list.csv", b"Name,E-mail,Whatever\nAna Lima,ana@example.com,x\n")
    with django_capture_on_commit_callbacks() as queued:
        upload(alice_client, csv_file)
    job = ImportJob.objects.get(owner=user)
    assert queued == []

    page = alice_client.get(f"/import/{job.pk}/").content.decode()
    assert "Which column holds what?" in page
    assert '<label for="column-1">E-mail</label>' in page
    assert '<option value="email" selected>' in page
    assert "hx-trigger" not in page

    refused = alice_client.post(
        f"/import/{job.pk}/mapping/",
        {"column-0": "ignore", "column-1": "email", "column-2": "ignore"},
    )
    assert refused.status_code == 400
    assert "Choose the column that holds the name" in refused.content.decode()

    with django_capture_on_commit_callbacks() as queued:
        alice_client.post(
            f"/import/{job.pk}/mapping/",
            {"column-0": "full_name", "column-1": "email", "column-2": "ignore"},
        )
    assert len(queued) == 1
    preview_import(job.pk)
    run_import_job(job.pk)
    assert Person.objects.get(owner=user).contact_points.get().value == "ana@example.com"


def test_past_imports_are_listed_with_what_happened(alice_client, user):
    job = preview(user, vcf(card("Ana Lima"), card("Ben Cole"), name="phone.vcf"))
    run_import_job(job.pk)

    page = alice_client.get("/import/").content.decode()

    assert "Your imports" in page
    assert f'<a href="/import/{job.pk}/">phone.vcf</a>' in page
    assert "2 added" in page


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("post", ""), ("get", "progress/"), ("post", "mapping/")],
)
def test_another_users_import_is_not_found(alice_client, other_user, method, suffix):
    job = start_import(
        owner=other_user, uploaded_by=other_user, uploaded_file=vcf(card("Bob's friend"))
    )

    response = getattr(alice_client, method)(f"/import/{job.pk}/{suffix}", {"import": "1"})

    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


def test_the_preview_page_query_count_does_not_grow_with_the_rows(
    alice_client, user, django_assert_max_num_queries
):
    for n in range(5):
        person = PersonFactory(owner=user, full_name=f"Known {n}")
        ContactPointFactory(person=person, kind="email", value=f"k{n}@example.com")
    small = preview(user, vcf(*[card(f"Known {n}") for n in range(5)]))
    large = preview(
        user,
        vcf(*[card(f"Known {n % 5}", email=f"k{n % 5}@example.com") for n in range(60)]),
    )
    with CaptureQueriesContext(connection) as few:
        alice_client.get(f"/import/{small.pk}/")
    with django_assert_max_num_queries(len(few)):
        alice_client.get(f"/import/{large.pk}/")


def test_the_admin_lists_a_previewed_jobs_rows_for_a_superuser(client, user):
    job = preview(user, vcf(card("Ana Lima", email="ana@example.com"), card("")))
    admin = type(user).objects.create_superuser(email="admin@example.com", password="x-x-x-x")
    client.force_login(admin)

    job_page = client.get(f"/admin/connections/importjob/{job.pk}/change/")
    rows_page = client.get("/admin/connections/importrow/")

    assert job_page.status_code == 200 and rows_page.status_code == 200
    # Both rows are "not simply added" yet (nothing is imported): the job's inline lists them,
    # the unreadable card with its reason.
    unreadable = job.rows.get(status="error")
    assert unreadable.message and unreadable.message in job_page.content.decode()
    assert rows_page.content.decode().count(f">{job}<") == 2
