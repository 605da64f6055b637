"""Pages: server time and query count of the heaviest pages, beside a floor page.

Floor: GET /password/change/done/, a login-required view that renders base.html and
nothing else, so it costs what every page costs (session, user, middleware, base template).
Requests are interleaved (floor, then each page, in a shuffled order) so noise on the shared
machine hits the floor and the pages alike; each run gives a p50 and p95 per page, and the
figures reported are the medians over runs.
"""

import random
import statistics
from dataclasses import dataclass

from django.db.models import Count

from accounts.models import User
from bench import processes
from bench.client import get, percentile, session_cookie
from connections.benchdata import BENCH_EMAIL, FILTER_VALUE, LONG_TIMELINE_NAME, SEARCH_WORD
from connections.models import Person, WeeklyPick

FLOOR = "floor"


@dataclass(frozen=True)
class Target:
    name: str
    path: str


def targets_for(user) -> list[Target]:
    person = (
        Person.objects.for_user(user).filter(full_name=LONG_TIMELINE_NAME).first()
        or Person.objects.for_user(user)
        .annotate(n=Count("interactions"))
        .order_by("-n", "id")
        .first()
    )
    return [
        Target(FLOOR, "/password/change/done/"),
        Target("dashboard", "/"),
        Target("people", "/people/"),
        Target("people_search", f"/people/?q={SEARCH_WORD}"),
        Target("people_by_value", f"/people/?value={FILTER_VALUE}"),
        Target("person", f"/people/{person.pk}/"),
        Target("insights", "/insights/"),
    ]


def other_user() -> User:
    """A smaller user built the same way: the same page must cost the same queries."""
    return User.objects.filter(email__startswith="bench+other-").order_by("email").first()


def run(*, runs: int, requests: int, warmup: int = 3) -> dict:
    user = User.objects.get(email=BENCH_EMAIL)
    targets = targets_for(user)
    cookie = session_cookie(user)
    small = other_user()
    small_targets = {t.name: t for t in targets_for(small)}
    small_cookie = session_cookie(small)
    rng = random.Random(1)
    samples: dict[str, list[list]] = {t.name: [] for t in targets}
    queries: dict[str, set[int]] = {t.name: set() for t in targets}
    errors: dict[str, int] = {t.name: 0 for t in targets}
    with processes.gunicorn(workers=1) as base:
        for target in targets:
            for _ in range(warmup):
                get(base, target.path, cookie)
        for _ in range(runs):
            for name in samples:
                samples[name].append([])
            for _ in range(requests):
                order = targets[:]
                rng.shuffle(order)
                for target in order:
                    answer = get(base, target.path, cookie)
                    if answer.status != 200:
                        errors[target.name] += 1
                        continue
                    samples[target.name][-1].append(answer.server_ms)
                    queries[target.name].add(answer.queries)
        other_queries = {}
        for name, target in small_targets.items():
            for _ in range(warmup):
                get(base, target.path, small_cookie)
            answer = get(base, target.path, small_cookie)
            other_queries[name] = answer.queries if answer.status == 200 else None
        choosing = _first_look_of_the_week(base, user, cookie, runs * requests)
    summary = _summary(targets, samples, queries, other_queries, errors, runs, requests)
    summary["dashboard_first_look"] = choosing
    return summary


def _first_look_of_the_week(base, user, cookie, requests: int) -> dict:
    """The dashboard's first look in a week also chooses the week's three (then kept as
    WeeklyPick rows, which every later look reads): measured apart, the picks dropped before
    each request."""
    times, counts = [], set()
    for _ in range(requests):
        WeeklyPick.objects.filter(owner=user).delete()
        answer = get(base, "/", cookie)
        if answer.status == 200:
            times.append(answer.server_ms)
            counts.add(answer.queries)
    return {
        "p50_ms": round(percentile(times, 0.5), 2) if times else None,
        "queries": sorted(counts),
    }


def _summary(targets, samples, queries, other_queries, errors, runs, requests) -> dict:
    def per_run(name: str, q: float) -> list[float]:
        return [percentile(run, q) for run in samples[name] if run]

    floor_p50 = per_run(FLOOR, 0.5)
    pages = {}
    for target in targets:
        p50s, p95s = per_run(target.name, 0.5), per_run(target.name, 0.95)
        ratios = [page / floor for page, floor in zip(p50s, floor_p50, strict=False) if floor]
        counts = sorted(queries[target.name])
        pages[target.name] = {
            "path": target.path,
            "p50_ms": round(statistics.median(p50s), 2) if p50s else None,
            "p95_ms": round(statistics.median(p95s), 2) if p95s else None,
            "ratio_p50": round(statistics.median(ratios), 2) if ratios else None,
            "queries": counts[0] if len(counts) == 1 else counts,
            "queries_constant": len(counts) == 1 and counts[0] == other_queries[target.name],
            "queries_other_user": other_queries[target.name],
            "errors": errors[target.name],
        }
    return {
        "floor": FLOOR,
        "floor_path": pages[FLOOR]["path"],
        "runs": runs,
        "requests_per_run": requests,
        "server": "gunicorn, 1 sync worker, DEBUG off",
        "pages": pages,
    }
