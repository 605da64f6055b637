import re

from playwright.sync_api import expect

from tests.factories import PASSWORD


def log_in(page, live_server, email="alice@example.com", next_path=""):
    """Log in through the real form, landing on `next_path` (the dashboard by default)."""
    query = f"?next={next_path}" if next_path else ""
    page.goto(f"{live_server.url}/login/{query}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state()
