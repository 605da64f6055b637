"""Sending one planned email, exactly once as far as the database can tell.

A worker claims the row with a conditional update (status → SENDING with a lease), sends, and
marks it SENT. Two workers never both claim it; a worker killed mid-send leaves a lease that
runs out, and the tick hands the email to another worker. The Message-ID comes from the row,
so a re-send after a crash between the SMTP answer and the commit is the same message.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from connections.emails import make_message
from connections.links import absolute_url, action_url, unsubscribe_url
from connections.models import NUDGE_PRIORITY, Delivery, Nudge, Person

logger = logging.getLogger(__name__)


def claim(delivery_id: int, now: datetime) -> bool:
    lease_until = now + timedelta(seconds=settings.NUDGE_SEND_LEASE_SECONDS)
    return bool(
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=Delivery.Status.PENDING)
            | Q(status=Delivery.Status.SENDING, lease_until__lt=now)
        )
        .update(status=Delivery.Status.SENDING, lease_until=lease_until, attempts=F("attempts") + 1)
    )


def send_delivery(delivery_id: int) -> str:
    """Claim, send and record one email. Returns what happened, for logs and tests."""
    now = timezone.now()
    if not claim(delivery_id, now):
        return "not claimed"
    delivery = Delivery.objects.select_related("owner").get(pk=delivery_id)
    try:
        build_message(delivery).send()
    except Exception as error:
        _record_failure(delivery, error)
        return "failed"
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        lease_until=None,
        last_error="",
    )
    return "sent"


def _record_failure(delivery: Delivery, error: Exception) -> None:
    reason = f"{type(error).__name__}: {error}"[:1000]
    if delivery.attempts >= settings.NUDGE_MAX_ATTEMPTS:
        status, retry_at = Delivery.Status.FAILED, timezone.now()
    else:
        backoff = settings.NUDGE_RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1)
        status, retry_at = (
            Delivery.Status.PENDING,
            timezone.now() + timedelta(seconds=min(backoff, 3600)),
        )
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
        status=status,
        last_error=reason,
        next_attempt_at=retry_at,
        lease_until=None,
        enqueued_at=None,
    )
    logger.warning("Email %s attempt %d failed: %s", delivery.pk, delivery.attempts, reason)


def build_message(delivery: Delivery):
    user = delivery.owner
    headers = {
        "Message-ID": delivery.message_id,
        "List-Unsubscribe": f"<{unsubscribe_url(user)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    context = {
        "user": user,
        "delivery": delivery,
        "unsubscribe_url": unsubscribe_url(user),
        "settings_url": absolute_url(reverse("settings")),
        "dashboard_url": absolute_url(reverse("dashboard")),
    }
    if delivery.kind == Delivery.Kind.DAILY:
        context |= daily_context(delivery)
        name = "daily"
    else:
        context |= weekly_context(delivery)
        name = "weekly"
    return make_message(name, to=user.email, context=context, headers=headers)


def _person_url(person: Person) -> str:
    return absolute_url(f"/people/{person.pk}/")


def daily_context(delivery: Delivery) -> dict:
    nudges = sorted(
        delivery.nudges.select_related("person", "interaction"),
        key=lambda n: (NUDGE_PRIORITY[Nudge.Kind(n.kind)], n.due_on, n.id),
    )
    items = [
        {
            "nudge": nudge,
            "person": nudge.person,
            "headline": headline(nudge),
            "channel": nudge.person.get_preferred_channel_display(),
            "person_url": _person_url(nudge.person),
            "done_url": action_url(nudge, "done"),
            "snooze_url": action_url(nudge, "snooze"),
            "log_url": action_url(nudge, "log"),
        }
        for nudge in nudges
    ]
    return {"items": items, "subject_line": daily_subject(items), "waiting": delivery.waiting_count}


def headline(nudge: Nudge) -> str:
    """A short label for a nudge: "Ana’s birthday", "follow up with Ben"."""
    name = nudge.person.display_name
    return {
        Nudge.Kind.FOLLOW_UP: f"follow up with {name}",
        Nudge.Kind.BIRTHDAY: f"{name}’s birthday",
        Nudge.Kind.BIRTHDAY_SOON: f"{name}’s birthday soon",
        Nudge.Kind.GOAL_DATE: f"ask {name} how it went",
        Nudge.Kind.MILESTONE: f"{name}’s milestone",
        Nudge.Kind.CELEBRATE: f"celebrate with {name}",
        Nudge.Kind.CADENCE: f"catch up with {name}",
    }[Nudge.Kind(nudge.kind)]


def daily_subject(items: list[dict]) -> str:
    people = {item["person"].pk for item in items}
    count = len(people)
    noun = "person" if count == 1 else "people"
    labels = [item["headline"] for item in items[:2]]
    more = "…" if len(items) > 2 else ""
    first = labels[0][0].upper() + labels[0][1:]
    return f"{count} {noun} to reach out to today — {', '.join([first, *labels[1:]])}{more}"


def weekly_context(delivery: Delivery) -> dict:
    picks = delivery.weekly_picks
    people = Person.objects.for_user(delivery.owner).in_bulk([pick["person"] for pick in picks])
    items = [
        {
            "person": people[pick["person"]],
            "why": pick["why"],
            "channel": people[pick["person"]].get_preferred_channel_display(),
            "person_url": _person_url(people[pick["person"]]),
        }
        for pick in picks
        if pick["person"] in people
    ]
    names = [item["person"].display_name for item in items]
    return {"items": items, "names": names}
