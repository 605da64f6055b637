import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD


def login(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


@pytest.mark.django_db
def test_signup_creates_account_with_chosen_timezone_and_signs_in(client):
    response = client.post(
        reverse("signup"),
        {
            "email": "Carla@Example.com",
            "display_name": "Carla",
            "timezone": "Asia/Kathmandu",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    user = User.objects.get()
    assert user.email == "carla@example.com"
    assert user.timezone == "Asia/Kathmandu"
    assert (user.nudge_hour, user.daily_nudge_limit, user.email_nudges_enabled) == (8, 3, True)
    assert client.get(reverse("dashboard")).context["user"] == user


def test_signup_refuses_an_email_already_in_use_and_keeps_the_input(client, user):
    response = client.post(
        reverse("signup"),
        {
            "email": "ALICE@example.com",
            "display_name": "Alice again",
            "timezone": "UTC",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "An account with this email already exists" in response.text
    assert 'value="Alice again"' in response.text
    assert User.objects.count() == 1


def test_create_user_as_scripts_call_it(db):
    user = User.objects.create_user(email="dana@example.com", password=PASSWORD)
    assert user.check_password(PASSWORD)
    assert user.timezone == "UTC"


def test_login_and_logout(client, user):
    response = login(client, "alice@example.com", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200

    client.post(reverse("logout"))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_wrong_password_says_so_plainly(client, user):
    response = login(client, "alice@example.com", "not-it")
    assert response.status_code == 200
    assert "do not match an account" in response.text


def test_repeated_failures_lock_the_login_even_with_the_right_password(client, user):
    for _ in range(5):
        login(client, "alice@example.com", "guess")

    response = login(client, "alice@example.com", PASSWORD)

    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert client.get(reverse("dashboard")).status_code == 302


def test_pages_require_login(client, db):
    for name in ("dashboard", "settings", "password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={reverse(name)}"


def test_password_reset_sends_a_working_link(client, user, settings):
    settings.SITE_URL = "https://tend.example.org"
    client.post(reverse("password_reset"), {"email": "alice@example.com"})

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "Choose a new password for Tend"
    link = next(word for word in message.body.split() if word.startswith("https://tend."))
    path = link.removeprefix("https://tend.example.org")
    response = client.get(path, follow=True)
    assert "Choose a new password" in response.text
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "fresh-morning-light-42", "new_password2": "fresh-morning-light-42"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("fresh-morning-light-42")


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change(alice_client, user):
    response = alice_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-phrase-7",
            "new_password2": "another-long-phrase-7",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-phrase-7")
