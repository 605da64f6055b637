"""Sending emails in batches: one task, one SMTP connection, each email on its own record."""

import smtplib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from connections import delivery
from connections.delivery import MarkFailed, send_deliveries
from connections.models import Circle, Delivery
from connections.nudges import schedule_follow_up
from connections.scheduling import plan_daily_emails
from tests.factories import PersonFactory, UserFactory
from tests.smtp import SmtpServer, free_port, text_part

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
NINE = datetime(2026, 3, 2, 9, tzinfo=UTC)
# A server that offers PIPELINING gets commands in groups; every outcome must be the same.
PIPELINING = pytest.mark.parametrize("pipelining", [False, True], ids=["one by one", "pipelined"])


def planned_mornings(*emails: str) -> list[int]:
    """A morning email planned for each address, with one follow-up due; their ids in order."""
    for email in emails:
        user = UserFactory(
            email=email, timezone="UTC", date_joined=datetime(2026, 1, 1, tzinfo=UTC)
        )
        schedule_follow_up(
            person=PersonFactory(owner=user, full_name=f"Friend of {email}", circle=Circle.CLOSE),
            due_on=date(2026, 3, 1),
            reason="Ask how the move went.",
        )
    with time_machine.travel(NINE, tick=False):
        plan_daily_emails(NINE)
    return list(Delivery.objects.filter(kind="daily").order_by("pk").values_list("pk", flat=True))


def use_server(settings, server: SmtpServer, *, timeout: float = 10) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": timeout},
        }
    }


def send_through(settings, server: SmtpServer, ids: list[int]) -> dict[int, str]:
    """`send_deliveries(ids)` to this server, started for it and stopped after."""
    server.start()
    use_server(settings, server)
    try:
        return send_deliveries(ids)
    finally:
        server.stop()


def statuses(ids: list[int]) -> list[tuple[str, int]]:
    rows = Delivery.objects.in_bulk(ids)
    return [(rows[pk].status, rows[pk].attempts) for pk in ids]


def test_one_task_sends_every_email_of_its_batch_over_one_connection(smtp_server):
    ids = planned_mornings("a@example.com", "b@example.com", "c@example.com", "d@example.com")

    outcomes = send_deliveries(ids)

    assert outcomes == dict.fromkeys(ids, "sent")
    assert smtp_server.sink.connections == 1
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
        "d@example.com",
    ]
    rows = Delivery.objects.in_bulk(ids)
    for message in smtp_server.messages:
        (row,) = (r for r in rows.values() if r.owner.email == message["To"])
        assert message["Message-ID"] == row.message_id
        assert f"Friend of {message['To']}" in text_part(message)
    assert statuses(ids) == [("sent", 1)] * 4
    assert all(row.sent_at and row.lease_until is None for row in rows.values())


def test_sending_a_batch_again_sends_nothing(smtp_server):
    ids = planned_mornings("a@example.com", "b@example.com")
    send_deliveries(ids)

    assert send_deliveries(ids) == dict.fromkeys(ids, "not claimed")
    assert len(smtp_server.messages) == 2


@pytest.mark.parametrize("count", [2, 6])
def test_a_batch_costs_the_same_queries_plus_one_update_per_email(
    count, smtp_server, django_assert_num_queries
):
    ids = planned_mornings(*(f"user{n}@example.com" for n in range(count)))
    weekly_owner = UserFactory(email="weekly@example.com", timezone="UTC")
    friend = PersonFactory(owner=weekly_owner, full_name="Cleo Weekly", nickname="Cleo")
    stranger = PersonFactory(full_name="Not Theirs")  # another user's person
    weekly = Delivery.objects.create(
        owner=weekly_owner,
        kind=Delivery.Kind.WEEKLY,
        period=date(2026, 3, 2),
        weekly_picks=[
            {"person": friend.pk, "why": "It has been a while."},
            {"person": stranger.pk, "why": "Should never show."},
        ],
    )

    # The claim (a select and an update, in a savepoint here); the rows with their owners;
    # their links to nudges; the nudges; the people they name and the weekly picks name;
    # synchronous_commit off and back (PostgreSQL only); then one update per email sent.
    commit_setting = 2 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(4 + 4 + commit_setting + (count + 1)):
        outcomes = send_deliveries([*ids, weekly.pk])

    assert set(outcomes.values()) == {"sent"}
    (weekly_message,) = (m for m in smtp_server.messages if m["To"] == "weekly@example.com")
    assert weekly_message["Subject"] == "This week’s three: Cleo"
    assert "Not Theirs" not in text_part(weekly_message)


def sent_over_the_wire(monkeypatch) -> list[bytes]:
    """Each write the client makes to its SMTP connection, as bytes."""
    writes = []
    real_send = smtplib.SMTP.send

    def send(smtp, data):
        writes.append(data.encode("ascii") if isinstance(data, str) else data)
        return real_send(smtp, data)

    monkeypatch.setattr(smtplib.SMTP, "send", send)
    return writes


def round_trips(writes: list[bytes]) -> list[tuple[bool, list[bytes]]]:
    """For each write with a message or MAIL, RCPT or DATA (the client then waits for the
    server): whether it carries a message, and the commands after it."""
    trips = []
    for write in writes:
        message, _, commands = write.rpartition(b"\r\n.\r\n")
        words = [line.split(b" ")[0].split(b":")[0].upper() for line in commands.splitlines()]
        if message or {b"MAIL", b"RCPT", b"DATA"} & set(words):
            trips.append((bool(message), words))
    return trips


ENVELOPE = [b"MAIL", b"RCPT", b"DATA"]


def test_a_server_that_offers_pipelining_answers_each_email_and_the_next_envelope_at_once(
    settings, monkeypatch
):
    """RFC 2920: one round trip an email instead of four (what most of a batch's time is
    spent waiting for): each message goes with the next one's MAIL, RCPT and DATA."""
    server = SmtpServer(pipelining=True)
    ids = planned_mornings("a@example.com", "b@example.com", "c@example.com")
    writes = sent_over_the_wire(monkeypatch)
    outcomes = send_through(settings, server, ids)

    assert outcomes == dict.fromkeys(ids, "sent")
    assert round_trips(writes) == [
        (False, ENVELOPE),
        (True, ENVELOPE),
        (True, ENVELOPE),
        (True, []),
    ]
    assert [m["To"] for m in server.messages] == ["a@example.com", "b@example.com", "c@example.com"]
    for message in server.messages:
        assert message["Subject"] == "1 person to reach out to today — Follow up with Friend"
        assert f"Friend of {message['To']}" in text_part(message)
    assert statuses(ids) == [("sent", 1)] * 3


def test_a_server_that_does_not_offer_pipelining_gets_one_command_at_a_time(settings, monkeypatch):
    server = SmtpServer()
    ids = planned_mornings("a@example.com", "b@example.com")
    writes = sent_over_the_wire(monkeypatch)
    outcomes = send_through(settings, server, ids)

    assert outcomes == dict.fromkeys(ids, "sent")
    one_email = [(False, [b"MAIL"]), (False, [b"RCPT"]), (False, [b"DATA"]), (True, [])]
    assert round_trips(writes) == one_email * 2
    assert len(server.messages) == 2


@PIPELINING
def test_a_message_refused_once_it_has_arrived_leaves_the_next_one_sent(settings, pipelining):
    """With pipelining the next envelope is already open when the refusal comes: the next
    message must go through it as it is, with no RSET in between."""
    server = SmtpServer(refuse_message_to=frozenset({"b@example.com"}), pipelining=pipelining)
    ids = planned_mornings("a@example.com", "b@example.com", "c@example.com")
    outcomes = send_through(settings, server, ids)

    assert list(outcomes.values()) == ["sent", "failed", "sent"]
    assert [m["To"] for m in server.messages] == ["a@example.com", "c@example.com"]
    assert "Ask how the move went." in text_part(server.messages[1])
    assert server.sink.connections == 1
    assert statuses(ids) == [("sent", 1), ("pending", 1), ("sent", 1)]
    assert "554" in Delivery.objects.get(pk=ids[1]).last_error


@PIPELINING
def test_a_refused_address_in_the_middle_leaves_the_others_sent(settings, pipelining):
    settings.NUDGE_RETRY_BASE_SECONDS = 60
    server = SmtpServer(refuse=frozenset({"b@example.com"}), pipelining=pipelining)
    ids = planned_mornings("a@example.com", "b@example.com", "c@example.com")
    before = timezone.now()
    outcomes = send_through(settings, server, ids)

    assert list(outcomes.values()) == ["sent", "failed", "sent"]
    assert sorted(m["To"] for m in server.messages) == ["a@example.com", "c@example.com"]
    assert server.sink.connections == 1
    assert statuses(ids) == [("sent", 1), ("pending", 1), ("sent", 1)]
    refused = Delivery.objects.get(pk=ids[1])
    assert "550" in refused.last_error and "No such mailbox" in refused.last_error
    assert refused.next_attempt_at >= before + timedelta(seconds=60)
    assert refused.enqueued_at is None  # the next tick hands it over again, after the backoff


@PIPELINING
def test_a_server_that_closes_the_connection_is_reconnected_and_nothing_is_lost(
    settings, pipelining
):
    server = SmtpServer(messages_per_connection=2, pipelining=pipelining)
    ids = planned_mornings(*(f"user{n}@example.com" for n in range(5)))
    outcomes = send_through(settings, server, ids)

    assert outcomes == dict.fromkeys(ids, "sent")
    assert len(server.messages) == 5
    assert len({m["To"] for m in server.messages}) == 5
    assert server.sink.connections == 3
    assert statuses(ids) == [("sent", 1)] * 5


def test_an_unreachable_server_fails_the_whole_batch_with_a_retry_each(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    ids = planned_mornings("a@example.com", "b@example.com", "c@example.com")

    outcomes = send_deliveries(ids)

    assert outcomes == dict.fromkeys(ids, "failed")
    assert statuses(ids) == [("pending", 1)] * 3
    for row in Delivery.objects.filter(pk__in=ids):
        assert "refused" in row.last_error.lower()


@pytest.mark.parametrize(
    "pipelining, sent",
    [(False, ["a@example.com"]), (True, ["a@example.com", "b@example.com"])],
    ids=["one by one", "pipelined"],
)
def test_a_batch_near_the_end_of_its_lease_gives_the_rest_back_unsent(settings, pipelining, sent):
    """A pipelining server has accepted the second email's envelope with the first email:
    it waits for that email, which is sent; the rest are given back."""
    settings.NUDGE_SEND_LEASE_SECONDS = 2
    # The first conversation takes longer than half the lease.
    server = SmtpServer(stall_first_seconds=1.5, pipelining=pipelining)
    ids = planned_mornings("a@example.com", "b@example.com", "c@example.com")
    outcomes = send_through(settings, server, ids)

    given_back = ids[len(sent) :]
    assert list(outcomes.values()) == ["sent"] * len(sent) + ["given back"] * len(given_back)
    assert [m["To"] for m in server.messages] == sent
    # Not an attempt: the next tick hands them over as if new.
    assert statuses(ids) == [("sent", 1)] * len(sent) + [("pending", 0)] * len(given_back)
    assert not Delivery.objects.filter(pk__in=given_back, enqueued_at__isnull=False).exists()


def committed_as_sent(ids: list[int]) -> int:
    """How many of these emails another connection sees marked sent."""

    def count() -> int:
        try:
            return Delivery.objects.filter(pk__in=ids, status="sent").count()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(count).result()


def hold_row_lock(pk: int, *, seconds: float) -> None:
    """Lock an email's row from another connection for a while; return once it is locked."""
    locked = threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                list(Delivery.objects.select_for_update().filter(pk=pk))
                locked.set()
                time.sleep(seconds)
        finally:
            connection.close()

    threading.Thread(target=hold).start()
    assert locked.wait(5)


@pytest.mark.django_db(transaction=True)
@PIPELINING
def test_no_message_reaches_the_server_before_the_mark_of_the_one_before_has_committed(
    settings, pipelining
):
    """What bounds a crash to one repeated email. The first email's mark is held up for a
    second by a lock on its row: the second message must wait for it at the server's door,
    so when it arrives the first is already marked for everyone."""
    if connection.vendor != "postgresql":
        pytest.skip("Elsewhere each mark is a plain UPDATE, finished before anything else")
    ids = planned_mornings("a@example.com", "b@example.com", "c@example.com")
    seen = {}

    def on_message(number: int) -> None:
        if number == 1:
            hold_row_lock(ids[0], seconds=1)
        else:
            seen[number] = committed_as_sent(ids)

    server = SmtpServer(on_message=on_message, pipelining=pipelining)
    outcomes = send_through(settings, server, ids)

    assert outcomes == dict.fromkeys(ids, "sent")
    assert seen == {2: 1, 3: 2}


@pytest.mark.django_db(transaction=True)
@PIPELINING
def test_a_mark_the_database_refuses_stops_the_batch_before_the_next_message(settings, pipelining):
    """The email stays claimed (sent again after its lease, with the same Message-ID); the
    rest of the batch is not sent on top of a mark that did not commit. The server has
    accepted the next DATA by then: the connection is dropped, not sent QUIT, which it would
    take as part of a message, answering nothing until the client's timeout."""
    if connection.vendor != "postgresql":
        pytest.skip("Elsewhere each mark is a plain UPDATE, finished before anything else")
    ids = planned_mornings("a@example.com", "b@example.com", "c@example.com")
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout TO '100ms'")

    def on_message(number: int) -> None:
        if number == 1:
            hold_row_lock(ids[0], seconds=1)

    server = SmtpServer(on_message=on_message, pipelining=pipelining).start()
    use_server(settings, server, timeout=30)
    started = time.monotonic()
    try:
        with pytest.raises(MarkFailed, match="lock"):
            send_deliveries(ids)
    finally:
        stopped_after = time.monotonic() - started
        server.stop()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert stopped_after < 15  # not stuck until the 30 s timeout
    assert [m["To"] for m in server.messages] == ["a@example.com"]
    assert statuses(ids) == [("sending", 1)] * 3


@PIPELINING
def test_an_email_that_cannot_be_built_fails_alone(settings, monkeypatch, pipelining):
    """Each email is built while the one before it is being sent: a failure to build it is
    recorded on its own row, and neither the email being sent nor the next is affected."""
    ids = planned_mornings("a@example.com", "b@example.com", "c@example.com")
    real_context = delivery.daily_context

    def daily_context(row, nudges):
        if row.pk == ids[1]:
            raise ValueError("cannot show this one")
        return real_context(row, nudges)

    monkeypatch.setattr(delivery, "daily_context", daily_context)
    server = SmtpServer(pipelining=pipelining)
    outcomes = send_through(settings, server, ids)

    assert list(outcomes.values()) == ["sent", "failed", "sent"]
    assert [m["To"] for m in server.messages] == ["a@example.com", "c@example.com"]
    assert server.sink.connections == 1
    assert statuses(ids) == [("sent", 1), ("pending", 1), ("sent", 1)]
    assert "cannot show this one" in Delivery.objects.get(pk=ids[1]).last_error
