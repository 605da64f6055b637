"""A real SMTP server on loopback (aiosmtpd) that tests read delivered messages from."""

import asyncio
import email
import email.policy
import socket
import threading
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    def __init__(self, *, stall_first_seconds: float = 0.0):
        self.messages: list[Message] = []
        self.stall_first_seconds = stall_first_seconds
        self.connections = 0
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self._lock:
            self.connections += 1
            stall = self.stall_first_seconds if self.connections == 1 else 0
        if stall:
            await asyncio.sleep(stall)
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
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
