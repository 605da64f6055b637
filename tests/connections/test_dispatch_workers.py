"""Delivery against real parts: PostgreSQL (in CI), Redis, Celery workers in their own
processes, and an SMTP server on loopback. Each test proves one email, never zero, never two."""

import os
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import Circle, Delivery
from connections.nudges import schedule_follow_up
from tests.factories import PersonFactory, UserFactory
from tests.smtp import SmtpServer, free_port
from tests.worker import celery_worker, dispatch, new_queue, redis_broker_url, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def due_user(db):
    """A user whose morning hour has passed today, with one follow-up due."""
    user = UserFactory(
        email="due@example.com",
        timezone="UTC",
        nudge_hour=0,
        weekly_email_weekday=(timezone.now().weekday() + 1) % 7,
        date_joined=timezone.now() - timedelta(days=30),
    )
    person = PersonFactory(owner=user, full_name="Ana Lima", circle=Circle.ACQUAINTANCE)
    schedule_follow_up(
        person=person,
        due_on=timezone.localdate() - timedelta(days=1),
        reason="Ask about the interview",
    )
    return user


def delivery_status() -> str | None:
    return Delivery.objects.filter(kind="daily").values_list("status", flat=True).first()


def test_two_concurrent_dispatchers_produce_one_email(due_user):
    broker, queue = redis_broker_url(), new_queue()
    server = SmtpServer().start()
    env = {"EMAIL_URL": server.url}
    try:
        with celery_worker(broker, queue=queue, extra_env=env):
            first, second = dispatch(broker, queue, env), dispatch(broker, queue, env)
            for process in (first, second):
                output, _ = process.communicate(timeout=60)
                assert process.returncode == 0, output
            wait_for(lambda: delivery_status() == "sent")
            time.sleep(2)  # room for a duplicate to show up, if there were one
    finally:
        server.stop()

    assert len(server.sink.to("due@example.com")) == 1
    assert Delivery.objects.filter(kind="daily").count() == 1


def test_a_worker_killed_after_claiming_is_recovered_and_the_email_arrives_once(due_user):
    broker, queue = redis_broker_url(), new_queue()
    # The first SMTP conversation stalls, so the worker is killed between claim and send.
    server = SmtpServer(stall_first_seconds=20).start()
    env = {"EMAIL_URL": server.url, "NUDGE_SEND_LEASE_SECONDS": "3", "NUDGE_REQUEUE_SECONDS": "1"}
    try:
        with celery_worker(broker, queue=queue, extra_env=env) as (worker, _):
            dispatch(broker, queue, env).communicate(timeout=60)
            wait_for(lambda: delivery_status() == "sending")
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        assert server.messages == []

        with celery_worker(broker, queue=queue, extra_env=env):
            time.sleep(3.5)  # the dead worker's lease runs out
            dispatch(broker, queue, env).communicate(timeout=60)
            wait_for(lambda: delivery_status() == "sent")
            time.sleep(1)
    finally:
        server.stop()

    (message,) = server.sink.to("due@example.com")
    delivery = Delivery.objects.get(kind="daily")
    assert message["Message-ID"] == delivery.message_id
    assert delivery.attempts == 2


def test_smtp_down_is_retried_and_delivered_once_when_it_returns(due_user):
    broker, queue = redis_broker_url(), new_queue()
    port = free_port()
    env = {
        "EMAIL_URL": f"smtp://127.0.0.1:{port}?timeout=3",
        "NUDGE_RETRY_BASE_SECONDS": "1",
        "NUDGE_REQUEUE_SECONDS": "1",
    }
    with celery_worker(broker, queue=queue, extra_env=env):
        dispatch(broker, queue, env).communicate(timeout=60)
        wait_for(
            lambda: Delivery.objects.filter(kind="daily", attempts=1, status="pending").exists()
        )
        failed = Delivery.objects.get(kind="daily")
        assert "refused" in failed.last_error.lower()

        server = SmtpServer(port=port).start()
        try:
            time.sleep(1.5)  # past the first backoff
            dispatch(broker, queue, env).communicate(timeout=60)
            wait_for(lambda: delivery_status() == "sent")
            time.sleep(1)
        finally:
            server.stop()

    assert len(server.sink.to("due@example.com")) == 1
    delivered = Delivery.objects.get(kind="daily")
    assert (delivered.attempts, delivered.last_error) == (2, "")


def due_users(count: int) -> list[str]:
    """`count` users like `due_user`, each with a morning email due; their addresses."""
    emails = [f"friend{n}@example.com" for n in range(count)]
    for address in emails:
        user = UserFactory(
            email=address,
            timezone="UTC",
            nudge_hour=0,
            weekly_email_weekday=(timezone.now().weekday() + 1) % 7,
            date_joined=timezone.now() - timedelta(days=30),
        )
        schedule_follow_up(
            person=PersonFactory(owner=user, circle=Circle.ACQUAINTANCE),
            due_on=timezone.localdate() - timedelta(days=1),
        )
    return emails


def test_a_worker_killed_mid_batch_leaves_each_email_delivered_exactly_once(db):
    emails = due_users(5)
    broker, queue = redis_broker_url(), new_queue()
    # The third recipient stalls, so the worker dies with two emails sent and three claimed.
    server = SmtpServer(stall_recipient=(3, 30)).start()
    env = {"EMAIL_URL": server.url, "NUDGE_SEND_LEASE_SECONDS": "4", "NUDGE_REQUEUE_SECONDS": "1"}
    sent = Delivery.objects.filter(kind="daily", status="sent")
    try:
        with celery_worker(broker, queue=queue, extra_env=env) as (worker, _):
            dispatch(broker, queue, env).communicate(timeout=60)
            wait_for(lambda: sent.count() == 2 and server.sink.recipients == 3)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        assert len(server.messages) == 2
        assert Delivery.objects.filter(kind="daily", status="sending").count() == 3

        with celery_worker(broker, queue=queue, extra_env=env):
            time.sleep(4.5)  # the dead worker's lease runs out
            dispatch(broker, queue, env).communicate(timeout=60)
            wait_for(lambda: sent.count() == 5)
            time.sleep(1)  # room for a duplicate to show up, if there were one
    finally:
        server.stop()

    assert sorted(m["To"] for m in server.messages) == emails
    rows = {row.owner.email: row for row in Delivery.objects.filter(kind="daily")}
    for message in server.messages:
        assert message["Message-ID"] == rows[message["To"]].message_id
    assert sorted(row.attempts for row in rows.values()) == [1, 1, 2, 2, 2]


def test_a_worker_killed_between_the_servers_accept_and_its_mark_resends_that_one_email(db):
    """The one window a batch leaves, as a single send did: the server has the message, the
    worker dies before the row says so. That email arrives twice, with the same Message-ID;
    every other email once."""
    emails = due_users(4)
    broker, queue = redis_broker_url(), new_queue()
    # The server keeps the second message but its answer stalls; the worker dies waiting.
    server = SmtpServer(stall_answer=(2, 30)).start()
    env = {"EMAIL_URL": server.url, "NUDGE_SEND_LEASE_SECONDS": "4", "NUDGE_REQUEUE_SECONDS": "1"}
    sent = Delivery.objects.filter(kind="daily", status="sent")
    try:
        with celery_worker(broker, queue=queue, extra_env=env) as (worker, _):
            dispatch(broker, queue, env).communicate(timeout=60)
            wait_for(lambda: sent.count() == 1 and len(server.messages) == 2)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)

        with celery_worker(broker, queue=queue, extra_env=env):
            time.sleep(4.5)  # the dead worker's lease runs out
            dispatch(broker, queue, env).communicate(timeout=60)
            wait_for(lambda: sent.count() == 4)
            time.sleep(1)  # room for another duplicate to show up, if there were one
    finally:
        server.stop()

    received = Counter(m["To"] for m in server.messages)
    assert sorted(received) == emails
    ((twice, _),) = [(address, n) for address, n in received.items() if n == 2]
    assert sorted(received.values()) == [1, 1, 1, 2]
    row = Delivery.objects.get(owner__email=twice)
    assert [m["Message-ID"] for m in server.sink.to(twice)] == [row.message_id] * 2
