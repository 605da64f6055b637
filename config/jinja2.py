"""The Jinja2 environment of Tend’s emails (`templates/jinja2/emails/`).

Emails are rendered by Jinja2, pages by Django's template engine. A worker sends thousands of
morning emails in a row and, talking to a pipelining mail server, waits for it hardly at all:
its own Python is what a batch costs. Jinja2 compiles a template to Python, and a morning
email's three templates render in less than half the time Django's engine took (the same
text; only the spelling of escaped quotes differs: &#34; for &quot;). Figures are in
docs/benchmarks.md, sixth round.
"""

from django.urls import reverse
from jinja2 import Environment, StrictUndefined


def url(name: str, *args, **kwargs) -> str:
    """`{{ url('password_reset_confirm', uidb64=uid, token=token) }}`, as Django's {% url %}."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    # A name a template uses but its context lacks is a mistake: it fails the email (and the
    # tests) instead of sending a gap.
    env = Environment(**{**options, "undefined": StrictUndefined})
    env.globals["url"] = url
    return env
