"""Run every benchmark at one scale, then write bench/results/<date>-<scale>.json and the
scale's table in docs/benchmarks.md."""

import json
import os
import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path

import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User
from bench import dispatch, imports, load, pages, processes, report
from connections.benchdata import BENCH_EMAIL, SCALES
from connections.models import Person

ROOT = processes.ROOT


@dataclass(frozen=True)
class Plan:
    page_runs: int
    page_requests: int
    dispatch_runs: int
    load_clients: int
    load_seconds: float
    import_cards: int
    import_rows: int
    import_floor_runs: int


PLANS = {
    "smoke": Plan(
        page_runs=2,
        page_requests=3,
        dispatch_runs=1,
        load_clients=10,
        load_seconds=2,
        import_cards=200,
        import_rows=1000,
        import_floor_runs=1,
    ),
    "small": Plan(
        page_runs=5,
        page_requests=10,
        dispatch_runs=3,
        load_clients=50,
        load_seconds=10,
        import_cards=1000,
        import_rows=10_000,
        import_floor_runs=5,
    ),
    "full": Plan(
        page_runs=5,
        page_requests=10,
        dispatch_runs=2,
        load_clients=50,
        load_seconds=30,
        import_cards=10_000,
        import_rows=100_000,
        import_floor_runs=3,
    ),
}
ALL = ("pages", "dispatch", "load", "import")
IMPORT_FILES = ROOT / "var" / "bench" / "import-files"


def check_services() -> None:
    """The benchmarks start gunicorn, workers and an SMTP sink, never PostgreSQL or Redis."""
    if connection.vendor != "postgresql":
        raise SystemExit("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://…")
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        raise SystemExit("The benchmarks need Redis: set CELERY_BROKER_URL=redis://…")
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=3).ping()
    except redis.exceptions.ConnectionError as error:
        raise SystemExit(f"No Redis answers at {settings.CELERY_BROKER_URL}: {error}") from None
    connection.ensure_connection()


def vacuum() -> None:
    """Every run starts from compact tables with fresh statistics (≈11 s at `full`).

    The import and dispatch benchmarks create and delete hundreds of thousands of rows. Where
    autovacuum is off or behind (it is off on some machines here) the next run's pages read
    their dead index entries (people search was 12 → 20 × the floor after two runs). A plain
    VACUUM is not enough: it left import rows as 0 rows in 28,000 empty pages, so the foreign
    key checks of the dispatch benchmark's deleted people scanned them all, once per person
    (a commit that ran for over ten minutes). FULL rewrites the tables; it leaves the
    visibility map empty, so index-only scans would visit the table for every row (insights
    took 3 × as long) until the plain VACUUM after it."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (FULL)")
        cursor.execute("VACUUM (ANALYZE)")


def machine() -> dict:
    meminfo = Path("/proc/meminfo")
    memory_kb = 0
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    cpu = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    redis_version = redis.Redis.from_url(settings.CELERY_BROKER_URL).info()["redis_version"]
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgresql": postgres,
        "redis": redis_version,
    }


def dataset() -> dict:
    user = User.objects.get(email=BENCH_EMAIL)
    others = User.objects.filter(email__startswith="bench+other-")
    return {
        "people": user.people.count(),
        "interactions": user.interactions.count(),
        "nudges": user.nudges.count(),
        "open_nudges": user.nudges.filter(status="open").count(),
        "other_users": others.count(),
        "other_people": Person.objects.filter(owner__in=others).count(),
    }


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def run_all(scale: str, *, only: set[str] | None = None, files: Path = IMPORT_FILES) -> dict:
    """Seed (when needed) and run the benchmarks; return the results. `files` is where the
    import benchmark's generated contact files are kept (never committed)."""
    check_services()
    plan, only = PLANS[scale], only or set(ALL)
    unknown = only - set(ALL)
    if unknown:
        raise SystemExit(f"Unknown benchmarks: {', '.join(sorted(unknown))}; pick from {ALL}")
    call_command("seed_bench", scale=scale, verbosity=0)
    vacuum()
    processes.collect_static()
    results: dict = {
        "date": timezone.localdate().isoformat(),
        "scale": scale,
        "commit": commit(),
        "machine": machine(),
        "dataset": dataset(),
    }
    if "pages" in only:
        results["pages"] = pages.run(runs=plan.page_runs, requests=plan.page_requests)
    if "dispatch" in only:
        count = SCALES[scale].dispatch_users
        results["dispatch"] = dispatch.run(count=count, runs=plan.dispatch_runs)
    if "load" in only:
        results["load"] = load.run(clients=plan.load_clients, seconds=plan.load_seconds)
    if "import" in only:
        results["import"] = imports.run(
            cards=plan.import_cards,
            rows=plan.import_rows,
            floor_runs=plan.import_floor_runs,
            directory=files,
        )
    return results


def problems(results: dict) -> list[str]:
    """What the smoke check fails on: broken scripts, errors, changing query counts. Never
    a time."""
    found = []
    for name, page in results.get("pages", {}).get("pages", {}).items():
        if page["errors"]:
            found.append(f"page {name}: {page['errors']} failed requests")
        if not page["queries_constant"]:
            found.append(
                f"page {name}: queries {page['queries']} vs {page['queries_other_user']} for a "
                "smaller user"
            )
    if "dispatch" in results and not results["dispatch"]["complete"]:
        found.append("dispatch: not every email arrived")
    if "load" in results and results["load"]["errors"]:
        found.append(f"load: {results['load']['errors']} failed requests")
    if "import" in results:
        found += imports.problems(results["import"])
    return found


def write(results: dict, *, results_dir: Path, docs: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{results['date']}-{results['scale']}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    report.update_docs(docs, results)
    return path
