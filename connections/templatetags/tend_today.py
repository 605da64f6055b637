"""Words and links for the dashboard: a rhythm, a preferred channel, a one-tap reach."""

from django import template

register = template.Library()


@register.filter
def rhythm(days: int | None) -> str:
    """'every week', 'every 2 weeks', 'every month', 'every 3 months', 'every 10 days'."""
    if not days:
        return "no set rhythm"
    if days == 1:
        return "every day"
    if days % 30 == 0:
        months = days // 30
        return "every month" if months == 1 else f"every {months} months"
    if days % 7 == 0:
        weeks = days // 7
        return "every week" if weeks == 1 else f"every {weeks} weeks"
    return f"every {days} days"


CHANNEL_PHRASES = {
    "in_person": "likes to meet in person",
    "video": "prefers a video call",
    "call": "prefers a phone call",
    "voice": "likes voice messages",
    "text": "prefers a text",
    "email": "prefers email",
    "letter": "loves a letter",
}


@register.filter
def channel_phrase(channel: str) -> str:
    """How someone likes to be reached, as a phrase: 'prefers a phone call'."""
    return CHANNEL_PHRASES.get(channel, "")


@register.simple_tag
def reach_action(person) -> dict | None:
    """The one-tap way to reach them: {'label': 'Call', 'href': 'tel:…'}, from `person.reach`."""
    point = getattr(person, "reach", None)
    if point is None:
        return None
    if point.kind == "email":
        return {"label": "Email", "href": point.href}
    if person.preferred_channel in ("text", "voice"):
        return {"label": "Message", "href": "sms:" + point.href.removeprefix("tel:")}
    return {"label": "Call", "href": point.href}
