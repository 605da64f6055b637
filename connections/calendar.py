"""A private iCalendar feed of what is coming: follow-ups, birthdays and goal dates."""

import secrets
from datetime import date, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from connections.models import Goal, Milestone, Nudge, Person


@transaction.atomic
def reset_calendar_token(*, user) -> str:
    """A new secret feed address; the old one stops working at once."""
    user.calendar_token = secrets.token_urlsafe(32)
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 lines are at most 75 octets; longer ones continue after CRLF and a space."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _event(uid: str, day: date, summary: str, description: str = "", yearly=False) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{timezone.now():%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_escape(summary)}",
        "TRANSP:TRANSPARENT",
    ]
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    if yearly:
        lines.append("RRULE:FREQ=YEARLY")
    lines.append("END:VEVENT")
    return lines


def calendar_feed(*, user, today: date) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "tend.local"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tend//Personal relationships//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Tend",
        "X-PUBLISHED-TTL:PT1H",
    ]
    people = Person.objects.for_user(user).active()
    follow_ups = Nudge.objects.filter(
        owner=user, status=Nudge.Status.OPEN, kind=Nudge.Kind.FOLLOW_UP, person__in=people
    ).select_related("person")
    for nudge in follow_ups:
        lines += _event(
            f"follow-up-{nudge.pk}@{domain}",
            max(nudge.due_on, today),
            f"Follow up with {nudge.person.full_name}",
            nudge.reason,
        )
    for person in people.filter(birthday_month__isnull=False, birthday_day__isnull=False):
        first = person.next_birthday(today)
        if first is None or (person.birthday_month, person.birthday_day) == (2, 29):
            # A yearly rule from 29 February skips three years in four; list the next one only.
            lines += _event(
                f"birthday-{person.pk}@{domain}", first, f"{person.full_name}’s birthday"
            )
            continue
        lines += _event(
            f"birthday-{person.pk}@{domain}", first, f"{person.full_name}’s birthday", yearly=True
        )
    goals = Goal.objects.filter(
        person__in=people, status=Goal.Status.ACTIVE, target_date__gte=today
    ).select_related("person")
    for goal in goals:
        lines += _event(
            f"goal-{goal.pk}@{domain}",
            goal.target_date,
            f"{goal.person.full_name}: {goal.title}",
            "Ask how it went.",
        )
    milestones = Milestone.objects.filter(
        goal__person__in=people, done_on__isnull=True, due_on__gte=today
    ).select_related("goal__person")
    for milestone in milestones:
        lines += _event(
            f"milestone-{milestone.pk}@{domain}",
            milestone.due_on,
            f"{milestone.goal.person.full_name}: {milestone.title}",
            milestone.goal.title,
        )
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
