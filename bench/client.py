"""A small HTTP client for the benchmarks: one GET, what the server reported, and a session."""

import http.client
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore


@dataclass(frozen=True)
class Answer:
    status: int
    client_ms: float
    server_ms: float | None
    queries: int | None
    size: int


def session_cookie(user) -> str:
    """A logged-in session for `user`, as a Cookie header (the login form has lock-outs)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def get(base_url: str, path: str, cookie: str, *, timeout: float = 60) -> Answer:
    """GET `path`; a refused or dropped connection is status 0, counted as an error."""
    parts = urlsplit(base_url)
    started = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        body = response.read()
        client_ms = (time.perf_counter() - started) * 1000
        return Answer(
            status=response.status,
            client_ms=client_ms,
            server_ms=_server_ms(response.getheader("Server-Timing")),
            queries=int(response.getheader("X-Query-Count", "-1")),
            size=len(body),
        )
    except OSError:
        return Answer(0, (time.perf_counter() - started) * 1000, None, None, 0)
    finally:
        conn.close()


def _server_ms(header: str | None) -> float | None:
    for entry in (header or "").split(","):
        name, _, params = entry.strip().partition(";")
        if name == "app" and params.startswith("dur="):
            return float(params.removeprefix("dur="))
    return None


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (q in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
