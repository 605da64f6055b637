"""The processes a benchmark runs: gunicorn, Celery workers, one tick, and an SMTP sink.

Each child gets the same database, broker and SECRET_KEY as this process (so a session made
here is valid there), runs with DEBUG off like production, and reports query counts.
"""

import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = Path(tempfile.gettempdir()) / "tend-bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The database this process uses, as a URL for the children (the test one under pytest)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "TEND_QUERY_COUNT_HEADER": "1",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _log(name: str):
    LOG_DIR.mkdir(exist_ok=True)
    return open(LOG_DIR / f"{name}.log", "w")  # noqa: SIM115 - closed by the caller


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def collect_static() -> None:
    """DEBUG off serves hashed static names, so the manifest must exist."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=child_env(),
        check=True,
    )


@contextmanager
def gunicorn(*, workers: int):
    """Serve Tend with gunicorn on a free loopback port; yield its base URL."""
    port = free_port()
    log = _log(f"gunicorn-{port}")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
        ],
        cwd=ROOT,
        env=child_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)
        log.close()


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see {LOG_DIR}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not listen on {port} within {timeout} s")


@contextmanager
def celery_workers(count: int, *, smtp_port: int | None = None, env: dict | None = None):
    """`count` Celery worker processes (one task at a time each) on a fresh queue.

    Yields the queue name once every worker is ready; `worker_pids(queue)` gives their pids.
    """
    queue = f"tend-bench-{uuid.uuid4().hex[:8]}"
    extra = {"CELERY_QUEUE": queue, "LOG_LEVEL": "INFO", **(env or {})}
    if smtp_port is not None:
        extra["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    env = child_env(**extra)
    started = []
    try:
        for n in range(count):
            log_path = LOG_DIR / f"worker-{queue}-{n}.log"
            LOG_DIR.mkdir(exist_ok=True)
            log = open(log_path, "w")  # noqa: SIM115
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
                    "--hostname",
                    f"bench{n}@%h",
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
            started.append((process, log, log_path))
        _PIDS[queue] = [process.pid for process, _, _ in started]
        deadline = time.monotonic() + 60
        for process, _, log_path in started:
            while "ready." not in log_path.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Celery worker did not start; see {log_path}")
                time.sleep(0.1)
        yield queue
    finally:
        _PIDS.pop(queue, None)
        for process, log, _ in started:
            _stop(process)
            log.close()


_PIDS: dict[str, list[int]] = {}


def worker_pids(queue: str) -> list[int]:
    """The process ids of the workers `celery_workers` started for `queue`."""
    return list(_PIDS.get(queue, []))


def memory_kb(pid: int) -> dict[str, int]:
    """A process's resident memory now (VmRSS) and its peak so far (VmHWM), in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def run_tick(*, queue: str) -> subprocess.Popen:
    """`manage.py dispatch_nudges` in its own process, handing emails to `queue`."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "dispatch_nudges"],
        cwd=ROOT,
        env=child_env(CELERY_QUEUE=queue),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


class _Counter:
    """Counts what arrives and when the last message did; keeps the first for the floor."""

    def __init__(self):
        self.count = 0
        self.last_at = 0.0
        self.sample: bytes = b""
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # As mail servers in use do (Postfix, Exim…): commands may come pipelined.
        # aiosmtpd handles them in order but does not say so.
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.count += 1
            self.last_at = time.monotonic()
            if not self.sample:
                self.sample = envelope.original_content or envelope.content
        return "250 Message accepted for delivery"

    def reset(self) -> None:
        with self._lock:
            self.count, self.last_at = 0, 0.0


@contextmanager
def smtp_sink():
    """An SMTP server on loopback that counts messages; yields (port, counter)."""
    port = free_port()
    counter = _Counter()
    # aiosmtpd logs every SMTP command at INFO; thousands of them drown the report.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, counter
    finally:
        controller.stop()


def wait_until(condition, *, timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False
