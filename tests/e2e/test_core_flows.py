"""The flows issue 3 and 4 promise, end to end in headless Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connections.models import Circle, Interaction, Nudge, Person
from connections.nudges import schedule_follow_up
from tests.e2e.helpers import log_in
from tests.factories import ContactPointFactory, PersonFactory, UserFactory, interaction_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_someone_by_a_word_from_what_they_shared(page, live_server):
    alice = UserFactory(email="alice@example.com")
    ana = PersonFactory(owner=alice, full_name="Ana Lima")
    PersonFactory(owner=alice, full_name="Ben Okafor")
    log_in(page, live_server, next_path=f"/people/{ana.pk}/")

    page.get_by_label("What I heard").fill("Her sourdough starter finally rose")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("#messages")).to_contain_text("Logged")

    page.goto(f"{live_server.url}/people/")
    page.get_by_role("searchbox", name="Search people").fill("sourdough")
    expect(page.locator(".person-row")).to_have_count(1)
    expect(page.locator(".person-row")).to_contain_text("Ana Lima")


def test_merge_two_duplicates_into_one(page, live_server, screenshot):
    alice = UserFactory(email="alice@example.com")
    keep = PersonFactory(owner=alice, full_name="Ana Lima", organisation="")
    duplicate = PersonFactory(owner=alice, full_name="Ana M. Lima", organisation="Harbour Clinic")
    ContactPointFactory(person=keep, value="ana@example.com")
    ContactPointFactory(person=duplicate, value="ANA@example.com")
    talk = interaction_with(duplicate, what_i_heard="Thinking about moving to Porto")
    log_in(page, live_server, next_path="/people/merge/")

    page.get_by_role("link", name="Compare Ana Lima and Ana M. Lima").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge two entries into one")
    page.get_by_role("group", name="Organisation").get_by_label("Harbour Clinic").check()
    screenshot("merge-form")
    page.get_by_role("button", name="Merge into one person").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Lima")
    expect(page.locator("body")).to_contain_text("Thinking about moving to Porto")
    assert Person.objects.filter(owner=alice).count() == 1
    merged = Person.objects.get(owner=alice)
    assert merged.organisation == "Harbour Clinic"
    assert list(Interaction.objects.filter(people=merged)) == [talk]


def test_done_and_snooze_on_the_dashboard_without_a_reload(page, live_server, screenshot):
    alice = UserFactory(email="alice@example.com", display_name="Alice")
    ana = PersonFactory(
        owner=alice, full_name="Ana Lima", nickname="Ana", circle=Circle.ACQUAINTANCE
    )
    ben = PersonFactory(
        owner=alice, full_name="Ben Okafor", nickname="Ben", circle=Circle.ACQUAINTANCE
    )
    today = timezone.localdate()
    first = schedule_follow_up(person=ana, due_on=today, reason="Ask about the job interview")
    second = schedule_follow_up(
        person=ben, due_on=today - timedelta(days=1), reason="His flat move"
    )
    log_in(page, live_server)
    page.evaluate("window.stillTheSamePage = true")
    screenshot("dashboard-nudges")

    page.get_by_role("button", name="Done: Ana Lima").click()
    expect(page.locator(f"#nudge-{first.pk}")).to_contain_text("Done: Ana")
    page.locator(f"#nudge-{second.pk}").get_by_role("button", name="3 days").click()
    expect(page.locator(f"#nudge-{second.pk}")).to_contain_text("Snoozed Ben")

    assert page.evaluate("window.stillTheSamePage") is True
    assert Nudge.objects.get(pk=first.pk).status == "done"
    assert Nudge.objects.get(pk=second.pk).due_on == today + timedelta(days=3)
