"""Handing a batch's prepared emails to the mailer one after another, in two steps: `write`
gives the server a message, `answer` reads whether it took it. Between the two the caller
builds the next message while the server handles this one.

Over SMTP `write` is MAIL, RCPT, DATA and the message, and `answer` the reply to the
message's final dot: what `smtplib.SMTP.sendmail` does for one recipient, on the same
connection and with the same exceptions, split at the one reply that takes the server long
(it reads and stores the message). Every other mailer (file, console, memory) is given the
message in `write`.

A server that offers PIPELINING (RFC 2920; Postfix, Exim and most relays do) gets MAIL, RCPT
and DATA in one write, and each message together with the next one's envelope (`following`
in `write`), so it answers both at once: one round trip an email instead of four, which is
what most of a batch's time is spent waiting for (with a remote relay, nearly all of it). A
server that has accepted an envelope waits for its message (`expects`): the caller writes it
next, or the connection is dropped. A server that does not offer PIPELINING gets each command
and waits for its answer, as smtplib does.

`write` calls `before_message` just before the message itself goes to the server, when the
server can still not have it: the caller waits there for the mark of the previous email, so
at most one email is ever accepted and not marked. `meanwhile` is called after each command
is sent and before its answer is read (and first thing in `answer`): the caller builds the
next message there, a part at a time, while the server works.
"""

import contextlib
import logging
import re
import smtplib
from collections.abc import Callable

from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from connections.emails import PLAIN_ADDRESS, PreparedEmail

logger = logging.getLogger(__name__)

# As smtplib's DATA: a line that starts with a dot gets another one.
_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


class Unreachable(Exception):
    """The mail server could not be reached: every message left in the batch would fail too."""


def postman_for(mailer) -> "Postman":
    return SmtpPostman(mailer) if isinstance(mailer, SmtpBackend) else Postman(mailer)


class Postman:
    """Any mailer: the message is handed over whole in `write`; there is nothing to answer."""

    def __init__(self, mailer):
        self.mailer = mailer

    pipelining = False

    def expects(self, message: PreparedEmail) -> bool:
        return False

    def write(
        self,
        message: PreparedEmail,
        *,
        before_message: Callable[[], None],
        meanwhile: Callable[[], None],
        following: Callable[[], PreparedEmail | None] | None = None,
    ) -> None:
        _open(self.mailer)
        before_message()
        self.mailer.send_messages([message])

    def answer(self, *, before_message: Callable[[], None], meanwhile: Callable[[], None]) -> None:
        """Whether the server took the message written last (raises if not)."""
        meanwhile()

    def close(self) -> None:
        try:
            self.mailer.close()
        except Exception as error:
            # The connection is already broken; there is nothing left to tell the server.
            logger.debug("Closing the SMTP connection failed: %s", error)


class SmtpPostman(Postman):
    """One SMTP connection (the mailer's), reconnected when the server closes it."""

    def __init__(self, mailer: SmtpBackend):
        super().__init__(mailer)
        self.written: PreparedEmail | None = None
        # The next message's envelope, sent after the message written last and not answered
        # yet; then, once `answer` has read them, its replies.
        self._envelope_sent: PreparedEmail | None = None
        self._envelope_answered: tuple[PreparedEmail, list[tuple[int, bytes]]] | None = None
        # DATA accepted, the message not sent yet (the caller waits for a mark first).
        self._in_data = False

    @property
    def pipelining(self) -> bool:
        """Whether the server, as far as it has said, takes commands in groups."""
        smtp = self.mailer.connection
        return smtp is not None and bool(smtp.does_esmtp and smtp.has_extn("pipelining"))

    def expects(self, message: PreparedEmail) -> bool:
        """Whether the server has accepted this message's envelope and waits for the message:
        it must be written next (an SMTP conversation cannot take DATA back)."""
        answered = self._envelope_answered
        return answered is not None and answered[0] is message and answered[1][2][0] == 354

    def write(
        self,
        message: PreparedEmail,
        *,
        before_message: Callable[[], None],
        meanwhile: Callable[[], None],
        following: Callable[[], PreparedEmail | None] | None = None,
    ) -> None:
        self.written = message
        _open(self.mailer)
        try:
            self._write(message, before_message, meanwhile, following)
        except Exception as error:
            if not _closed_by_server(error):
                raise
            # After a 421 or at the first command of an idle connection the server has not
            # got this message: a new connection, and this message once more.
            self.close()
            _open(self.mailer)
            self._write(message, before_message, meanwhile, following)

    def answer(self, *, before_message: Callable[[], None], meanwhile: Callable[[], None]) -> None:
        meanwhile()
        try:
            self._answer()
        except Exception as error:
            if not _closed_by_server(error):
                raise
            # The connection dropped while the server answered the message: it may have it,
            # and sending it again is the duplicate a crash can cause (same Message-ID).
            self.close()
            _open(self.mailer)
            self._write(self.written, before_message, meanwhile, None)
            self._answer()

    def close(self) -> None:
        waiting_for_data = (
            self._in_data or self._envelope_sent is not None or self._envelope_answered is not None
        )
        self._envelope_sent = self._envelope_answered = None
        self._in_data = False
        if waiting_for_data and self.mailer.connection is not None:
            # A server in the middle of DATA would read QUIT as part of a message: the
            # connection is dropped instead, and the server discards what it has.
            with contextlib.suppress(Exception):
                self.mailer.connection.close()
            self.mailer.connection = None
            return
        super().close()

    def _write(
        self,
        message: PreparedEmail,
        before_message: Callable[[], None],
        meanwhile: Callable[[], None],
        following: Callable[[], PreparedEmail | None] | None,
    ) -> None:
        if self._envelope_answered is not None and self._envelope_answered[0] is not message:
            # Another message's envelope is open (a caller that did not write what it
            # announced): only a new connection leaves it behind.
            self.close()
            _open(self.mailer)
        smtp = self.mailer.connection
        smtp.ehlo_or_helo_if_needed()
        answered, self._envelope_answered = self._envelope_answered, None
        if answered is not None:
            replies = answered[1]
        elif self.pipelining:
            replies = _pipelined(smtp, self._envelope(smtp, message), meanwhile)
        else:
            replies = _one_by_one(smtp, self._envelope(smtp, message), meanwhile)
        _check_envelope(smtp, message, replies)
        self._in_data = True
        before_message()
        data = _DOT_AT_LINE_START.sub(b"..", message.wire)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        data += b".\r\n"
        # The next message's envelope goes with this message, so the server answers both at
        # once: one round trip an email.
        ahead = following() if following is not None and self.pipelining else None
        if ahead is not None:
            data += _command_lines(self._envelope(smtp, ahead)).encode("ascii")
        smtp.send(data)
        self._in_data = False
        self._envelope_sent = ahead

    def _envelope(self, smtp: smtplib.SMTP, message: PreparedEmail) -> list[tuple[str, str]]:
        size = f" size={len(message.wire)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
        to = message.to[0]
        recipient = f"<{to}>" if PLAIN_ADDRESS.fullmatch(to) else _quoted(self.mailer, to)
        return [
            ("mail", f"from:{_sender(self.mailer, message.from_email)}{size}"),
            ("rcpt", f"to:{recipient}"),
            ("data", ""),
        ]

    def _answer(self) -> None:
        smtp = self.mailer.connection
        code, reply = smtp.getreply()
        ahead, self._envelope_sent = self._envelope_sent, None
        if ahead is not None:
            try:
                self._envelope_answered = (ahead, [smtp.getreply() for _ in range(3)])
            except Exception as error:
                if not _closed_by_server(error):
                    raise
                # The message's answer came; only the next envelope is lost with the
                # connection, and is sent again on a new one.
                self.close()
        if code == 421:
            self._envelope_answered = None
        if code != 250:
            # After the message's final answer the server has ended its transaction; a
            # RSET, as smtplib sends, would be read as part of the next message if its
            # envelope is open.
            if self._envelope_answered is None:
                _reset_or_close(smtp, code)
            raise smtplib.SMTPDataError(code, reply)


def _check_envelope(
    smtp: smtplib.SMTP, message: PreparedEmail, replies: list[tuple[int, bytes]]
) -> None:
    """Raise as `smtplib.SMTP.sendmail` does if MAIL, RCPT or DATA was refused."""
    (mail_code, mail_reply), (rcpt_code, rcpt_reply), (data_code, data_reply) = replies
    if data_code == 354 and (mail_code != 250 or rcpt_code not in (250, 251)):
        # Only a pipelined DATA can be accepted after a refused envelope (RFC 2920 asks
        # servers not to): an empty message ends it, and its answer is not wanted.
        smtp.send(b".\r\n")
        smtp.getreply()
    if mail_code != 250:
        _reset_or_close(smtp, mail_code)
        raise smtplib.SMTPSenderRefused(mail_code, mail_reply, message.from_email)
    if rcpt_code not in (250, 251):
        _reset_or_close(smtp, rcpt_code)
        raise smtplib.SMTPRecipientsRefused({message.to[0]: (rcpt_code, rcpt_reply)})
    if data_code != 354:
        raise smtplib.SMTPDataError(data_code, data_reply)


def _one_by_one(
    smtp: smtplib.SMTP, commands: list[tuple[str, str]], meanwhile: Callable[[], None]
) -> list[tuple[int, bytes]]:
    """Each command's reply, read before the next is sent (`smtp.docmd`, with the caller's
    work while the server answers); after a refusal the rest are not sent and answer as
    not sent (503)."""
    replies = []
    for name, arguments in commands:
        if replies and replies[-1][0] not in (250, 251):
            replies.append((503, b"not sent"))
            continue
        smtp.putcmd(name, arguments)
        meanwhile()
        replies.append(smtp.getreply())
    return replies


def _pipelined(
    smtp: smtplib.SMTP, commands: list[tuple[str, str]], meanwhile: Callable[[], None]
) -> list[tuple[int, bytes]]:
    """The commands in one write, then their replies in order (RFC 2920); the caller's work
    is done while the server answers."""
    smtp.send(_command_lines(commands))
    meanwhile()
    return [smtp.getreply() for _ in commands]


def _command_lines(commands: list[tuple[str, str]]) -> str:
    lines = [f"{name} {arguments}".rstrip() for name, arguments in commands]
    if any("\r" in line or "\n" in line for line in lines):
        raise ValueError("command and arguments contain prohibited newline characters")
    return "".join(f"{line}\r\n" for line in lines)


def _reset_or_close(smtp: smtplib.SMTP, code: int) -> None:
    # As sendmail: a 421 means the server is closing the connection; after any other refusal
    # the transaction is reset so the connection can carry the next message.
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def _quoted(mailer: SmtpBackend, address: str) -> str:
    """An address as the backend prepares it (no display name, the domain in IDNA), in the
    angle brackets of MAIL and RCPT."""
    return smtplib.quoteaddr(mailer.prep_address(address))


def _sender(mailer: SmtpBackend, from_email: str) -> str:
    """`_quoted` for the envelope sender, once per process."""
    if from_email not in _SENDERS:
        _SENDERS[from_email] = _quoted(mailer, from_email)
    return _SENDERS[from_email]


_SENDERS: dict[str, str] = {}


def _open(mailer) -> None:
    try:
        mailer.open()
    except Exception as error:
        raise Unreachable(str(error)) from error


def _closed_by_server(error: Exception) -> bool:
    return isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError) or (
        isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421
    )


def connection_still_usable(error: Exception) -> bool:
    """Whether the next message can go over the same connection after this error."""
    # The server answered (the transaction has been reset), or the message was refused
    # before anything was sent; anything else (a timeout mid-message) leaves the
    # conversation in an unknown state, so the next message starts on a new connection.
    return isinstance(
        error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused | ValueError
    )
