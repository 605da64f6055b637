import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import env

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 20 + "-not-a-real-secret-but-long-enough-" + "x" * 20


def start_django(**variables: str) -> subprocess.CompletedProcess:
    """Start Django in a fresh process with exactly these variables set on top of a clean env."""
    clean = {k: v for k, v in os.environ.items() if k not in _TEND_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **variables, "TEND_VAR_DIR": str(ROOT / "var")},
        capture_output=True,
        text=True,
        timeout=60,
    )


_TEND_VARIABLES = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "TIME_ZONE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://db/tend"),
        ("CELERY_BROKER_URL", "ftp://broker"),
        ("EMAIL_URL", "pigeon://coop"),
        ("SITE_URL", "tend.example.com"),
        ("TIME_ZONE", "Mars/Olympus_Mons"),
    ],
)
def test_a_bad_value_stops_the_app_naming_the_variable(variable, value):
    result = start_django(**{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_production_without_a_secret_key_refuses_to_start():
    result = start_django(DEBUG="false", ALLOWED_HOSTS="tend.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false." in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    clean = {k: v for k, v in os.environ.items() if k not in _TEND_VARIABLES}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **clean,
            "DEBUG": "false",
            "SECRET_KEY": STRONG_KEY,
            "ALLOWED_HOSTS": "tend.example.com",
            "SITE_URL": "https://tend.example.com",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_database_url_selects_postgres_or_sqlite():
    pg = env.env_database("X", "postgres://tend:pw@db.internal:5433/tend")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["HOST"], pg["PORT"], pg["NAME"]) == ("db.internal", 5433, "tend")
    sqlite = env.env_database("X", "sqlite:////tmp/tend.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"


def test_email_url_builds_an_smtp_mailer(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://me%40example.com:s3cret@mail.example.com")
    mailer = env.env_email("EMAIL_URL", "console:")
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"]["host"] == "mail.example.com"
    assert mailer["OPTIONS"]["port"] == 587
    assert mailer["OPTIONS"]["username"] == "me@example.com"
    assert mailer["OPTIONS"]["use_tls"] is True


def test_bad_numbers_are_named(monkeypatch):
    monkeypatch.setenv("AXES_FAILURE_LIMIT", "lots")
    with pytest.raises(ImproperlyConfigured, match="AXES_FAILURE_LIMIT must be a whole number"):
        env.env_int("AXES_FAILURE_LIMIT", 5)


def test_query_count_header_is_off_unless_asked_for(settings):
    assert "config.query_count.QueryCountMiddleware" not in settings.MIDDLEWARE


@pytest.mark.django_db
def test_query_count_header_reports_the_queries_a_page_made(settings, alice_client):
    settings.MIDDLEWARE = ["config.query_count.QueryCountMiddleware", *settings.MIDDLEWARE]
    with CaptureQueriesContext(connection) as captured:
        response = alice_client.get("/")
    assert response.status_code == 200
    assert int(response["X-Query-Count"]) == len(captured.captured_queries) > 0
    assert response["Server-Timing"].startswith("app;dur=")


@pytest.mark.django_db
def test_postgresql_reads_run_without_parallel_workers():
    if connection.vendor != "postgresql":
        pytest.skip("A PostgreSQL setting.")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
