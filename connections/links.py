"""Signed links in emails that act without logging in. They expire, and a GET never acts."""

import hashlib
import hmac
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, reverse

ACTION_MAX_AGE = timedelta(days=14)
UNSUBSCRIBE_MAX_AGE = timedelta(days=90)
ACTIONS = ("done", "snooze", "log", "dismiss")


class BadLink(Exception):
    """The link was tampered with, has expired, or does not name what it should."""


def action_token(nudge, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(action)
    return _signer("tend.nudge", settings.SECRET_KEY).sign_object(
        {"n": nudge.pk, "u": nudge.owner_id, "a": action}
    )


def _load(token: str, *, salt: str, max_age: timedelta) -> dict:
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink("expired") from None
    except signing.BadSignature:
        raise BadLink("invalid") from None


def read_action_token(token: str) -> tuple[int, int, str]:
    """(nudge id, user id, action) from a token, or BadLink."""
    data = _load(token, salt="tend.nudge", max_age=ACTION_MAX_AGE)
    if data.get("a") not in ACTIONS:
        raise BadLink("invalid")
    return data["n"], data["u"], data["a"]


def action_url(nudge, action: str) -> str:
    return settings.SITE_URL + reverse_one("nudge_action", action_token(nudge, action))


def unsubscribe_token(user) -> str:
    return _signer("tend.unsubscribe", settings.SECRET_KEY).sign_object(
        {"u": user.pk, "e": user.email}
    )


class _KeyedSigner(signing.TimestampSigner):
    """`signing.dumps`' signer, with the HMAC key it derives from the salt and SECRET_KEY for
    every signature derived once: an email signs seven links. The tokens are the same."""

    def __init__(self, salt: str):
        super().__init__(salt=salt)
        key = hashlib.sha256(f"{self.salt}signer{self.key}".encode()).digest()
        self._hmac = hmac.new(key, digestmod=hashlib.sha256)

    def signature(self, value, key=None):
        if (key or self.key) != self.key or self.algorithm != "sha256":
            return super().signature(value, key)
        mac = self._hmac.copy()
        mac.update(value.encode())
        return signing.b64_encode(mac.digest()).decode()


@lru_cache(maxsize=8)
def _signer(salt: str, secret_key: str) -> _KeyedSigner:
    """One signer per salt, made again if SECRET_KEY changes (tests override it)."""
    return _KeyedSigner(salt)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    data = _load(token, salt="tend.unsubscribe", max_age=UNSUBSCRIBE_MAX_AGE)
    return data["u"], data["e"]


def unsubscribe_url(user) -> str:
    return settings.SITE_URL + reverse_one("unsubscribe", unsubscribe_token(user))


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def page_url(name: str) -> str:
    """The absolute link to a page that takes no arguments (settings, the dashboard)."""
    return settings.SITE_URL + _reversed(name, get_script_prefix())


@lru_cache(maxsize=16)
def _reversed(name: str, script_prefix: str) -> str:
    return reverse(name)


def reverse_one(name: str, arg: int | str) -> str:
    """`reverse(name, args=[arg])` for an id or a signed token (URL-safe base64 and colons,
    which reverse() leaves as they are), from the pattern reversed once per process: an email
    has eight such links, the dashboard three per card."""
    placeholder = _ID if isinstance(arg, int) else _TOKEN
    before, after = _around(name, placeholder, get_script_prefix())
    return f"{before}{arg}{after}"


@lru_cache(maxsize=32)
def _around(name: str, placeholder: int | str, script_prefix: str) -> tuple[str, str]:
    before, _, after = reverse(name, args=[placeholder]).partition(str(placeholder))
    return before, after


_ID = 4242424242
_TOKEN = "tend-token-here"
