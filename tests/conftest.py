import os
import shutil

import pytest

from tests.factories import UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM is still used
# synchronously there, which is safe in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def user(db):
    return UserFactory(email="alice@example.com", display_name="Alice Example")


@pytest.fixture
def other_user(db):
    return UserFactory(email="bob@example.com", display_name="Bob Other")


@pytest.fixture
def alice_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; Django's default mailer sends to it."""
    from tests.smtp import SmtpServer

    server = SmtpServer().start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10},
        }
    }
    yield server
    server.stop()
