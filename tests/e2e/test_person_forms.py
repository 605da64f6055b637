import re

import pytest
from playwright.sync_api import expect

from connections.models import Person
from tests.e2e.helpers import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_a_person_with_two_values_shared_with_me(page, live_server, screenshot):
    user = UserFactory(email="erin@example.com", display_name="Erin")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, user.email)

    page.goto(f"{live_server.url}/me/")
    screenshot("me-empty-1280")
    page.get_by_role("button", name="Honesty").click()
    status = page.locator("#messages")
    expect(status).to_contain_text("Added Honesty to your values.")
    page.get_by_label("A value of yours").fill("Curiosity")
    page.get_by_label("What it means to you").fill("Asking the second question")
    page.get_by_role("button", name="Add value").click()
    expect(status).to_contain_text("Added Curiosity to your values.")
    expect(page.get_by_text("Asking the second question")).to_be_visible()
    page.get_by_label("Your reflection").fill(
        "I want to listen more than I talk this month.\nAsk one more question each time."
    )
    page.get_by_label("About").select_option("growth")
    page.get_by_role("button", name="Save reflection").click()
    expect(status).to_contain_text("Saved your reflection.")
    expect(page.get_by_text("I want to listen more than I talk")).to_be_visible()
    screenshot("me-1280")

    page.goto(f"{live_server.url}/people/new/")
    page.get_by_label("Full name").fill("Ana Lima")
    page.get_by_label("What you call them").fill("Aninha")
    page.get_by_label("Day", exact=True).select_option("14")
    page.get_by_label("Month", exact=True).select_option("March")
    page.get_by_label("Circle").select_option("inner")
    page.get_by_label("Honesty").check()
    page.get_by_label("Curiosity").check()
    page.get_by_label("Their other values").fill("faith")
    page.get_by_label("Tags").fill("book club, neighbours")
    page.get_by_label("Email, number, address or link").first.fill("ana at example")
    page.get_by_role("button", name="+ Add another").click()
    expect(page.locator("[name=contacts-3-value]")).to_be_focused()
    page.locator("[name=contacts-3-kind]").select_option("address")
    page.locator("[name=contacts-3-value]").fill("Rua das Flores 1, Porto")
    screenshot("person-form-1280")

    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_text("Enter an email address, like ana@example.com.")).to_be_visible()
    expect(page.get_by_label("Honesty")).to_be_checked()
    expect(page.locator("[name=contacts-3-value]")).to_have_value("Rua das Flores 1, Porto")
    screenshot("person-form-error-1280")
    page.get_by_label("Email, number, address or link").first.fill("ana@example.com")
    page.get_by_role("button", name="Add person").click()

    expect(page).to_have_url(re.compile(r"/people/\d+/$"))
    ana = Person.objects.get(owner=user)
    shared = sorted(pv.value.name for pv in ana.person_values.filter(value__is_mine=True))
    assert shared == ["Curiosity", "Honesty"]
    assert ana.values.filter(name="faith", is_mine=False).exists()
    assert {p.value for p in ana.contact_points.all()} == {
        "ana@example.com",
        "Rua das Flores 1, Porto",
    }
    assert (ana.birthday_day, ana.birthday_month, ana.birthday_year) == (14, 3, None)

    page.goto(f"{live_server.url}/people/{ana.pk}/edit/")
    expect(page.get_by_label("Honesty")).to_be_checked()
    expect(page.get_by_label("Curiosity")).to_be_checked()
    screenshot("person-edit-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/people/new/")
    screenshot("person-form-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/me/")
    screenshot("me-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name=re.compile("^Delete the reflection")).click()
    expect(page.locator("#messages")).to_contain_text("Deleted the reflection.")
    expect(page.get_by_text("Your journal is empty")).to_be_visible()
    page.goto(f"{live_server.url}/people/{ana.pk}/delete/")
    screenshot("person-delete-390")


def test_person_form_and_me_have_no_console_errors(page, live_server):
    user = UserFactory(email="finn@example.com")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, user.email)
    page.goto(f"{live_server.url}/me/")
    page.goto(f"{live_server.url}/people/new/")
    assert [e for e in errors if "favicon" not in e] == []
