import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from connections.models import Interaction, Nudge
from connections.nudges import schedule_follow_up
from connections.people import update_person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(user):
    return PersonFactory(owner=user, full_name="Ana Lima", nickname="Ana")


@pytest.fixture
def due(ana):
    return schedule_follow_up(
        person=ana, due_on=timezone.localdate(), reason="She mentioned the job interview."
    )


def test_the_dashboard_shows_todays_nudges_with_their_context(alice_client, due):
    page = alice_client.get(reverse("dashboard")).text
    assert "She mentioned the job interview." in page
    assert f'action="{reverse("nudge_done", args=[due.pk])}"' in page
    assert "This week’s three" in page


def test_done_in_place_with_htmx(alice_client, due):
    response = alice_client.post(
        reverse("nudge_done", args=[due.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Done: Ana" in response.text
    assert 'role="status"' in response.text
    due.refresh_from_db()
    assert due.status == "done"


def test_snooze_and_dismiss_without_javascript_redirect_back(alice_client, due):
    response = alice_client.post(reverse("nudge_snooze", args=[due.pk]), {"days": "7", "next": "/"})
    assert response.status_code == 302
    due.refresh_from_db()
    assert due.due_on == timezone.localdate() + timedelta(days=7)

    alice_client.post(reverse("nudge_dismiss", args=[due.pk]))
    due.refresh_from_db()
    assert due.status == "dismissed"


def test_snooze_refuses_other_lengths(alice_client, due):
    response = alice_client.post(reverse("nudge_snooze", args=[due.pk]), {"days": "40"})
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["nudge_done", "nudge_snooze", "nudge_dismiss"])
def test_another_users_nudge_is_404(client, other_user, due, name):
    client.force_login(other_user)
    assert client.post(reverse(name, args=[due.pk]), {"days": "1"}).status_code == 404
    due.refresh_from_db()
    assert due.status == "open"


def test_logging_with_a_follow_up_quotes_what_was_heard(alice_client, ana):
    alice_client.post(
        reverse("person_log", args=[ana.pk]),
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "kind": "call",
            "what_i_heard": "Nervous about Tuesday's interview",
            "follow_up": "7",
            "follow_up_reason": "",
        },
    )
    nudge = Nudge.objects.get(kind="follow_up")
    assert nudge.person == ana
    assert nudge.due_on == timezone.localdate() + timedelta(days=7)
    assert nudge.reason == "Nervous about Tuesday's interview"
    assert nudge.interaction == Interaction.objects.get()


def test_a_follow_up_on_a_date_needs_a_future_date_and_keeps_the_input(alice_client, ana):
    response = alice_client.post(
        reverse("person_log", args=[ana.pk]),
        {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "kind": "call",
            "what_i_heard": "Moving to Porto",
            "follow_up": "date",
            "follow_up_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        },
    )
    assert "Choose today or a later date." in response.text
    assert "Moving to Porto" in response.text
    assert not Interaction.objects.exists()


def test_logging_how_it_went_from_a_nudge_completes_it(alice_client, ana, due):
    page = alice_client.get(reverse("interaction_add"), {"person": ana.pk, "nudge": due.pk})
    assert f'name="nudge" value="{due.pk}"' in page.text
    alice_client.post(
        reverse("interaction_add"),
        {
            "people": [ana.pk],
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "kind": "video",
            "what_i_heard": "Got the job!",
            "nudge": due.pk,
        },
    )
    due.refresh_from_db()
    assert due.status == "done"


def test_plan_a_follow_up_without_an_interaction(alice_client, ana):
    page = alice_client.get(reverse("person_follow_up", args=[ana.pk]))
    assert "Follow up with Ana" in page.text
    response = alice_client.post(
        reverse("person_follow_up", args=[ana.pk]), {"when": "14", "reason": "Her exam results"}
    )
    assert response.status_code == 302
    nudge = Nudge.objects.get()
    assert (nudge.due_on, nudge.reason) == (
        timezone.localdate() + timedelta(days=14),
        "Her exam results",
    )
    assert "Her exam results" in alice_client.get(f"/people/{ana.pk}/").text


def test_plan_a_follow_up_for_someone_elses_person_is_404(client, other_user, ana):
    client.force_login(other_user)
    assert client.get(reverse("person_follow_up", args=[ana.pk])).status_code == 404
    assert client.post(reverse("person_follow_up", args=[ana.pk]), {"when": "3"}).status_code == 404


def test_a_due_card_says_how_long_it_waited_and_how_they_like_to_be_reached(alice_client, user):
    today = timezone.localdate()
    bea = PersonFactory(
        owner=user,
        full_name="Bea Costa",
        preferred_channel="call",
        connect_notes="Evenings are best, after the kids are asleep and the kitchen is quiet "
        "again.",
    )
    update_person(person=bea, photo=ContentFile(jpeg_bytes(), name="bea.jpg"))
    late = schedule_follow_up(person=bea, due_on=today - timedelta(days=3), reason="The move")
    cy = PersonFactory(owner=user, full_name="Cy Ode")
    on_time = schedule_follow_up(person=cy, due_on=today)

    page = alice_client.get(reverse("dashboard")).text

    assert 'Follow up <span class="muted" title=' in page
    assert "· since 3 days ago</span>" in page
    assert (
        "Prefers phone call — Evenings are best, after the kids are asleep and the kitchen "
        "is quiet…" in page
    )
    assert f'<img class="avatar avatar-md" src="/people/{bea.pk}/photo/"' in page
    assert '<span class="avatar avatar-md" aria-hidden="true">CO</span>' in page
    for nudge in (late, on_time):
        for name in ("nudge_done", "nudge_snooze", "nudge_dismiss"):
            assert f'action="{reverse(name, args=[nudge.pk])}"' in page
    assert page.count("· since") == 1, "a nudge due today has waited no time"


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(out, format="JPEG")
    return out.getvalue()
