"""The tick: beat runs it every minute, `manage.py dispatch_nudges` runs it now.

One tick creates the nudges that have become due, plans the emails whose local hour has
come (one row per user and day or week, guarded by a unique constraint), and hands every
ready email to a worker. Nothing is scheduled in the broker: if beat or the workers stop,
the next tick finds in the database everything that is still owed.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from connections.models import Delivery, Nudge, SchedulerTick
from connections.nudges import create_due_nudges, due_nudges
from connections.weekly import weekly_three

logger = logging.getLogger(__name__)

TICK = "tick"


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
    report.daily_planned = plan_daily_emails(now)
    report.weekly_planned = plan_weekly_emails(now)
    report.enqueued = hand_over_ready_emails(now)
    return report


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _recipients():
    return User.objects.filter(is_active=True, email_nudges_enabled=True)


def _local_groups(now: datetime):
    """(timezone name, local datetime) for every timezone a recipient lives in."""
    for name in _recipients().values_list("timezone", flat=True).distinct():
        yield name, now.astimezone(ZoneInfo(name))


def plan_daily_emails(now: datetime) -> int:
    planned = 0
    for zone, local in _local_groups(now):
        today = local.date()
        already = Delivery.objects.filter(
            owner=OuterRef("pk"), kind=Delivery.Kind.DAILY, period=today
        )
        anything_due = Nudge.objects.filter(
            owner=OuterRef("pk"),
            status=Nudge.Status.OPEN,
            due_on__lte=today,
            person__paused=False,
            person__archived_at__isnull=True,
        )
        users = (
            _recipients()
            .filter(timezone=zone, nudge_hour__lte=local.hour)
            .filter(~Exists(already))
            .annotate(anything_due=Exists(anything_due))
        )
        nothing_due = []
        for user in users:
            if today.weekday() in user.quiet_weekdays:
                continue  # A quiet day: what is due waits for the next email.
            if user.anything_due:
                planned += _plan_daily(user, today, now)
            else:
                # Marks the day as handled; what falls due later goes in tomorrow's email.
                nothing_due.append(_skipped(user, Delivery.Kind.DAILY, today, now))
        Delivery.objects.bulk_create(nothing_due, ignore_conflicts=True)
    return planned


def _skipped(user, kind: str, period: date, now: datetime) -> Delivery:
    return Delivery(
        owner=user, kind=kind, period=period, status=Delivery.Status.SKIPPED, next_attempt_at=now
    )


def _plan_daily(user, today: date, now: datetime) -> int:
    due = due_nudges(user, today)
    if not due:
        return 0
    chosen = due[: user.daily_nudge_limit]
    with transaction.atomic():
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    owner=user,
                    kind=Delivery.Kind.DAILY,
                    period=today,
                    waiting_count=len(due) - len(chosen),
                    next_attempt_at=now,
                )
        except IntegrityError:
            return 0  # Another tick planned it first.
        delivery.nudges.set(chosen)
    return 1


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
    three = weekly_three(user=user, today=today, now=now)
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
                    weekly_picks=[{"person": s.person.pk, "why": s.why} for s in three],
                )
        except IntegrityError:
            return 0
    return 1


def hand_over_ready_emails(now: datetime) -> int:
    """Enqueue a send for every email that is ready: new, due for a retry, or whose worker
    died mid-send (its lease ran out). A re-enqueue is harmless: the send claims first."""
    from connections.tasks import send_delivery

    requeue_after = timedelta(seconds=settings.NUDGE_REQUEUE_SECONDS)
    Delivery.objects.filter(status=Delivery.Status.SENDING, lease_until__lt=now).update(
        status=Delivery.Status.PENDING, lease_until=None, enqueued_at=None
    )
    with transaction.atomic():
        ready = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - requeue_after))
            .values_list("id", flat=True)[:5000]
        )
        Delivery.objects.filter(id__in=ready).update(enqueued_at=now)
        for delivery_id in ready:
            transaction.on_commit(lambda pk=delivery_id: send_delivery.delay(pk))
    if ready:
        logger.info("Handed %d emails to workers", len(ready))
    return len(ready)
