from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from connections.goals import add_goal, add_milestone, complete_milestone, set_goal_status
from connections.models import Circle, ContactPoint, InteractionKind
from connections.people import add_relationship, tags_named
from connections.values import add_my_value, add_person_value
from tests.e2e.helpers import log_in
from tests.factories import (
    ContactPointFactory,
    PersonFactory,
    UserFactory,
    interaction_with,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_ana():
    today = timezone.localdate()
    user = UserFactory(email="alice@example.com", display_name="Alice")
    ana = PersonFactory(
        owner=user,
        full_name="Ana Lima",
        nickname="Aninha",
        pronouns="she/her",
        circle=Circle.CLOSE,
        organisation="Porto Ceramics",
        job_title="Studio lead",
        preferred_channel=InteractionKind.VIDEO,
        connect_notes="Evenings after 8 her time. Happy in Portuguese or English.",
        how_we_met="At a pottery class in Porto, 2019. We shared a wheel.",
        story="Grew up by the sea in Matosinhos; the first in her family to go to university.",
        birthday_day=(today + timedelta(days=4)).day,
        birthday_month=(today + timedelta(days=4)).month,
        birthday_year=1991,
    )
    ana.tags.set(tags_named(owner=user, names=["pottery", "porto"]))
    ContactPointFactory(person=ana, kind=ContactPoint.Kind.EMAIL, value="ana@example.com")
    ContactPointFactory(
        person=ana, kind=ContactPoint.Kind.PHONE, label="mobile", value="+351 912 345 678"
    )
    for name in ("honesty", "curiosity", "family"):
        add_my_value(owner=user, name=name)
    add_person_value(person=ana, name="honesty", note="Says hard things kindly")
    add_person_value(person=ana, name="curiosity")
    add_person_value(person=ana, name="adventure", note="Sails every summer")
    job = add_goal(person=ana, title="Open her own studio", target_date=today + timedelta(days=90))
    complete_milestone(milestone=add_milestone(goal=job, title="Find a space"), on=today)
    add_milestone(goal=job, title="Buy a kiln", due_on=today + timedelta(days=30))
    half = add_goal(person=ana, title="Run the Porto half marathon")
    set_goal_status(goal=half, status="achieved", on=today - timedelta(days=20))
    tomas = PersonFactory(owner=user, full_name="Tomás Lima")
    ben = PersonFactory(owner=user, full_name="Ben Okafor")
    add_relationship(person=ana, other=tomas, kind="sibling")
    now = timezone.now()
    interaction_with(
        ana,
        occurred_at=now - timedelta(days=12),
        kind=InteractionKind.VIDEO,
        duration_minutes=45,
        connection_rating=4,
        what_i_heard="She is torn about leaving the studio: excited to build her own, "
        "scared of the money. Her dad's health is better.",
        what_i_shared="My own wobble before I went freelance.",
        topic_names=["studio", "family"],
    )
    interaction_with(
        ana,
        ben,
        occurred_at=now - timedelta(days=40),
        kind=InteractionKind.IN_PERSON,
        what_i_heard="Dinner at Ben's. She laughed the whole evening about the sailing trip.",
        connection_rating=5,
    )
    return user, ana


def test_log_an_interaction_in_place_and_see_the_script_as_text(page, live_server, screenshot):
    _, ana = make_ana()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server)

    page.goto(f"{live_server.url}/people/{ana.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Lima")
    expect(page.get_by_label("How", exact=True)).to_have_value("video")
    screenshot("person-1280")
    # Playwright's screenshot leaves style="" on inputs, which htmx would then settle into
    # the swapped form and the CSP would (rightly) refuse: start from a fresh page.
    page.reload()

    page.evaluate("window.tendMarker = 'still the same page'")
    page.get_by_label("How", exact=True).select_option("call")
    page.get_by_label("What I heard").fill("<script>alert(1)</script> She got the keys!")
    page.get_by_text("4", exact=True).click()
    page.get_by_role("button", name="Log it").click()

    status = page.locator("#messages")
    expect(status).to_contain_text("Logged: phone call with Ana Lima.")
    first_entry = page.locator("#timeline-list > li").first
    expect(first_entry).to_contain_text("<script>alert(1)</script> She got the keys!")
    expect(first_entry).to_contain_text("felt 4 of 5")
    expect(page.locator("#person-status")).to_contain_text("Last contact today")
    expect(page.get_by_label("What I heard")).to_have_value("")
    assert page.evaluate("window.tendMarker") == "still the same page"
    assert dialogs == []
    screenshot("person-after-log-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/people/{ana.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("person-390")
    assert [e for e in errors if "favicon" not in e] == []


def test_add_a_value_and_tick_a_milestone_in_place(page, live_server):
    _, ana = make_ana()
    log_in(page, live_server)
    page.goto(f"{live_server.url}/people/{ana.pk}/")
    page.evaluate("window.tendMarker = 1")

    page.get_by_text("Add a value of theirs").click()
    page.get_by_label("A value of theirs").fill("family")
    page.get_by_label("What it means to them").fill("Sunday lunch, always")
    page.get_by_role("button", name="Add value").click()

    shared = page.locator(".value-shared")
    expect(shared).to_contain_text("family")
    expect(shared).to_contain_text("Sunday lunch, always")

    kiln = page.get_by_role("button", name="Buy a kiln")
    expect(kiln).to_have_attribute("aria-pressed", "false")
    kiln.click()
    expect(page.get_by_role("button", name="Buy a kiln")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.tendMarker") == 1


def test_pick_others_and_a_relationship_by_typing(page, live_server):
    user, ana = make_ana()
    PersonFactory(owner=user, full_name="Cleo Park", organisation="City Library")
    PersonFactory(owner=user, full_name="Benedita Sousa")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/people/{ana.pk}/")
    page.evaluate("window.tendMarker = 'same page'")

    page.get_by_text("Duration, topics, others there").click()
    box = page.get_by_label("Others who were there")
    # By keyboard: type, arrow down to the first match, Enter.
    box.press_sequentially("ben", delay=30)
    options = page.locator("#id_people_results [role=option]")
    # Ben has no work or nickname on file: when you last talked tells namesakes apart.
    expect(options).to_have_text(["Ben Okafor last contact 40 days ago", "Benedita Sousa"])
    expect(page.locator("#id_people_status")).to_have_text(
        "2 people match; use the up and down keys, then Enter, to choose."
    )
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    chosen = page.locator("#id_people_chosen")
    expect(chosen.get_by_role("checkbox", name="Ben Okafor")).to_be_checked()
    expect(box).to_have_value("")
    expect(page.locator("#id_people_results")).to_be_empty()
    expect(page.locator("#id_people_status")).to_have_text("Added Ben Okafor.")

    # By mouse; someone already chosen, or the page's own person, is not suggested again.
    box.press_sequentially("o", delay=30)
    expect(options.first).to_be_visible()
    expect(page.locator("#id_people_results")).not_to_contain_text("Ben Okafor")
    expect(page.locator("#id_people_results")).not_to_contain_text("Ana Lima")
    box.fill("")
    box.press_sequentially("park", delay=30)
    page.get_by_role("option", name="Cleo Park").click()
    expect(chosen.get_by_role("checkbox", name="Cleo Park")).to_be_checked()
    expect(box).to_be_focused()

    page.get_by_label("What I heard").fill("Dinner for Cleo's new job.")
    page.get_by_role("button", name="Log it").click()
    expect(page.locator("#messages")).to_contain_text(
        "Logged: video call with Ana Lima and Ben Okafor, Cleo Park."
    )
    expect(page.locator("#timeline-list > li").first).to_contain_text("with Ben Okafor, Cleo Park")

    page.get_by_text("Add someone in their life").click()
    who = page.get_by_label("Who", exact=True)
    who.press_sequentially("cleo", delay=30)
    page.get_by_role("option", name="Cleo Park").click()
    page.get_by_label("How they are related").select_option(label="is their friend")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#messages")).to_contain_text("Added Cleo Park as Aninha’s friend.")
    expect(page.locator(".ties")).to_contain_text("Cleo Park")
    assert page.evaluate("window.tendMarker") == "same page"
    assert [e for e in errors if "favicon" not in e] == []


def test_the_picker_open_on_a_wide_and_a_phone_screen(page, live_server, tmp_path):
    user, ana = make_ana()
    for name in ("Cleo Park", "Benedita Sousa", "Bruno Alves", "Beatriz Nóbrega"):
        PersonFactory(owner=user, full_name=name)
    log_in(page, live_server)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/people/{ana.pk}/")
        page.get_by_text("Duration, topics, others there").click()
        box = page.get_by_label("Others who were there")
        box.press_sequentially("b", delay=30)
        expect(page.locator("#id_people_results [role=option]")).to_have_count(4)
        box.press("Enter")
        box.press_sequentially("o", delay=30)
        expect(page.locator("#id_people_results [role=option]").nth(2)).to_be_visible()
        box.press("ArrowDown")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # The screen as the user sees it while choosing: the box in the middle of the view.
        box.evaluate("box => box.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(tmp_path / f"picker-{width}.png"))
        expect(box).to_be_focused()
