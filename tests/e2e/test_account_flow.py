import re

import pytest
from playwright.sync_api import expect

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_log_out_log_in_and_see_today(page, live_server, screenshot):
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Email").fill("erin@example.com")
    page.get_by_label("Your name").fill("Erin")
    page.get_by_label("Your timezone").select_option("Pacific/Auckland")
    page.get_by_label("Password", exact=True).fill("quiet-harbour-lights-9")
    page.get_by_label("Password confirmation").fill("quiet-harbour-lights-9")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Erin")
    assert User.objects.get(email="erin@example.com").timezone == "Pacific/Auckland"

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))

    page.get_by_label("Email").fill("erin@example.com")
    page.get_by_label("Password").fill("quiet-harbour-lights-9")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Erin")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert screenshot("dashboard").stat().st_size > 0


def test_signup_guesses_the_browser_timezone(browser, live_server):
    context = browser.new_context(timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/signup/")
    expect(page.get_by_label("Your timezone")).to_have_value("Asia/Tokyo")
    context.close()


def test_pages_load_without_console_errors_or_csp_violations(page, live_server):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/login/")
    page.goto(f"{live_server.url}/signup/")
    assert page.evaluate("typeof window.htmx") == "object"
    assert [e for e in errors if "favicon" not in e] == []
