"""The bytes of Tend's emails, written without the email package: what Python's email parser
(and so a mail client) reads back must be the same email Django would have built."""

import email
import email.policy
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from connections.delivery import send_delivery
from connections.emails import header, make_message, wire_bytes
from connections.models import Circle, Delivery
from connections.nudges import schedule_follow_up
from connections.scheduling import plan_daily_emails
from tests.factories import PersonFactory, UserFactory
from tests.smtp import html_part, text_part

UTC = ZoneInfo("UTC")
NINE = datetime(2026, 3, 2, 9, tzinfo=UTC)

AWKWARD_TEXT = (
    "Olá, Zoë 👋\n"
    ".a line that starts with a dot\n"
    "From the start of a line\n"
    "trailing spaces   \n"
    "a tab\tinside and at the end\t\n"
    "= an equals sign, =?utf-8?q?not_a_word?= and =3D\n"
    + "a very long line " * 12
    + "\n\n"
    + "日本語のテキスト" * 10
    + "\r\nold line ends\rhere\n"
    + "no newline at the end  "
)
AWKWARD_SUBJECT = (
    "2 people to reach out to today — Follow up with Zoë Ðurić-Łukasiewicz, "
    "catch up with 田中 太郎 =?utf-8?q?x?= and a name that goes on and on…"
)


def read(wire: bytes):
    return email.message_from_bytes(wire, policy=email.policy.default)


def django_built(subject, text, html, to, headers) -> bytes:
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message.message(policy=email.policy.SMTP).as_bytes()


@pytest.mark.parametrize(
    ("subject", "text", "html"),
    [
        ("1 person to reach out to today — Follow up with Ana", "Hello.\n", "<p>Hello.</p>\n"),
        (AWKWARD_SUBJECT, AWKWARD_TEXT, f"<p>{AWKWARD_TEXT}</p>"),
        ("Plain ASCII " * 12, "x" * 200, "<p>" + "y" * 1000 + "</p>"),
    ],
)
def test_written_bytes_read_back_as_the_email_django_would_build(subject, text, html):
    headers = {
        "Message-ID": "<tend-daily-1-20260302@example.com>",
        "List-Unsubscribe": "<https://tend.example.com/unsubscribe/" + "a" * 150 + "/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    wire = wire_bytes(
        subject=subject,
        text=text,
        html=html,
        from_header="From: Tend <tend@localhost>",
        to="ana@example.com",
        headers=headers,
    )
    ours, django = read(wire), read(django_built(subject, text, html, "ana@example.com", headers))

    assert wire.isascii()
    assert all(len(line) <= 998 for line in wire.split(b"\r\n"))
    assert b"\n" not in wire.replace(b"\r\n", b"")
    assert ours.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in ours.iter_parts()] == ["text/plain", "text/html"]
    assert [part.get_content_charset() for part in ours.iter_parts()] == ["utf-8", "utf-8"]
    assert [part.defects for part in ours.walk()] == [[], [], []]
    # Django's own writing turns a subject's literal "=?utf-8?q?x?=" into "x"; this does not.
    assert ours["Subject"] == subject
    for name in ("From", "To", "MIME-Version", *headers):
        assert ours[name] == django[name], name
    assert ours["Date"].datetime is not None
    expected_text = text.replace("\r\n", "\n").replace("\r", "\n")
    assert text_part(ours).replace("\r\n", "\n").startswith(expected_text)
    assert text_part(ours) == text_part(django)
    assert html_part(ours) == html_part(django)


def test_the_unsubscribe_link_is_one_plain_header_mail_clients_can_follow():
    url = "https://tend.example.com/unsubscribe/" + "b" * 120 + "/"
    line = header("List-Unsubscribe", f"<{url}>")

    # The email package wrote this long link as RFC 2047 encoded words, which one-click
    # unsubscribe in some mail clients does not decode.
    assert line == f"List-Unsubscribe: <{url}>"


def test_long_headers_fold_at_spaces_and_unfold_to_the_same_value():
    value = " ".join(f"word{n}" for n in range(40))
    line = header("Subject", value)

    assert all(len(part) <= 78 for part in line.split("\r\n"))
    assert line.replace("\r\n", "") == f"Subject: {value}"
    with pytest.raises(ValueError):
        header("Subject", "two\r\nlines")


@pytest.mark.django_db
def test_an_address_that_is_not_plain_ascii_is_written_by_the_email_package(smtp_server):
    message = make_message(
        "daily",
        to="zoë@exämple.com",
        context={
            "subject_line": "Hello",
            "items": [],
            "count": 0,
            "waiting": 0,
            "daily_limit": 3,
            "display_name": "",
            "nudge_hour": "08",
            "timezone": "UTC",
            "dashboard_url": "https://tend.example/",
            "settings_url": "https://tend.example/settings/",
            "unsubscribe_url": "https://tend.example/unsubscribe/",
        },
        headers={"Message-ID": "<x@example.com>"},
    )
    assert read(message.wire)["To"] == "zoë@xn--exmple-cua.com"


@pytest.mark.django_db
def test_other_mailers_get_the_same_email(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    user = UserFactory(
        email="ana@example.com", timezone="UTC", date_joined=datetime(2026, 1, 1, tzinfo=UTC)
    )
    schedule_follow_up(
        person=PersonFactory(owner=user, full_name="Zoë Ðurić", circle=Circle.CLOSE),
        due_on=date(2026, 3, 1),
        reason="Ask how the move went.",
    )
    with time_machine.travel(NINE, tick=False):
        plan_daily_emails(NINE)
        assert send_delivery(Delivery.objects.get().pk) == "sent"

    (sent,) = mail.outbox
    message = sent.message()
    assert message["Message-ID"] == Delivery.objects.get().message_id
    assert message["Subject"] == "1 person to reach out to today — Follow up with Zoë"
    assert "Ask how the move went." in text_part(message)
    assert "Zoë Ðurić" in html_part(message)
    assert sent.body == text_part(message).replace("\r\n", "\n")
