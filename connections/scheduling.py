"""The tick: beat runs it every minute, `manage.py dispatch_nudges` runs it now.

One tick creates the nudges that have become due, plans the emails whose local hour has
come (one row per user and day or week, guarded by a unique constraint), and hands every
ready email to a worker. Nothing is scheduled in the broker: if beat or the workers stop,
the next tick finds in the database everything that is still owed.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from connections.models import Delivery, SchedulerTick, week_start
from connections.nudges import create_due_nudges, due_nudge_ids_by_owner
from connections.weekly import this_weeks_three

logger = logging.getLogger(__name__)

TICK = "tick"
# Users planned per round of statements, emails marked per transaction when handed over, and
# emails per task (sent over one SMTP connection; a killed worker delays at most this many
# until its lease runs out).
PLAN_BATCH = 500
HAND_OVER_BATCH = 1000
SEND_BATCH = 50


@dataclass
class TickReport:
    nudges_created: int = 0
    daily_planned: int = 0
    weekly_planned: int = 0
    enqueued: int = 0

    def __str__(self) -> str:
        return (
            f"{self.nudges_created} nudges created, {self.daily_planned} morning and "
            f"{self.weekly_planned} weekly emails planned, {self.enqueued} handed to workers"
        )


def record_tick(*, at: datetime | None = None) -> datetime | None:
    """Note that a tick ran; return when the previous one did (None for the first)."""
    ticked_at = at or timezone.now()
    previous = SchedulerTick.objects.filter(name=TICK).values_list("ticked_at", flat=True).first()
    SchedulerTick.objects.update_or_create(name=TICK, defaults={"ticked_at": ticked_at})
    return previous


def run_tick(now: datetime | None = None) -> TickReport:
    now = now or timezone.now()
    previous = record_tick(at=now)
    report = TickReport()
    report.nudges_created = create_due_nudges(now, since=previous)
    # Each round of morning emails goes to the workers as soon as it is committed, so they
    # send while the rest are planned; then whatever else is ready.
    report.daily_planned = plan_daily_emails(now, hand_over=True)
    report.weekly_planned = plan_weekly_emails(now)
    report.enqueued = report.daily_planned + hand_over_ready_emails(now)
    return report


def _recipients():
    return User.objects.filter(is_active=True, email_nudges_enabled=True)


def _local_groups(now: datetime):
    """(timezone name, local datetime) for every timezone a recipient lives in."""
    for name in _recipients().values_list("timezone", flat=True).distinct():
        yield name, now.astimezone(ZoneInfo(name))


def plan_daily_emails(now: datetime, *, hand_over: bool = False) -> int:
    """Plan the morning emails whose hour has come; with `hand_over`, each round of them is
    enqueued for the workers when it commits."""
    planned = 0
    for zone, local in _local_groups(now):
        today = local.date()
        already = Delivery.objects.filter(
            owner=OuterRef("pk"), kind=Delivery.Kind.DAILY, period=today
        )
        users = [
            user
            for user in _recipients()
            .filter(timezone=zone, nudge_hour__lte=local.hour)
            .filter(~Exists(already))
            .only("id", "quiet_weekdays", "daily_nudge_limit")
            # A quiet day: what is due waits for the next email.
            if today.weekday() not in user.quiet_weekdays
        ]
        for start in range(0, len(users), PLAN_BATCH):
            planned += _plan_daily(users[start : start + PLAN_BATCH], today, now, hand_over)
    return planned


def _plan_daily(users: list[User], today: date, now: datetime, hand_over: bool) -> int:
    """Plan the morning email of each of these users in a few statements, whatever their
    number; a user with nothing due gets a SKIPPED row, which marks the day as handled (what
    falls due later goes in tomorrow's email). Handed over, the new emails are marked
    enqueued as they are created and enqueued when the transaction commits."""
    due = due_nudge_ids_by_owner([user.pk for user in users], today)
    limit = {user.pk: user.daily_nudge_limit for user in users}
    with transaction.atomic():
        Delivery.objects.bulk_create(
            [
                Delivery(
                    owner=user,
                    kind=Delivery.Kind.DAILY,
                    period=today,
                    status=Delivery.Status.PENDING if due.get(user.pk) else Delivery.Status.SKIPPED,
                    waiting_count=max(len(due.get(user.pk, ())) - user.daily_nudge_limit, 0),
                    next_attempt_at=now,
                    enqueued_at=now if hand_over and due.get(user.pk) else None,
                )
                for user in users
            ],
            # Another tick may have planned some first: theirs stand.
            ignore_conflicts=True,
        )
        fresh = list(
            Delivery.objects.filter(
                owner__in=list(due),
                kind=Delivery.Kind.DAILY,
                period=today,
                status=Delivery.Status.PENDING,
                nudges__isnull=True,
            ).values_list("id", "owner_id")
        )
        Delivery.nudges.through.objects.bulk_create(
            [
                Delivery.nudges.through(delivery_id=delivery_id, nudge_id=nudge_id)
                for delivery_id, owner_id in fresh
                for nudge_id in due[owner_id][: limit[owner_id]]
            ],
            ignore_conflicts=True,
        )
        if hand_over:
            _enqueue_on_commit([delivery_id for delivery_id, _ in fresh])
    return len(fresh)


def _skipped(user, kind: str, period: date, now: datetime) -> Delivery:
    return Delivery(
        owner=user, kind=kind, period=period, status=Delivery.Status.SKIPPED, next_attempt_at=now
    )


def plan_weekly_emails(now: datetime) -> int:
    planned = 0
    for zone, local in _local_groups(now):
        today = local.date()
        monday = week_start(today)
        already = Delivery.objects.filter(
            owner=OuterRef("pk"), kind=Delivery.Kind.WEEKLY, period=monday
        )
        # The chosen weekday at the chosen hour, or any later day of the same week (catch-up).
        users = (
            _recipients()
            .filter(timezone=zone)
            .filter(
                Q(weekly_email_weekday__lt=today.weekday())
                | Q(weekly_email_weekday=today.weekday(), nudge_hour__lte=local.hour)
            )
            .filter(~Exists(already))
        )
        for user in users:
            scheduled = datetime.combine(
                monday + timedelta(days=user.weekly_email_weekday),
                datetime.min.time().replace(hour=user.nudge_hour),
                tzinfo=ZoneInfo(zone),
            )
            if user.date_joined > scheduled:
                continue  # Joined after this week's email was due: start next week.
            planned += _plan_weekly(user, today, monday, now)
    return planned


def _plan_weekly(user, today: date, monday: date, now: datetime) -> int:
    three = this_weeks_three(user=user, today=today, now=now)
    if not three:
        Delivery.objects.bulk_create(
            [_skipped(user, Delivery.Kind.WEEKLY, monday, now)], ignore_conflicts=True
        )
        return 0
    with transaction.atomic():
        try:
            with transaction.atomic():
                Delivery.objects.create(
                    owner=user,
                    kind=Delivery.Kind.WEEKLY,
                    period=monday,
                    next_attempt_at=now,
                    weekly_picks=[
                        {"person": pick.person.pk, "why": pick.done_line or pick.why}
                        for pick in three
                    ],
                )
        except IntegrityError:
            return 0
    return 1


def hand_over_ready_emails(now: datetime) -> int:
    """Enqueue a send for every email that is ready: new, due for a retry, or whose worker
    died mid-send (its lease ran out), `SEND_BATCH` to a task. A re-enqueue is harmless: the
    send claims first."""
    requeue_after = timedelta(seconds=settings.NUDGE_REQUEUE_SECONDS)
    Delivery.objects.filter(status=Delivery.Status.SENDING, lease_until__lt=now).update(
        status=Delivery.Status.PENDING, lease_until=None, enqueued_at=None
    )
    handed = 0
    # In batches, each committed before its sends are enqueued, so workers start on the
    # first batch while later ones are marked; every ready email goes out in this tick.
    while True:
        with transaction.atomic():
            ready = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
                .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
                .values_list("id", flat=True)[:HAND_OVER_BATCH]
            )
            Delivery.objects.filter(id__in=ready).update(enqueued_at=now)
            _enqueue_on_commit(ready)
        handed += len(ready)
        if len(ready) < HAND_OVER_BATCH:
            break
    if handed:
        logger.info("Handed %d emails to workers", handed)
    return handed


def _enqueue_on_commit(delivery_ids: list[int]) -> None:
    """`SEND_BATCH` emails to a task, once the transaction marking them enqueued commits (if
    the broker is down then, the next tick enqueues them again after NUDGE_REQUEUE_SECONDS)."""
    from connections.tasks import send_deliveries

    for start in range(0, len(delivery_ids), SEND_BATCH):
        batch = delivery_ids[start : start + SEND_BATCH]
        transaction.on_commit(partial(send_deliveries.delay, batch))
