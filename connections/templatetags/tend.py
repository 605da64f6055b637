"""Human, relative wording for dates and gentle markers, used by every page and email."""

from datetime import date, datetime

from django import template
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.html import format_html

from connections.links import reverse_one

register = template.Library()


def _as_local_date(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def relative_day(value, today: date | None = None) -> str:
    """'today', 'yesterday', '12 days ago', 'in 3 days', '5 months ago'."""
    if value is None:
        return ""
    today = today or timezone.localdate()
    days = (_as_local_date(value) - today).days
    if days == 0:
        return "today"
    if days == -1:
        return "yesterday"
    if days == 1:
        return "tomorrow"
    span = abs(days)
    if span < 45:
        amount = f"{span} days"
    elif span < 365:
        months = round(span / 30.44)
        amount = f"{months} month{'s' if months != 1 else ''}"
    else:
        years = round(span / 365.25)
        amount = f"{years} year{'s' if years != 1 else ''}"
    return f"in {amount}" if days > 0 else f"{amount} ago"


@register.filter
def absolute(value) -> str:
    """The exact date (and time for datetimes), for title attributes beside relative text."""
    if value is None:
        return ""
    return _exact(timezone.localtime(value) if isinstance(value, datetime) else value)


def _exact(local: date) -> str:
    if isinstance(local, datetime):
        return local.strftime("%A %-d %B %Y, %H:%M")
    return local.strftime("%A %-d %B %Y")


@register.filter
def weekday_or_relative(value, today: date | None = None) -> str:
    """'today', 'tomorrow', 'on Friday' within a week, else relative: for upcoming dates."""
    today = today or timezone.localdate()
    day = _as_local_date(value)
    days = (day - today).days
    if 2 <= days < 7:
        return f"on {day:%A}"
    return relative_day(day, today)


@register.simple_tag
def overdue_level(lag) -> str:
    """A gentle scale for how far past their rhythm someone is: '', 'due', 'overdue', 'long'."""
    if lag is None or lag <= 1:
        return ""
    if lag < 1.5:
        return "due"
    if lag < 3:
        return "overdue"
    return "long"


MARKERS = {"due": ("●", "due"), "overdue": ("●●", "overdue"), "long": ("●●●", "long overdue")}


@register.simple_tag
def overdue_marker(lag) -> str:
    """The gentle marker for someone past their rhythm (see `overdue_level`), else nothing.

    A tag rather than an include: the people list shows one per row, and an include per row
    cost more than the row itself.
    """
    level = overdue_level(lag)
    if not level:
        return ""
    dots, label = MARKERS[level]
    return format_html(
        '<span class="marker marker-{}" title="{}× their usual rhythm">'
        '<span aria-hidden="true">{}</span> {}</span>',
        level,
        floatformat(lag, 1),
        dots,
        label,
    )


@register.simple_tag
def avatar(person, size: str = "md") -> str:
    """A person's photo, or their initials on a soft disc; size is sm, md or lg."""
    size = size or "md"
    if person.photo:
        url = reverse_one("person_photo", person.pk)
        return format_html(
            '<img class="avatar avatar-{}" src="{}" alt="" loading="lazy">', size, url
        )
    return format_html(
        '<span class="avatar avatar-{}" aria-hidden="true">{}</span>', size, person.initials
    )


@register.simple_tag
def relative_time(value, today: date | None = None) -> str:
    """A <time> saying when, relatively ('12 days ago'), with the exact date as its title."""
    if value is None:
        return ""
    # Converted to local time once, for all three.
    local = timezone.localtime(value) if isinstance(value, datetime) else value
    day = local.date() if isinstance(local, datetime) else local
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        _exact(local),
        relative_day(day, today),
    )


@register.filter
def duration(minutes: int | None) -> str:
    """How long, as people say it: '45 min', '1 hour', '2 hours 30 min'."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    said = "1 hour" if hours == 1 else f"{hours} hours"
    return f"{said} {rest} min" if rest else said
