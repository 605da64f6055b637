from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connections.demo import seed_demo
from connections.models import Circle, InteractionKind
from tests.e2e.helpers import log_in
from tests.factories import PASSWORD, PersonFactory, UserFactory, interaction_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_shows_an_overdue_person_with_what_they_shared(page, live_server):
    user = UserFactory(email="dana@example.com", display_name="Dana")
    ana = PersonFactory(owner=user, full_name="Ana Lima", circle=Circle.INNER)
    interaction_with(
        ana,
        kind=InteractionKind.IN_PERSON,
        occurred_at=timezone.now() - timedelta(days=12),
        what_i_heard="Nervous about the interview on Tuesday.",
    )

    log_in(page, live_server, "dana@example.com")

    reach_out = page.get_by_role("region", name="Reach out today")
    card = reach_out.get_by_role("listitem").filter(has_text="Ana Lima")
    expect(card).to_contain_text("Nervous about the interview on Tuesday.")
    expect(card).to_contain_text("Last in touch 12 days ago")
    expect(card.get_by_role("link", name="Log a conversation with Ana")).to_have_attribute(
        "href", f"/interactions/new/?person={ana.pk}"
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_the_seeded_dashboard_and_insights_fit_the_screen(page, live_server, screenshot, width):
    seed_demo(password=PASSWORD)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": width, "height": 900})

    log_in(page, live_server, "demo@example.com")
    expect(
        page.get_by_role("region", name="Reach out today").get_by_role("listitem")
    ).to_have_count(6)
    expect(page.get_by_role("region", name="Coming up")).to_contain_text("Birthday")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"dashboard-{width}")

    page.get_by_role("link", name="See your insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    expect(page.get_by_role("img", name="Interactions per week")).to_be_visible()
    page.get_by_text("Show the numbers").click()
    expect(page.get_by_role("table")).to_contain_text("(this week)")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"insights-{width}")

    assert [error for error in errors if "favicon" not in error] == []
