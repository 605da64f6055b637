"""Human, relative wording for dates and gentle markers, used by every page and email."""

from datetime import date, datetime

from django import template
from django.utils import timezone

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
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%A %-d %B %Y, %H:%M")
    return value.strftime("%A %-d %B %Y")


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
