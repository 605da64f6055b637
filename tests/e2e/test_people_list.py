import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connections.models import Circle, ContactPoint
from connections.people import archive_person, create_person
from connections.values import add_my_value, add_person_value
from tests.e2e.helpers import log_in
from tests.factories import ContactPointFactory, UserFactory, interaction_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    # name, circle, days since last contact, organisation, tags, shared values
    ("Ana Lima", Circle.INNER, 3, "Harbour Clinic", ["family"], 2),
    ("Ben Okafor", Circle.CLOSE, 75, "Northwind", ["book club", "running"], 1),
    ("Chiara Rossi", Circle.INNER, 12, "", ["family"], 3),
    ("Dev Patel", Circle.WIDER, 20, "Studio Dune", ["work"], 0),
    ("Elif Şahin", Circle.CLOSE, 40, "", ["climbing"], 1),
    ("Farah Haddad", Circle.ACQUAINTANCE, None, "City Library", [], 0),
    ("Gus Müller", Circle.WIDER, 300, "", ["old school"], 0),
]


@pytest.fixture
def alice_with_people(db):
    alice = UserFactory(email="alice@example.com", display_name="Alice")
    for value in ["honesty", "curiosity", "family"]:
        add_my_value(owner=alice, name=value)
    for name, circle, ago, organisation, tags, shared in PEOPLE:
        person = create_person(
            owner=alice, full_name=name, circle=circle, organisation=organisation, tag_names=tags
        )
        for value in ["honesty", "curiosity", "family"][:shared]:
            add_person_value(person=person, name=value)
        if ago is not None:
            interaction_with(
                person,
                occurred_at=timezone.now() - timedelta(days=ago),
                what_i_heard=f"Caught up with {name.split()[0]}.",
            )
    ana = alice.people.get(full_name="Ana Lima")
    ContactPointFactory(person=ana, kind=ContactPoint.Kind.EMAIL, value="ana@lima.example")
    interaction_with(ana, what_i_heard="She is nervous about the marathon in spring.")
    paused = create_person(owner=alice, full_name="Hana Sato", circle=Circle.CLOSE, paused=True)
    interaction_with(paused, occurred_at=timezone.now() - timedelta(days=90))
    archive_person(person=create_person(owner=alice, full_name="Iris Gone"))
    return alice


def test_search_narrows_the_list_in_place(page, live_server, alice_with_people, screenshot):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, next_path="/people/")
    rows = page.locator(".person-row")
    expect(rows).to_have_count(8)
    page.evaluate("window.stillTheSamePage = true")

    page.keyboard.press("/")
    search = page.get_by_label("Search people")
    expect(search).to_be_focused()
    search.press_sequentially("marathon", delay=30)

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ana Lima")
    expect(page.get_by_role("status").filter(has_text="matching")).to_have_text(
        "1 person matching “marathon”"
    )
    expect(page).to_have_url(re.compile(r"/people/\?q=marathon$"))
    assert page.evaluate("window.stillTheSamePage") is True

    search.fill("nobody-like-this")
    expect(page.get_by_role("heading", name="No one matches “nobody-like-this”")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    assert errors == []

    # Screenshots last: Playwright's caret hiding leaves style="" on inputs, which the strict
    # CSP then reports when htmx settles those attributes on a later swap.
    screenshot("people-list-no-match")
    page.goto(f"{live_server.url}/people/")
    screenshot("people-list-1280")


def test_filters_and_bulk_tag_without_a_reload(page, live_server, alice_with_people, screenshot):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, next_path="/people/")
    page.evaluate("window.stillTheSamePage = true")

    filters = page.get_by_role("search", name="People")
    filters.get_by_label("Sort by").select_option("overdue")
    expect(page.locator(".person-row").first).to_contain_text("Gus Müller")
    filters.get_by_label("Circle").select_option("inner")
    expect(page.locator(".person-row")).to_have_count(2)

    page.get_by_label("Select Chiara Rossi").check()
    bar = page.get_by_role("group", name="Change the people you ticked")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("1 selected")
    screenshot("people-list-bulk")
    bar.get_by_label("Tag", exact=True).fill("dinner crew")
    bar.get_by_role("button", name="Add tag").click()

    expect(page.locator("#messages")).to_have_text("Tagged 1 person “dinner crew”.")
    expect(page.locator(".person-row", has_text="Chiara Rossi")).to_contain_text("dinner crew")
    expect(bar).to_be_hidden()
    assert page.evaluate("window.stillTheSamePage") is True


def test_phone_width_is_one_column_without_sideways_scroll(
    page, live_server, alice_with_people, screenshot
):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, next_path="/people/")
    expect(page.locator(".person-row")).to_have_count(8)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("people-list-390")
    page.get_by_label("Select Ben Okafor").check()
    page.get_by_label("Select Dev Patel").check()
    expect(page.get_by_role("group", name="Change the people you ticked")).to_contain_text(
        "2 selected"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("people-list-390-bulk")


def test_a_new_account_sees_how_to_begin(page, live_server, screenshot):
    UserFactory(email="new@example.com")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, email="new@example.com", next_path="/people/")

    expect(page.get_by_role("heading", name="Start with the people who matter")).to_be_visible()
    expect(page.get_by_role("link", name="Add a person")).to_have_attribute("href", "/people/new/")
    screenshot("people-list-empty")
