"""Strict readers for configuration from environment variables.

Each reader names the variable in its error, so a bad value stops the app at start with a
message the operator can act on.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str) -> str:
    return _raw(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_timezone(name: str, default: str) -> str:
    value = _raw(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be an IANA timezone such as Europe/Lisbon, not {value!r}."
        ) from None
    return value


def env_url(name: str, default: str, *, schemes: set[str]) -> str:
    value = _raw(name) or default
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        expected = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} must be a URL starting with {expected}; got {value!r}.")
    return value


def env_database(name: str, default: str) -> dict:
    value = _raw(name) or default
    scheme = urlsplit(value).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name} must be a sqlite:/// or postgres:// URL; got scheme {scheme!r}."
        )
    try:
        config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {error}") from None
    if config["ENGINE"].endswith("sqlite3"):
        config["CONN_MAX_AGE"] = 0
    return config


def env_email(name: str, default: str) -> dict:
    """The default mailer from one URL: smtp://, smtp+tls://, smtps://, console:, file:, locmem:."""
    value = _raw(name) or default
    parts = urlsplit(value)
    backends = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(
            f"{name} must start with smtp://, smtp+tls://, smtps://, console:, file: or locmem:;"
            f" got {value!r}."
        )
    options: dict = {}
    if parts.scheme == "file":
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise ImproperlyConfigured(f"{name} needs a folder, e.g. file:///var/tend/mail.")
        options["file_path"] = str(Path(path))
    if parts.scheme.startswith("smtp"):
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port: {value!r}.") from None
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} needs a host, e.g. smtp://mail.example.com:587.")
        timeout = parse_qs(parts.query).get("timeout", ["10"])[0]
        if not timeout.isdigit():
            raise ImproperlyConfigured(f"{name} has a timeout that is not a number of seconds.")
        options.update(
            host=parts.hostname,
            port=port or {"smtps": 465, "smtp+tls": 587}.get(parts.scheme, 25),
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=parts.scheme == "smtp+tls",
            use_ssl=parts.scheme == "smtps",
            timeout=int(timeout),
        )
    return {"BACKEND": backends[parts.scheme], "OPTIONS": options}
