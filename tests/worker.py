"""Start a real Celery worker process against the test database and a Redis broker."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def redis_broker_url() -> str:
    """The Redis broker tests use: the configured one, else the local default.

    Skips only where no Redis answers; under CI a missing Redis is a failure.
    """
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis for the Celery worker tests; none answers at {url}.")
        pytest.skip(f"No Redis answers at {url}; start one to run the real-worker tests.")
    return url


def test_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


test_database_url.__test__ = False


def process_env(broker_url: str, queue: str, extra_env: dict | None = None) -> dict:
    """The environment for a Tend process (worker, dispatcher) sharing the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_QUEUE": queue,
        **(extra_env or {}),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def new_queue() -> str:
    return f"tend-test-{uuid.uuid4().hex[:8]}"


def dispatch(broker_url: str, queue: str, extra_env: dict | None = None) -> subprocess.Popen:
    """Start `manage.py dispatch_nudges` (one tick, as beat runs it) in its own process."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "dispatch_nudges"],
        cwd=ROOT,
        env=process_env(broker_url, queue, extra_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@contextmanager
def celery_worker(broker_url: str, *, queue: str | None = None, extra_env: dict | None = None):
    """Run `celery worker` in a subprocess, reading from its own queue; yield (process, queue)."""
    queue = queue or new_queue()
    env = process_env(broker_url, queue, extra_env)
    log = open(ROOT / "var" / f"worker-{queue}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process, queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_for(condition, *, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout} s")
