from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from connections.links import action_token, unsubscribe_token
from connections.models import Interaction, Nudge
from connections.nudges import schedule_follow_up
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nudge(user):
    person = PersonFactory(
        owner=user, full_name="Ana Lima", nickname="Ana", preferred_channel="call"
    )
    return schedule_follow_up(
        person=person, due_on=timezone.localdate(), reason="She mentioned the job interview."
    )


def action_path(nudge, action):
    return reverse("nudge_action", args=[action_token(nudge, action)])


def test_a_get_only_shows_a_confirmation_and_changes_nothing(client, nudge):
    response = client.get(action_path(nudge, "done"))

    assert response.status_code == 200
    assert "She mentioned the job interview." in response.text
    assert "Mark as done" in response.text
    nudge.refresh_from_db()
    assert nudge.status == "open"


def test_done_works_without_logging_in_and_twice_is_harmless(client, nudge):
    path = action_path(nudge, "done")
    response = client.post(path)
    assert "Marked done" in response.text
    nudge.refresh_from_db()
    assert nudge.status == "done"

    again = client.post(path)
    assert again.status_code == 200
    assert "already done" in again.text
    nudge.refresh_from_db()
    assert nudge.status == "done"


def test_snooze_moves_the_nudge(client, nudge):
    response = client.post(action_path(nudge, "snooze"), {"days": "3"})
    nudge.refresh_from_db()
    assert nudge.due_on == timezone.localdate() + timedelta(days=3)
    assert "Snoozed" in response.text


def test_snooze_refuses_other_lengths(client, nudge):
    response = client.post(action_path(nudge, "snooze"), {"days": "365"})
    assert response.status_code == 400
    assert "Choose 1 day, 3 days or a week." in response.text
    nudge.refresh_from_db()
    assert nudge.due_on == timezone.localdate()


def test_log_how_it_went_records_the_interaction_and_completes(client, nudge):
    page = client.get(action_path(nudge, "log"))
    assert 'value="call" selected' in page.text  # the person's preferred channel

    client.post(action_path(nudge, "log"), {"kind": "video", "what_i_heard": "She got the job!"})

    interaction = Interaction.objects.get()
    assert interaction.what_i_heard == "She got the job!"
    assert list(interaction.people.all()) == [nudge.person]
    nudge.refresh_from_db()
    assert nudge.status == "done"


def test_a_tampered_link_changes_nothing(client, nudge):
    token = action_token(nudge, "done")
    response = client.post(reverse("nudge_action", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert "This link is not valid" in response.text
    nudge.refresh_from_db()
    assert nudge.status == "open"


def test_a_link_for_another_action_cannot_be_forged(client, nudge):
    forged = signing.dumps({"n": nudge.pk, "u": nudge.owner_id, "a": "delete"}, salt="tend.nudge")
    response = client.post(reverse("nudge_action", args=[forged]))
    assert response.status_code == 400


def test_an_expired_link_says_so_and_changes_nothing(client, nudge):
    path = action_path(nudge, "done")
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.post(path)
    assert response.status_code == 400
    assert "This link has expired" in response.text
    nudge.refresh_from_db()
    assert nudge.status == "open"


def test_a_link_to_a_deleted_nudge_is_harmless(client, nudge):
    path = action_path(nudge, "done")
    Nudge.objects.all().delete()
    response = client.post(path)
    assert response.status_code == 400
    assert "no longer here" in response.text


def test_unsubscribe_asks_then_turns_email_nudges_off(client, user):
    path = reverse("unsubscribe", args=[unsubscribe_token(user)])
    assert "Stop nudge emails?" in client.get(path).text
    user.refresh_from_db()
    assert user.email_nudges_enabled is True

    client.post(path)
    user.refresh_from_db()
    assert user.email_nudges_enabled is False


def test_one_click_unsubscribe_from_a_mail_client_needs_no_cookie(user):
    from django.test import Client

    mail_client = Client(enforce_csrf_checks=True)
    path = reverse("unsubscribe", args=[unsubscribe_token(user)])
    response = mail_client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email_nudges_enabled is False


def test_the_confirmation_page_escapes_what_the_user_wrote(client, user):
    person = PersonFactory(owner=user)
    nudge = schedule_follow_up(
        person=person, due_on=timezone.localdate(), reason="<script>alert(1)</script>"
    )
    response = client.get(action_path(nudge, "done"))
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_links_are_signed_exactly_as_signing_dumps_would_and_follow_the_secret_key(
    nudge, user, settings
):
    with time_machine.travel(timezone.now(), tick=False):
        assert action_token(nudge, "snooze") == signing.dumps(
            {"n": nudge.pk, "u": user.pk, "a": "snooze"}, salt="tend.nudge"
        )
        assert unsubscribe_token(user) == signing.dumps(
            {"u": user.pk, "e": user.email}, salt="tend.unsubscribe"
        )
        before = action_token(nudge, "done")
        settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789abcdef"
        after = action_token(nudge, "done")
        expected = signing.dumps({"n": nudge.pk, "u": user.pk, "a": "done"}, salt="tend.nudge")

    assert after != before
    assert after == expected
