from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from connections.scheduling import record_tick, run_tick

pytestmark = pytest.mark.django_db


def test_healthy_when_database_broker_and_recent_tick(client):
    run_tick()

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert 0 <= body["seconds_since_last_tick"] < 5


def test_unhealthy_before_the_first_tick(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["seconds_since_last_tick"] is None
    assert response.json()["tick"] == "stale"


def test_unhealthy_when_beat_stopped_ticking(client):
    record_tick(at=timezone.now() - timedelta(minutes=10))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["tick"] == "stale"
    assert response.json()["seconds_since_last_tick"] >= 600


def test_tick_age_grows_with_time(client):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        run_tick()
        traveller.shift(timedelta(seconds=90))
        assert client.get("/healthz").json()["seconds_since_last_tick"] == 90.0


def test_unhealthy_when_broker_is_unreachable(client, settings):
    run_tick()
    # Port 9 (discard) has nothing listening on loopback: a real refused connection.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"
    assert response.json()["database"] == "ok"


def test_healthz_needs_no_login_and_is_not_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
