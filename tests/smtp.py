"""A real SMTP server on loopback (aiosmtpd) that tests read delivered messages from."""

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Callable
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """Keeps what it receives. Can stall the first conversation, refuse some recipients,
    answer 421 after a number of messages on one connection (as servers that limit them do),
    or stall one recipient (the nth overall), so a client can be caught mid-batch. `on_message`
    is called with each message's number (1, 2, …) when it has arrived, before the answer.
    With `pipelining` it offers PIPELINING (RFC 2920), as most mail servers in use do;
    `refuse_message_to` refuses the messages to these addresses once they have arrived."""

    def __init__(
        self,
        *,
        stall_first_seconds: float = 0.0,
        refuse: frozenset[str] = frozenset(),
        messages_per_connection: int | None = None,
        stall_recipient: tuple[int, float] | None = None,
        stall_answer: tuple[int, float] | None = None,
        on_message: Callable[[int], None] | None = None,
        pipelining: bool = False,
        refuse_message_to: frozenset[str] = frozenset(),
    ):
        self.messages: list[Message] = []
        self.stall_first_seconds = stall_first_seconds
        self.refuse = refuse
        self.messages_per_connection = messages_per_connection
        self.stall_recipient = stall_recipient
        self.stall_answer = stall_answer
        self.on_message = on_message
        self.pipelining = pipelining
        self.refuse_message_to = refuse_message_to
        self.connections = 0
        self.recipients = 0
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self._lock:
            self.connections += 1
            stall = self.stall_first_seconds if self.connections == 1 else 0
        if stall:
            await asyncio.sleep(stall)
        session.host_name = hostname
        if self.pipelining:
            # aiosmtpd reads pipelined commands in order; it only does not say it can.
            return [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        sent_here = getattr(session, "tend_messages", 0)
        if self.messages_per_connection is not None and sent_here >= self.messages_per_connection:
            return "421 4.7.0 Too many messages on this connection"
        session.tend_messages = sent_here + 1
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        with self._lock:
            self.recipients += 1
            number = self.recipients
        if self.stall_recipient and number == self.stall_recipient[0]:
            await asyncio.sleep(self.stall_recipient[1])
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_message_to & set(envelope.rcpt_tos):
            return "554 5.6.0 Message refused"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            number = len(self.messages)
        if self.on_message:
            self.on_message(number)
        if self.stall_answer and number == self.stall_answer[0]:
            await asyncio.sleep(self.stall_answer[1])
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["To"]]


class SmtpServer:
    def __init__(self, port: int | None = None, **sink_options):
        self.port = port or free_port()
        self.sink = Sink(**sink_options)
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[Message]:
        return self.sink.messages

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def text_part(message: Message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: Message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
