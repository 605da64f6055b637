"""Imports in a real browser, with a real Celery worker doing the reading and the writing."""

import re

import pytest
from playwright.sync_api import expect

from connections.models import ContactPoint, ImportJob, Person
from tests.connections.import_helpers import card, import_worker
from tests.factories import PASSWORD, ContactPointFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with import_worker(settings) as queue:
        yield queue


@pytest.fixture
def alice(db):
    alice = UserFactory(email="alice@example.com", display_name="Alice")
    ana = PersonFactory(owner=alice, full_name="Ana Lima", organisation="")
    ContactPointFactory(person=ana, kind="email", value="ana@example.com")
    return alice


@pytest.fixture
def address_book(tmp_path):
    path = tmp_path / "iPhone contacts.vcf"
    path.write_text(
        card("Ana Lima", email="ana@example.com", phone="+351 912 000 111", org="Atlas")
        + card("")
        + card("Ben Cole", email="ben@example.com", bday="1990-05-04")
    )
    return path


def log_in(page, live_server, email, next_url):
    page.goto(f"{live_server.url}/login/?next={next_url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(next_url)))


def test_an_operator_imports_a_file_for_a_user_in_the_admin(
    page, live_server, worker, alice, address_book
):
    UserFactory(email="operator@example.com", is_staff=True, is_superuser=True)
    log_in(page, live_server, "operator@example.com", "/admin/connections/importjob/")

    page.get_by_role("link", name=re.compile("Add import job", re.I)).click()
    expect(page.get_by_role("heading", name="Import contacts for a user")).to_be_visible()
    page.get_by_label("Import into the account of").select_option(label="alice@example.com (Alice)")
    page.get_by_label("Contact file").set_input_files(str(address_book))
    page.get_by_label("Fill in what is missing").check()
    page.get_by_role("button", name="Upload and preview").click()

    # The worker reads the file while the page polls; the preview replaces the progress bar.
    expect(page.get_by_role("heading", name="Preview: nothing is added yet")).to_be_visible(
        timeout=30_000
    )
    summary = page.locator(".import-counts")
    expect(summary).to_contain_text("1 new")
    expect(summary).to_contain_text("1 already in Tend")
    expect(summary).to_contain_text("1 cannot be read")
    expect(page.get_by_role("row", name=re.compile("Ana Lima"))).to_contain_text(
        "same email ana@example.com"
    )
    assert not Person.objects.filter(full_name="Ben Cole").exists()

    page.get_by_role("button", name="Import 3 contacts").click()

    expect(page.get_by_role("heading", name="Import finished")).to_be_visible(timeout=30_000)
    totals = page.locator(".import-totals")
    expect(totals).to_contain_text(re.compile(r"Added\s*1"))
    expect(totals).to_contain_text(re.compile(r"Updated\s*1"))
    expect(totals).to_contain_text(re.compile(r"Failed\s*1"))
    expect(page.get_by_role("row", name=re.compile(r"^2 "))).to_contain_text("Failed")

    ana = Person.objects.get(owner=alice, full_name="Ana Lima")
    assert ana.organisation == "Atlas"
    assert ana.contact_points.filter(kind=ContactPoint.Kind.PHONE).exists()
    ben = Person.objects.get(owner=alice, full_name="Ben Cole")
    assert (ben.birthday_day, ben.birthday_month, ben.birthday_year) == (4, 5, 1990)
    job = ImportJob.objects.get()
    assert job.uploaded_by.email == "operator@example.com" and job.owner == alice

    page.goto(f"{live_server.url}/admin/connections/importjob/")
    expect(page.locator("#result_list")).to_contain_text("iPhone contacts.vcf")
    expect(page.locator("#result_list")).to_contain_text("alice@example.com")


def test_a_user_imports_their_own_file_and_follows_the_links_to_the_people(
    page, live_server, worker, alice, address_book
):
    log_in(page, live_server, "alice@example.com", "/import/")

    expect(page.get_by_role("heading", name="Import contacts")).to_be_visible()
    page.get_by_label("Contact file").set_input_files(str(address_book))
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", name="Preview: nothing is added yet")).to_be_visible(
        timeout=30_000
    )
    ben_row = page.get_by_role("row", name=re.compile("Ben Cole"))
    expect(ben_row).to_contain_text("New")
    expect(ben_row).to_contain_text("4 May 1990")
    page.get_by_role("button", name="Import 3 contacts").click()

    expect(page.get_by_role("heading", name="Import finished")).to_be_visible(timeout=30_000)
    expect(page.locator(".import-totals")).to_contain_text(re.compile(r"Skipped\s*1"))
    page.get_by_role("link", name="Ben Cole").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Cole")
