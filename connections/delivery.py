"""Sending the planned emails, exactly once as far as the database can tell.

A task gets a batch of up to `scheduling.SEND_BATCH` email ids. It claims them in one short
transaction (status → SENDING with a lease, for the rows still PENDING or whose lease ran
out; rows another worker is claiming are skipped), loads them with their owners, nudges and
people in four queries whatever the batch size, and sends them one after another over one
SMTP connection. The Message-ID comes from the row, so a re-send is the same message.

Each row is marked SENT by its own UPDATE right after the server accepts its message, before
the next one is built. What that guarantees when a worker dies (SIGKILL, out of memory, a
deploy) mid-batch:

- Rows already marked SENT are never sent again.
- At most one email, the one in flight, can have been accepted by the server and not marked;
  after the lease runs out the tick hands it over again and it is sent a second time with the
  same Message-ID, so it can be recognised as the same message. A single send had the same
  window.
- The rest of the batch (claimed, not sent) is sent once, by another worker, after the lease
  runs out: a killed worker delays up to a batch of emails by the lease, not one. Nothing is
  lost: the tick finds every expired lease.

Marking the whole batch in one UPDATE at the end would save a round trip per email but turn a
killed worker into up to a batch of duplicates. What the per-email UPDATE costs is mostly its
commit waiting for the disk (≈4 ms here, more than the rest of the email), so during a batch
the connection runs with PostgreSQL's `synchronous_commit` off: a commit returns once it is in
the server's memory, visible to every other connection at once, and reaches the disk within
a fraction of a second. A killed worker loses nothing by this (the server has the commit).
Only a crash of PostgreSQL itself (or its machine) in that fraction of a second can forget the
last marks; those emails are then re-sent with the same Message-ID after their lease. That is
the one guarantee traded for speed, in the rarest failure.

One message that fails (a refused address, a 5xx answer) gets the usual retry record
(PENDING with a backoff, or FAILED after the last attempt) and the batch goes on. A server
that closes the connection (idle, 421, a limit per connection) gets a new connection and that
message once more (if it dropped while the server was answering the message itself, that is
the duplicate window above, same Message-ID); a server that cannot be reached fails the rest
of the batch at once, each row with its own backoff. A batch past half its lease (a very slow
server) gives its unsent rows back instead of sending them when another worker may have
claimed them.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from connections.emails import PLAIN_ADDRESS, PreparedEmail, make_message
from connections.links import absolute_url, action_url, page_url, unsubscribe_url
from connections.models import NUDGE_PRIORITY, Delivery, Nudge, Person
from connections.transactions import commits_not_waiting_for_disk

logger = logging.getLogger(__name__)

# What a send can say about a row, for logs and tests.
SENT, FAILED, NOT_CLAIMED, GIVEN_BACK = "sent", "failed", "not claimed", "given back"


class Unreachable(Exception):
    """The mail server could not be reached: every message left in the batch would fail too."""


@dataclass
class Loaded:
    """A claimed batch as `build_message` needs it: the rows with their owners, each row's
    nudges with their people and interactions, and the people the weekly picks name."""

    deliveries: list[Delivery]
    nudges: dict[int, list[Nudge]]
    people: dict[int, Person]


def claim(delivery_ids: list[int], now: datetime) -> list[int]:
    """Claim the given emails that are free to send (new, or their lease ran out) and
    return their ids; rows another worker is claiming at this moment are skipped."""
    lease_until = now + timedelta(seconds=settings.NUDGE_SEND_LEASE_SECONDS)
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=delivery_ids)
            .filter(
                Q(status=Delivery.Status.PENDING)
                | Q(status=Delivery.Status.SENDING, lease_until__lt=now)
            )
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=claimed).update(
            status=Delivery.Status.SENDING,
            lease_until=lease_until,
            attempts=F("attempts") + 1,
        )
    return claimed


def send_delivery(delivery_id: int) -> str:
    """Claim, send and record one email. Returns what happened, for logs and tests."""
    return send_deliveries([delivery_id])[delivery_id]


def send_deliveries(delivery_ids: list[int]) -> dict[int, str]:
    """Claim, send and record a batch of emails over one SMTP connection; what happened to
    each id (sent, failed, not claimed, given back)."""
    now = timezone.now()
    outcomes = dict.fromkeys(delivery_ids, NOT_CLAIMED)
    claimed = claim(delivery_ids, now)
    if not claimed:
        return outcomes
    loaded = load_for_sending(claimed)
    # The second half of the lease is the margin for the message being sent when it ends.
    give_back_after = now + timedelta(seconds=settings.NUDGE_SEND_LEASE_SECONDS / 2)
    mailer = mail.mailers.default
    with commits_not_waiting_for_disk():
        try:
            _send_loaded(loaded, mailer, give_back_after, outcomes)
        finally:
            _close_quietly(mailer)
    return outcomes


def _send_loaded(
    loaded: Loaded, mailer, give_back_after: datetime, outcomes: dict[int, str]
) -> None:
    """Send each claimed email in turn and record, in `outcomes` and in its row, what
    happened."""
    deliveries = loaded.deliveries
    for index, delivery in enumerate(deliveries):
        if timezone.now() > give_back_after:
            rest = deliveries[index:]
            _give_back(rest)
            outcomes.update(dict.fromkeys((d.pk for d in rest), GIVEN_BACK))
            break
        try:
            _send(mailer, build_message(delivery, loaded))
        except Unreachable as error:
            for failed in deliveries[index:]:
                _record_failure(failed, error.__cause__ or error)
                outcomes[failed.pk] = FAILED
            break
        except Exception as error:
            _record_failure(delivery, error)
            outcomes[delivery.pk] = FAILED
            if not _connection_still_usable(error):
                _close_quietly(mailer)
            continue
        _mark_sent(delivery)
        outcomes[delivery.pk] = SENT


def load_for_sending(delivery_ids: list[int]) -> Loaded:
    """The claimed emails and what they show, in four queries whatever the batch size.

    Nudges and people are read by their ids, which the planner counts exactly. Joined to the
    emails' ids through the link table (a prefetch), the estimate came from statistics that
    may predate the morning's emails, and the plan read every nudge, person and interaction
    of every user: 5-16 ms for a batch of 50 among 1,000 users, growing with them.
    """
    deliveries = list(
        Delivery.objects.filter(pk__in=delivery_ids).select_related("owner").order_by("pk")
    )
    links = list(
        Delivery.nudges.through.objects.filter(delivery_id__in=delivery_ids).values_list(
            "delivery_id", "nudge_id"
        )
    )
    nudges = Nudge.objects.select_related("interaction").in_bulk([n for _, n in links])
    wanted = {nudge.person_id for nudge in nudges.values()} | {
        pick["person"] for delivery in deliveries for pick in delivery.weekly_picks
    }
    people = (
        Person.objects.filter(owner_id__in={d.owner_id for d in deliveries}).in_bulk(list(wanted))
        if wanted
        else {}
    )
    by_delivery = {delivery.pk: [] for delivery in deliveries}
    for delivery_id, nudge_id in links:
        # A person deleted meanwhile takes their nudges with them.
        nudge = nudges.get(nudge_id)
        if nudge is not None and nudge.person_id in people:
            nudge.person = people[nudge.person_id]
            by_delivery[delivery_id].append(nudge)
    return Loaded(deliveries, by_delivery, people)


def _send(mailer, message: PreparedEmail) -> None:
    _open(mailer)
    try:
        _deliver(mailer, message)
    except Exception as error:
        if not _closed_by_server(error):
            raise
        # The server closed the connection: after a 421 or at the first command of an idle
        # connection it has not got this message; if the connection dropped while we waited
        # for its answer to the message, it may have, and the re-send is the duplicate a
        # crash can cause (same Message-ID). A new connection, and this message once more.
        _close_quietly(mailer)
        _open(mailer)
        _deliver(mailer, message)


def _deliver(mailer, message: PreparedEmail) -> None:
    if isinstance(mailer, SmtpBackend):
        # The bytes written when the message was made; the backend's own `send_messages`
        # would build them again with the email package.
        to = message.to[0]
        mailer.connection.sendmail(
            _sender(mailer, message.from_email),
            [to if PLAIN_ADDRESS.fullmatch(to) else mailer.prep_address(to)],
            message.wire,
        )
    else:
        mailer.send_messages([message])


def _sender(mailer, from_email: str) -> str:
    """The envelope sender as the backend prepares it (no display name, the domain in
    IDNA), once per process."""
    if from_email not in _SENDERS:
        _SENDERS[from_email] = mailer.prep_address(from_email)
    return _SENDERS[from_email]


_SENDERS: dict[str, str] = {}


def _closed_by_server(error: Exception) -> bool:
    return isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError) or (
        isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421
    )


def _open(mailer) -> None:
    try:
        mailer.open()
    except Exception as error:
        raise Unreachable(str(error)) from error


def _connection_still_usable(error: Exception) -> bool:
    # The server answered (smtplib has reset the transaction), or the message was refused
    # before anything was sent; anything else (a timeout mid-message) leaves the
    # conversation in an unknown state, so the next message starts on a new connection.
    return isinstance(
        error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused | ValueError
    )


def _close_quietly(mailer) -> None:
    try:
        mailer.close()
    except Exception as error:
        # The connection is already broken; there is nothing left to tell the server.
        logger.debug("Closing the SMTP connection failed: %s", error)


def _mark_sent(delivery: Delivery) -> None:
    # The same UPDATE as `Delivery.objects.filter(pk=…, status=SENDING).update(…)`, written
    # once: the ORM took longer to build the statement (≈0.2 ms) than the database to run it.
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_SENT,
            [
                Delivery.Status.SENT.value,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                delivery.pk,
                Delivery.Status.SENDING.value,
            ],
        )


_MARK_SENT = (
    f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, lease_until = NULL, "
    "last_error = '' WHERE id = %s AND status = %s"
)


def _give_back(deliveries: list[Delivery]) -> None:
    """Unsent rows of a batch that ran out of time: not an attempt; the next tick hands them
    over again."""
    Delivery.objects.filter(
        pk__in=[delivery.pk for delivery in deliveries], status=Delivery.Status.SENDING
    ).update(
        status=Delivery.Status.PENDING,
        lease_until=None,
        enqueued_at=None,
        attempts=F("attempts") - 1,
    )
    logger.warning("Gave back %d unsent emails at the end of their lease", len(deliveries))


def _record_failure(delivery: Delivery, error: BaseException) -> None:
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


def build_message(delivery: Delivery, loaded: Loaded) -> PreparedEmail:
    """The email for a row of a batch read by `load_for_sending`."""
    user = delivery.owner
    unsubscribe = unsubscribe_url(user)
    headers = {
        "Message-ID": delivery.message_id,
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    context = {
        "user": user,
        "delivery": delivery,
        "unsubscribe_url": unsubscribe,
        "settings_url": page_url("settings"),
        "dashboard_url": page_url("dashboard"),
    }
    if delivery.kind == Delivery.Kind.DAILY:
        context |= daily_context(delivery, loaded.nudges[delivery.pk])
        name = "daily"
    else:
        context |= weekly_context(delivery, loaded.people)
        name = "weekly"
    return make_message(name, to=user.email, context=context, headers=headers)


def _person_url(person: Person) -> str:
    return absolute_url(f"/people/{person.pk}/")


def daily_context(delivery: Delivery, nudges: list[Nudge]) -> dict:
    """Its nudges (with their people and interactions), most important first."""
    nudges = sorted(
        nudges,
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


def weekly_context(delivery: Delivery, loaded: dict[int, Person]) -> dict:
    """The weekly three as picked when planned, among `loaded` people (only the owner's
    count; someone deleted since is left out)."""
    picks = delivery.weekly_picks
    people = {
        pick["person"]: loaded[pick["person"]]
        for pick in picks
        if pick["person"] in loaded and loaded[pick["person"]].owner_id == delivery.owner_id
    }
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
