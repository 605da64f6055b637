"""One way to build an email: three templates per email (subject, text, html; Jinja2 templates
in `templates/jinja2/emails/`), and its bytes as they go on the wire, written here directly.

Django builds an email with Python's email package (a tree of header objects, each parsed
and folded again when written out), about 2 ms an email, more than rendering it. Tend's emails
are always the same shape, a multipart/alternative of a plain-text and an HTML part, so
`wire_bytes` writes that shape itself: both bodies quoted-printable (`binascii`, in C), the
headers ASCII or RFC 2047 encoded words, CRLF line ends, a boundary that quoted-printable text
cannot contain. An address that is not a plain ASCII one (an internationalised domain, a quoted
local part) goes through the email package as before. Every mailer gets the same message: the
SMTP one sends these bytes, the others (file, console, memory) read them back with
`message()`.
"""

import base64
import binascii
import email
import email.policy
import re
import secrets
from collections.abc import Generator
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import engines
from django.utils import timezone

# An address written as is in a header and the envelope: a dot-atom local part and an ASCII
# domain, nothing to quote or encode.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")
# Lines of encoded words stay under 78 characters; 45 bytes are 60 in base64.
ENCODED_CHUNK_BYTES = 45
LINE = 78


class PreparedEmail(EmailMultiAlternatives):
    """A text and HTML email whose bytes (`wire`) are written once, when it is made."""

    wire: bytes

    def message(self, *, policy=email.policy.default):
        return email.message_from_bytes(self.wire, policy=policy)


def make_message(
    name: str, *, to: str, context: dict, headers: dict | None = None
) -> PreparedEmail:
    return finish(make_message_in_steps(name, to=to, context=context, headers=headers))


def make_message_in_steps(
    name: str, *, to: str, context: dict, headers: dict | None = None
) -> Generator[None, None, PreparedEmail]:
    """`make_message` a part at a time: it pauses (yields) after the subject and text, and
    after the HTML, and returns the message. A batch builds the next email this way while
    it waits for the mail server's answers to the one before."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render(f"emails/{name}-subject.txt", context).split())
    text = render(f"emails/{name}-body-text.txt", context)
    yield
    html = render(f"emails/{name}-body-html.html", context)
    yield
    message = PreparedEmail(subject=subject, body=text, to=[to], headers=headers or {})
    message.attach_alternative(html, "text/html")
    if PLAIN_ADDRESS.fullmatch(to) and message.from_email.isascii():
        message.wire = wire_bytes(
            subject=subject,
            text=text,
            html=html,
            from_header=_from_header(message.from_email),
            to=to,
            headers=message.extra_headers,
        )
    else:
        message.wire = EmailMultiAlternatives.message(message, policy=email.policy.SMTP).as_bytes()
    return message


def render(template_name: str, context: dict) -> str:
    """An email template (`templates/jinja2/emails/`, see config/jinja2.py) rendered."""
    return engines["emails"].get_template(template_name).render(context)


def finish[T](steps: Generator[None, None, T]) -> T:
    """Run something made in steps to its end; what it returns."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def wire_bytes(
    *, subject: str, text: str, html: str, from_header: str, to: str, headers: dict
) -> bytes:
    """A multipart/alternative email, CRLF line ends, ready for `smtplib.sendmail`."""
    boundary = f"=_tend_{secrets.token_hex(12)}"
    lines = [
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        header("Subject", subject),
        from_header,
        f"To: {to}",
        f"Date: {email.utils.format_datetime(timezone.now())}",
    ]
    lines.extend(header(name, value) for name, value in headers.items())
    return b"".join(
        (
            # The blank line after the headers is the CRLF before the first boundary.
            "\r\n".join(lines).encode("ascii"),
            b"\r\n",
            _part(boundary, "plain", text),
            _part(boundary, "html", html),
            f"\r\n--{boundary}--\r\n".encode("ascii"),
        )
    )


def _part(boundary: str, subtype: str, body: str) -> bytes:
    # Line ends as written by the templates become CRLF; quoted-printable keeps them. A body
    # ends with one, as the email package makes it; the CRLF before a boundary belongs to the
    # boundary, not to the body.
    body = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    if not body.endswith("\r\n"):
        body += "\r\n"
    return (
        f"\r\n--{boundary}\r\n"
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii") + binascii.b2a_qp(body.encode(), istext=True)


def header(name: str, value: str) -> str:
    """One header, folded at spaces; non-ASCII words as RFC 2047 encoded words. A long ASCII
    word (a URL) stays whole: a line may be 998 characters."""
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name} must be one line")
    words = value.split(" ")
    if not value.isascii() or "=?" in value:
        words = _encode_words(words)
    line, lines = f"{name}:", []
    for word in words:
        if len(line) + 1 + len(word) > LINE and line.strip(" ") != f"{name}:":
            lines.append(line)
            line = ""
        line += f" {word}"
    lines.append(line)
    return "\r\n".join(lines)


def _encode_words(words: list[str]) -> list[str]:
    """Runs of words needing it become encoded words; the spaces inside a run are encoded
    with it (a decoder drops the white space between two encoded words)."""
    out, run = [], []
    for word in [*words, None]:
        if word is not None and (not word.isascii() or "=?" in word):
            run.append(word)
            continue
        if run:
            out.extend(_encoded(" ".join(run)))
            run = []
        if word is not None:
            out.append(word)
    return out


def _encoded(text: str) -> list[str]:
    chunks, chunk = [], b""
    for character in text:
        encoded = character.encode()
        if len(chunk) + len(encoded) > ENCODED_CHUNK_BYTES:
            chunks.append(chunk)
            chunk = b""
        chunk += encoded
    chunks.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(chunk).decode('ascii')}?=" for chunk in chunks]


@lru_cache(maxsize=8)
def _from_header(from_email: str) -> str:
    """The From line as the email package writes it (a display name may need quoting)."""
    message = email.message.EmailMessage(policy=email.policy.SMTP)
    message["From"] = from_email
    return message.as_string().split("\r\n\r\n", 1)[0]
