"""Load: gunicorn with the worker count the README recommends (2 × cores + 1), many clients
at once for a fixed time on a mix of dashboard, people list and person pages.

Floor: the same clients for the same time on the floor page (see bench/pages.py). Clients
are threads in this process, each a new connection per request (gunicorn's sync workers
close it after every response).
"""

import os
import random
import threading
import time

from accounts.models import User
from bench import processes
from bench.client import get, percentile, session_cookie
from connections.benchdata import BENCH_EMAIL
from connections.models import Person

FLOOR_PATH = "/password/change/done/"


def recommended_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


def _mix(user, rng: random.Random) -> list[tuple[str, float]]:
    ids = list(Person.objects.for_user(user).active().values_list("id", flat=True)[:2000])
    people = [f"/people/{pk}/" for pk in rng.sample(ids, k=min(len(ids), 200))]
    return [("/", 0.3), ("/people/", 0.3)] + [(path, 0.4 / len(people)) for path in people]


def _hammer(base: str, paths: list[tuple[str, float]], cookie: str, clients: int, seconds: float):
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    choices, weights = zip(*paths, strict=True)

    def client(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        mine, failed = [], 0
        while time.monotonic() < stop_at:
            answer = get(base, rng.choices(choices, weights)[0], cookie, timeout=30)
            if answer.status == 200:
                mine.append(answer.client_ms)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "errors": errors,
    }


def run(*, clients: int, seconds: float) -> dict:
    user = User.objects.get(email=BENCH_EMAIL)
    cookie = session_cookie(user)
    mix = _mix(user, random.Random(2))
    workers = recommended_workers()
    with processes.gunicorn(workers=workers) as base:
        for path, _ in mix[:5]:
            get(base, path, cookie)
        floor = _hammer(base, [(FLOOR_PATH, 1.0)], cookie, clients, seconds)
        pages = _hammer(base, mix, cookie, clients, seconds)
    rps = pages["requests_per_second"]
    return {
        "workers": workers,
        "clients": clients,
        "seconds": seconds,
        "mix": "30% dashboard, 30% people list, 40% person pages (200 people)",
        "floor": floor,
        "pages": pages,
        "ratio_throughput": round(floor["requests_per_second"] / rps, 2) if rps else None,
        "errors": floor["errors"] + pages["errors"],
    }
