"""Sending the planned emails, exactly once as far as the database can tell.

A task gets a batch of up to `scheduling.SEND_BATCH` email ids. It claims them in one short
transaction (status → SENDING with a lease, for the rows still PENDING or whose lease ran
out; rows another worker is claiming are skipped), loads them with their owners, nudges and
people in four queries whatever the batch size, and sends them one after another over one
SMTP connection. The Message-ID comes from the row, so a re-send is the same message.

Each row is marked SENT by its own UPDATE right after the server accepts its message, and
that UPDATE has committed before the next message goes to the server. Two waits overlap other
work instead of adding to it: the next message is built while the server reads and answers
this one (`posting`), and the mark travels to the database while the next message's envelope
is sent (`_SentMarks`). What that guarantees when a worker dies (SIGKILL, out of memory, a
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
the one guarantee traded for speed, in the rarest failure. The claim commits the same way: a
crash that forgets it forgets the marks made after it too, and the emails sent meanwhile are
sent again the same way (the rows are PENDING again; the tick hands them over).

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
import selectors
from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import lower, stringformat, truncatechars
from django.utils import timezone
from django.utils.timezone import template_localtime
from psycopg import pq

from connections.emails import PreparedEmail, finish, make_message_in_steps
from connections.links import absolute_url, action_url, page_url, unsubscribe_url
from connections.models import NUDGE_PRIORITY, Delivery, Nudge, Person
from connections.posting import Postman, Unreachable, connection_still_usable, postman_for
from connections.transactions import commits_not_waiting_for_disk

logger = logging.getLogger(__name__)

# What a send can say about a row, for logs and tests.
SENT, FAILED, NOT_CLAIMED, GIVEN_BACK = "sent", "failed", "not claimed", "given back"


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
    with commits_not_waiting_for_disk():
        claimed = claim(delivery_ids, now)
        if not claimed:
            return outcomes
        loaded = load_for_sending(claimed)
        # The second half of the lease is the margin for the message being sent when it ends.
        give_back_after = now + timedelta(seconds=settings.NUDGE_SEND_LEASE_SECONDS / 2)
        batch = _Batch(postman_for(mail.mailers.default), outcomes)
        try:
            _send_loaded(loaded, batch, give_back_after)
        except Unreachable as error:
            batch.marks.wait()
            for delivery in loaded.deliveries:
                if outcomes[delivery.pk] == NOT_CLAIMED:
                    _record_failure(delivery, error.__cause__ or error)
                    outcomes[delivery.pk] = FAILED
        finally:
            batch.postman.close()
            batch.marks.wait()
    return outcomes


def _send_loaded(loaded: Loaded, batch: "_Batch", give_back_after: datetime) -> None:
    """Send each claimed email in turn and record, in `outcomes` and in its row, what
    happened; raises Unreachable if the server cannot be reached (every email left fails
    with it).

    Each message is built while the server handles the one before: its first part while the
    server reads that message, one part while it answers each command of the next envelope
    (MAIL, RCPT, DATA). The longest wait, the message itself, gets the longest part. A
    pipelining server answers a message and the next envelope at once, so the next message
    is built whole in that wait.
    """
    deliveries = loaded.deliveries
    building = _Building(deliveries[0], loaded) if deliveries else None
    for index, delivery in enumerate(deliveries):
        late = timezone.now() > give_back_after
        if late:
            batch.answer()
            # A server that has accepted this email's envelope waits for the email itself.
            # (`building` is None after that email, which went without a next one.)
            if building is None or not (
                building.message is not None and batch.postman.expects(building.message)
            ):
                rest = deliveries[index:]
                batch.marks.wait()
                _give_back(rest)
                batch.outcomes.update(dict.fromkeys((d.pk for d in rest), GIVEN_BACK))
                return
        following = (
            _Building(deliveries[index + 1], loaded)
            if index + 1 < len(deliveries) and not late
            else None
        )
        # A pipelining server answers an email and the next one's envelope at once: the
        # next email is built whole during that one wait, to go with this one.
        next_part = None
        if following is not None:
            next_part = following.finish if batch.postman.pipelining else following.step
        batch.answer(meanwhile=next_part)
        building.finish()  # built while the one before was sent (but the first)
        if building.error is not None:
            batch.fail(delivery, building.error)
        else:
            batch.write(delivery, building.message, meanwhile=next_part, following=following)
        building = following
    batch.answer()


def _nothing() -> None:
    pass


class _Building:
    """A message being built a part at a time (`build_message_in_steps`); a failure is kept
    for its email, not raised into the one being sent."""

    def __init__(self, delivery: Delivery, loaded: Loaded):
        self._steps = build_message_in_steps(delivery, loaded)
        self.message: PreparedEmail | None = None
        self.error: Exception | None = None

    def step(self) -> None:
        if self._steps is None:
            return
        try:
            next(self._steps)
        except StopIteration as done:
            self.message, self._steps = done.value, None
        except Exception as error:
            self.error, self._steps = error, None

    def finish(self) -> None:
        while self._steps is not None:
            self.step()

    def built(self) -> PreparedEmail | None:
        """The message, finished now if need be; None if it could not be built."""
        self.finish()
        return self.message


class _Batch:
    """The state of a batch being sent: which email the server has but has not answered for,
    and the mark in flight."""

    def __init__(self, postman: Postman, outcomes: dict[int, str]):
        self.postman = postman
        self.outcomes = outcomes
        self.marks = _SentMarks()
        self.unanswered: Delivery | None = None

    def write(
        self,
        delivery: Delivery,
        message: PreparedEmail,
        *,
        meanwhile=None,
        following: "_Building | None" = None,
    ) -> None:
        try:
            self.postman.write(
                message,
                before_message=self.marks.wait,
                meanwhile=meanwhile or _nothing,
                following=following.built if following is not None else None,
            )
        except (Unreachable, MarkFailed):
            raise
        except Exception as error:
            self.fail(delivery, error)
            return
        self.unanswered = delivery

    def answer(self, *, meanwhile=None) -> None:
        """Read the server's answer to the email written last, if any, and record it: a mark
        on its way to the database, or a failure. `meanwhile` is done first, while the
        server reads the message."""
        delivery, self.unanswered = self.unanswered, None
        if delivery is None:
            (meanwhile or _nothing)()
            return
        try:
            self.postman.answer(before_message=self.marks.wait, meanwhile=meanwhile or _nothing)
        except (Unreachable, MarkFailed):
            raise
        except Exception as error:
            self.fail(delivery, error)
            return
        self.marks.send(delivery)
        self.outcomes[delivery.pk] = SENT

    def fail(self, delivery: Delivery, error: Exception) -> None:
        self.marks.wait()
        _record_failure(delivery, error)
        self.outcomes[delivery.pk] = FAILED
        if not connection_still_usable(error):
            self.postman.close()


# What the emails show and sending needs, and no more: people's stories and what was heard
# in an interaction can be long, and every column read costs in building the objects.
# A field used but not listed here costs a query per email (the query-count test says so).
_DELIVERY_FIELDS = (
    "kind",
    "period",
    "status",
    "weekly_picks",
    "waiting_count",
    "attempts",
    "owner",
)
_OWNER_FIELDS = (
    "email",
    "display_name",
    "timezone",
    "nudge_hour",
    "daily_nudge_limit",
    "weekly_email_weekday",
)
_NUDGE_FIELDS = ("owner", "person", "kind", "reason", "due_on", "interaction")
_INTERACTION_FIELDS = ("kind", "occurred_at")
_PERSON_FIELDS = ("owner", "full_name", "nickname", "preferred_channel", "connect_notes")


def load_for_sending(delivery_ids: list[int]) -> Loaded:
    """The claimed emails and what they show, in four queries whatever the batch size.

    Nudges and people are read by their ids, which the planner counts exactly. Joined to the
    emails' ids through the link table (a prefetch), the estimate came from statistics that
    may predate the morning's emails, and the plan read every nudge, person and interaction
    of every user: 5-16 ms for a batch of 50 among 1,000 users, growing with them.
    """
    deliveries = list(
        Delivery.objects.filter(pk__in=delivery_ids)
        .select_related("owner")
        .only(*_DELIVERY_FIELDS, *(f"owner__{field}" for field in _OWNER_FIELDS))
        .order_by("pk")
    )
    links = list(
        Delivery.nudges.through.objects.filter(delivery_id__in=delivery_ids).values_list(
            "delivery_id", "nudge_id"
        )
    )
    nudges = (
        Nudge.objects.select_related("interaction")
        .only(*_NUDGE_FIELDS, *(f"interaction__{field}" for field in _INTERACTION_FIELDS))
        .in_bulk([n for _, n in links])
    )
    wanted = {nudge.person_id for nudge in nudges.values()} | {
        pick["person"] for delivery in deliveries for pick in delivery.weekly_picks
    }
    people = (
        Person.objects.filter(owner_id__in={d.owner_id for d in deliveries})
        .only(*_PERSON_FIELDS)
        .in_bulk(list(wanted))
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


class MarkFailed(Exception):
    """The database did not confirm the mark of an email the server accepted: the batch stops
    there (that email is sent again after its lease, with the same Message-ID)."""


class _SentMarks:
    """Marks emails sent, one UPDATE each, without waiting for the database on the way.

    On PostgreSQL `send` writes the UPDATE to the server and returns; `wait` reads its
    answer. The connection runs in autocommit (a worker is never inside `atomic`), so the
    statement commits on its own once the server has it, whether or not the answer is read.
    The batch waits before the next message goes to the SMTP server (`before_message`) and
    before any other query. So the mark's round trip overlaps the next message's envelope
    (MAIL, RCPT, DATA) instead of adding to it, and the guarantee stays what it was: the
    next message is not given to the server until the mark of this one has committed, so a
    crash leaves at most one email accepted and not marked. If the worker dies while the
    mark is on its way, that one email is the one in flight; a failed mark raises in `wait`,
    before the next message, as it did when it was waited for at once.

    The statement does not go through Django's cursor (which always waits for the answer):
    query logging (DEBUG, tests counting queries) records it here. Elsewhere (SQLite) the
    UPDATE runs at once, through Django.
    """

    def __init__(self):
        self.in_flight = False

    def send(self, delivery: Delivery) -> None:
        self.wait()
        now = timezone.now()
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_MARK_SENT, _mark_sent_params(delivery, now))
            return
        connection.ensure_connection()
        with connection.wrap_database_errors:
            connection.connection.pgconn.send_query_params(
                _MARK_SENT_POSTGRESQL,
                [str(value).encode() for value in _mark_sent_params(delivery, now)],
            )
        self.in_flight = True
        if connection.queries_logged:
            connection.queries_log.append(
                {"sql": _MARK_SENT % tuple(_mark_sent_params(delivery, now)), "time": "0.000"}
            )

    def wait(self) -> None:
        if not self.in_flight:
            return
        self.in_flight = False
        try:
            self._read_answer()
        except Exception as error:
            raise MarkFailed(str(error)) from error

    def _read_answer(self) -> None:
        pgconn = connection.connection.pgconn
        failed = None
        with connection.wrap_database_errors:
            # Waiting in select, not in libpq, lets other threads run meanwhile.
            pgconn.consume_input()
            while pgconn.is_busy():
                with selectors.DefaultSelector() as selector:
                    selector.register(pgconn.socket, selectors.EVENT_READ)
                    selector.select()
                pgconn.consume_input()
            while (result := pgconn.get_result()) is not None:
                if result.status != pq.ExecStatus.COMMAND_OK and failed is None:
                    failed = psycopg.errors.error_from_result(result, encoding=_encoding())
            if failed is not None:
                raise failed


def _mark_sent_params(delivery: Delivery, now: datetime) -> list:
    return [Delivery.Status.SENT.value, now.isoformat(), delivery.pk, Delivery.Status.SENDING.value]


def _encoding() -> str:
    return connection.connection.info.encoding


# The same UPDATE as `Delivery.objects.filter(pk=…, status=SENDING).update(…)`, written once:
# the ORM took longer to build the statement (≈0.2 ms) than the database to run it.
_MARK_SENT = (
    f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, lease_until = NULL, "
    "last_error = '' WHERE id = %s AND status = %s"
)
_MARK_SENT_POSTGRESQL = (_MARK_SENT % ("$1", "$2", "$3", "$4")).encode()


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
    return finish(build_message_in_steps(delivery, loaded))


def build_message_in_steps(
    delivery: Delivery, loaded: Loaded
) -> Generator[None, None, PreparedEmail]:
    """`build_message` a part at a time (it yields between them): what it shows, then the
    parts `make_message_in_steps` makes."""
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
    yield
    return (yield from make_message_in_steps(name, to=user.email, context=context, headers=headers))


def _person_url(person: Person) -> str:
    return absolute_url(f"/people/{person.pk}/")


def daily_context(delivery: Delivery, nudges: list[Nudge]) -> dict:
    """Its nudges (with their people and interactions), most important first.

    Every value the templates show is a plain string or number here, computed with the
    filters the templates used to apply: the template engine finds a key in a dict at once,
    but tries a model's attributes by catching an exception first (≈40 such lookups an email).
    """
    user = delivery.owner
    nudges = sorted(
        nudges,
        key=lambda n: (NUDGE_PRIORITY[Nudge.Kind(n.kind)], n.due_on, n.id),
    )
    items = [_daily_item(nudge) for nudge in nudges]
    return {
        "items": items,
        "count": len(items),
        "subject_line": daily_subject(items),
        "waiting": delivery.waiting_count,
        "daily_limit": user.daily_nudge_limit,
        "display_name": user.display_name,
        "short_name": user.get_short_name(),
        "nudge_hour": stringformat(user.nudge_hour, "02d"),
        "timezone": user.timezone,
    }


def _daily_item(nudge: Nudge) -> dict:
    person, interaction = nudge.person, nudge.interaction
    item = {
        "person": person,
        "full_name": person.full_name,
        "kind": nudge.get_kind_display(),
        "headline": headline(nudge),
        "reason": nudge.reason,
        "interaction": interaction,
        "channel": person.get_preferred_channel_display(),
        "notes": truncatechars(person.connect_notes, 80) if person.connect_notes else "",
        "person_url": _person_url(person),
        "done_url": action_url(nudge, "done"),
        "snooze_url": action_url(nudge, "snooze"),
        "log_url": action_url(nudge, "log"),
    }
    if interaction is not None:
        item["interaction_kind"] = lower(interaction.get_kind_display())
        item["interaction_day"] = date_filter(template_localtime(interaction.occurred_at), "l j F")
    return item


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
