import pytest
from kombu import Connection

from config.celery import app as celery_app
from connections.models import SchedulerTick
from tests.worker import celery_worker, redis_broker_url, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_the_tick_and_healthz_sees_it(client):
    broker_url = redis_broker_url()
    assert client.get("/healthz").json()["seconds_since_last_tick"] is None

    with celery_worker(broker_url) as (_, queue):
        with Connection(broker_url) as broker:
            celery_app.send_task("connections.tasks.tick", queue=queue, connection=broker)

        wait_for(SchedulerTick.objects.exists)

    body = client.get("/healthz").json()
    assert body["tick"] == "recent"
    assert body["seconds_since_last_tick"] < 60
