"""Dispatch: N users whose morning email is due in the same hour, from one tick to the last
email received by an SMTP sink, through real Celery worker processes.

Floor: a plain smtplib loop sending N copies of a real Tend email (the first one the sink
received) to the same sink over one connection, the cheapest a plain loop can do (Tend's
workers send 50 emails per connection). Every run starts from the same state: the
recipients' deliveries are deleted, their nudges stay open.
"""

import smtplib
import statistics
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from bench import processes
from connections.benchdata import copy_rows, delete_users
from connections.models import Delivery, Nudge, Person
from connections.scheduling import run_tick

EMAIL = "bench+dispatch-{:05}@example.com"
PREFIX = "bench+dispatch-"


def recipients():
    return User.objects.filter(email__startswith=PREFIX)


def create_recipients(count: int) -> None:
    """`count` users, each with one person and two open nudges due today (a follow-up and
    a lapsed rhythm), whose morning hour has come; none is due a weekly email."""
    delete_users(recipients())
    now = timezone.now()
    users = User.objects.bulk_create(
        User(
            email=EMAIL.format(n),
            display_name=f"Recipient {n}",
            password="!",
            timezone="UTC",
            nudge_hour=0,
            # Joined after this week's weekly email was due, so the tick plans only mornings.
            date_joined=now,
        )
        for n in range(count)
    )
    people = Person.objects.bulk_create(
        Person(owner=user, full_name=f"Friend of {user.display_name}", circle="close")
        for user in users
    )
    today = now.date()
    with transaction.atomic(), connection.cursor() as cursor:
        copy_rows(
            cursor.cursor,
            Nudge,
            ["owner", "person", "kind", "reason", "due_on", "status", "snooze_count", "created_at"],
            (
                row
                for person in people
                for row in (
                    (
                        person.owner_id,
                        person.pk,
                        Nudge.Kind.FOLLOW_UP,
                        "They start the new job on Monday; ask how the first week went.",
                        today,
                        Nudge.Status.OPEN,
                        0,
                        now,
                    ),
                    (
                        person.owner_id,
                        person.pk,
                        Nudge.Kind.CADENCE,
                        "It has been 40 days since you last connected.",
                        today - timedelta(days=1),
                        Nudge.Status.OPEN,
                        0,
                        now,
                    ),
                )
            ),
        )


def _reset_deliveries() -> None:
    deliveries = Delivery.objects.filter(owner__in=recipients())
    Delivery.nudges.through.objects.filter(delivery__in=deliveries).delete()
    deliveries.delete()


def _through_workers(count: int, workers: int, sink, port: int, timeout: float) -> dict:
    _reset_deliveries()
    sink.reset()
    with processes.celery_workers(workers, smtp_port=port) as queue:
        started = time.monotonic()
        tick = processes.run_tick(queue=queue)
        output, _ = tick.communicate(timeout=timeout)
        tick_done = time.monotonic()
        complete = processes.wait_until(lambda: sink.count >= count, timeout=timeout)
    sent = Delivery.objects.filter(owner__in=recipients(), status=Delivery.Status.SENT).count()
    return {
        "seconds": round((sink.last_at if complete else time.monotonic()) - started, 3),
        "tick_seconds": round(tick_done - started, 3),
        "received": sink.count,
        "sent_rows": sent,
        "complete": complete and sent == count,
        "tick_output": output.strip().splitlines()[-1:] if output else [],
    }


def _floor(count: int, sink, port: int, sample: bytes) -> dict:
    sink.reset()
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for n in range(count):
            smtp.sendmail("tend@localhost", [EMAIL.format(n)], sample)
    processes.wait_until(lambda: sink.count >= count, timeout=60)
    return {"seconds": round(sink.last_at - started, 3), "received": sink.count}


def run(*, count: int, runs: int) -> dict:
    # One tick first, untimed: it creates the nudges the seeded data has become due for, so
    # every timed tick does the same work.
    delete_users(recipients())
    run_tick()
    create_recipients(count)
    # Statistics as autovacuum leaves them a minute after such an insert (real users arrive
    # over months): planned from the seeded figures, the first round's queries were slower
    # than every later one's.
    with connection.cursor() as cursor:
        for model in (User, Person, Nudge, Delivery):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    timeout = max(120.0, count * 0.1)
    rounds = []
    with processes.smtp_sink() as (port, sink):
        for _ in range(runs):
            one = _through_workers(count, 1, sink, port, timeout)
            floor = _floor(count, sink, port, sink.sample)
            two = _through_workers(count, 2, sink, port, timeout)
            rounds.append({"floor": floor, "one_worker": one, "two_workers": two})
        sample_size = len(sink.sample)
    delete_users(recipients())

    def median(key: str, field: str = "seconds") -> float:
        return round(statistics.median(r[key][field] for r in rounds), 3)

    floor, one, two = median("floor"), median("one_worker"), median("two_workers")
    return {
        "emails": count,
        "runs": runs,
        "email_bytes": sample_size,
        "floor_seconds": floor,
        "one_worker_seconds": one,
        "two_workers_seconds": two,
        "tick_seconds_one_worker": median("one_worker", "tick_seconds"),
        "ratio_one_worker": round(one / floor, 2) if floor else None,
        "speedup_two_workers": round(one / two, 2) if two else None,
        "emails_per_second_one_worker": round(count / one, 1) if one else None,
        "complete": all(
            r[key]["complete"] for r in rounds for key in ("one_worker", "two_workers")
        ),
        "rounds": rounds,
    }
