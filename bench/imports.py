"""Import: a generated vCard file and a Google Contacts CSV through the real import job.

Each file is handed over as the Import page does (the file stored and its format detected by
`start_import`, then the preview task), previewed and imported by a real Celery worker process
(`--pool solo`, a fresh one per file, so its peak memory belongs to that file alone), and timed
from hand-over to the job's "done" status: preview (parse and match every record, one
ImportRow each, which keeps the parsed contact) plus import (read those rows back and
write). The account is a fresh user, empty on the first run (every contact is created, the
file's own repeats merged); the same file is then imported again into the now full account
with "skip", which times de-duplication at scale.

Floor: parsing the same file with the parser the import uses (`detect.parse_contacts`),
iterating every record and writing nothing, in this process; the median of several runs.
The job parses the file once (the preview; the import reads what it kept), so 1 × the floor
is the least it can cost.

Memory: the worker's resident set when ready, and its peak (VmHWM) after each run, for a file
a tenth of the size and the full one: streaming means the peak does not grow with the file.
"""

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import connection

from accounts.models import User
from bench import contact_files, processes
from connections import tasks
from connections.benchdata import delete_users
from connections.importing import detect
from connections.importing.pipeline import choose_actions, queue_import, start_import
from connections.models import ContactPoint, ImportJob, ImportRow, ImportStrategy, Person

EMAIL = "bench+import-{}@example.com"
PREFIX = "bench+import-"
Status = ImportJob.Status


@dataclass(frozen=True)
class ImportFile:
    kind: str  # "vcard" | "google_csv"
    records: int

    @property
    def name(self) -> str:
        suffix = "vcf" if self.kind == "vcard" else "csv"
        return f"{self.kind}-{self.records}.{suffix}"

    @property
    def label(self) -> str:
        return {"vcard": "vCard", "google_csv": "Google CSV"}[self.kind]

    def write(self, directory: Path) -> Path:
        path = directory / self.name
        if not path.exists():  # deterministic: the same name is the same bytes
            partial = path.with_suffix(".part")
            writer = (
                contact_files.write_vcards
                if self.kind == "vcard"
                else contact_files.write_google_csv
            )
            writer(partial, self.records)
            partial.rename(path)
        return path


def files_for(*, cards: int, rows: int) -> list[ImportFile]:
    """Per format, a file a tenth of the size (for memory) and the full one."""
    return [
        ImportFile("vcard", max(1, cards // 10)),
        ImportFile("vcard", cards),
        ImportFile("google_csv", max(1, rows // 10)),
        ImportFile("google_csv", rows),
    ]


def floor(path: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        count = sum(1 for _ in detect.parse_contacts(path))
        times.append(round(time.perf_counter() - started, 3))
    assert count, f"{path} has no records"
    return times


def _wait_for(job: ImportJob, statuses, timeout: float) -> tuple[str, float]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = ImportJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()
        if status in statuses:
            return status, time.monotonic()
        time.sleep(0.05)
    raise RuntimeError(f"Import job {job.pk} still {status!r} after {timeout:.0f} s")


def import_once(path: Path, *, owner: User, queue: str, strategy: str, timeout: float) -> dict:
    """One file through the job, as the Import page hands it over; the job's figures."""
    started = time.monotonic()
    with path.open("rb") as handle:
        job = start_import(
            owner=owner,
            uploaded_by=owner,
            uploaded_file=File(handle, name=path.name),
            strategy=strategy,
        )
    uploaded = time.monotonic()
    if job.status != Status.UPLOADED:
        raise RuntimeError(f"{path.name} was {job.status}: {job.reason}")
    tasks.preview_import.apply_async((job.pk,), queue=queue)
    status, previewed = _wait_for(job, (Status.AWAITING_CHOICES, *ImportJob.FINISHED), timeout)
    if status != Status.AWAITING_CHOICES:
        job.refresh_from_db()
        raise RuntimeError(f"The preview of {path.name} ended {status}: {job.reason}")
    job.refresh_from_db()
    # What the page's "Import" button does: the choices, then the task.
    handed = time.monotonic()
    choose_actions(job=job, strategy=strategy, row_actions={})
    queue_import(job)
    tasks.run_import_job.apply_async((job.pk,), queue=queue)
    status, done = _wait_for(job, ImportJob.FINISHED, timeout)
    job.refresh_from_db()
    rows = job.rows.count()
    counts = {o: getattr(job, o) for o in ImportRow.Outcome.values}
    return {
        "strategy": strategy,
        "status": status,
        "reason": job.reason,
        "upload_seconds": round(uploaded - started, 3),
        "preview_seconds": round(previewed - uploaded, 3),
        "import_seconds": round(done - handed, 3),
        "seconds": round((previewed - uploaded) + (done - handed), 3),
        "rows": rows,
        **counts,
        "complete": status == Status.DONE and sum(counts.values()) == rows,
    }


def _delete_owner(owner_ids: list[int]) -> None:
    """Photos' files first (the benchmark's own media), then the rows, in plain SQL."""
    # Statistics as autovacuum would leave them after such an import: the foreign key checks
    # of the deleted people were planned when import rows were few, and scanned them all for
    # every person (a commit of several minutes).
    with connection.cursor() as cursor:
        for model in (ImportRow, ImportJob, Person, ContactPoint):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    for person in Person.objects.filter(owner_id__in=owner_ids).exclude(photo=""):
        person.photo.delete(save=False)
    jobs = ImportJob.objects.filter(owner_id__in=owner_ids)
    for job in jobs.exclude(file=""):
        job.file.delete(save=False)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ImportRow._meta.db_table} WHERE job_id IN "
            f"(SELECT id FROM {ImportJob._meta.db_table} WHERE owner_id = ANY(%s))",
            [owner_ids],
        )
    jobs.delete()
    delete_users(User.objects.filter(id__in=owner_ids))


def cleanup() -> None:
    _delete_owner(list(User.objects.filter(email__startswith=PREFIX).values_list("id", flat=True)))


def _mb(kb: int) -> float:
    return round(kb / 1024, 1)


def measure(item: ImportFile, path: Path, *, floor_runs: int) -> dict:
    times = floor(path, floor_runs)
    floor_seconds = statistics.median(times)
    owner = User.objects.create(
        email=EMAIL.format(path.stem), display_name="Import bench", password="!"
    )
    timeout = max(300.0, item.records * 0.1)
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    try:
        with processes.celery_workers(1, env=env) as queue:
            (pid,) = processes.worker_pids(queue)
            ready = processes.memory_kb(pid)
            first = import_once(
                path, owner=owner, queue=queue, strategy=ImportStrategy.SKIP, timeout=timeout
            )
            after_first = processes.memory_kb(pid)
            again = import_once(
                path, owner=owner, queue=queue, strategy=ImportStrategy.SKIP, timeout=timeout
            )
            after_again = processes.memory_kb(pid)
        people = Person.objects.filter(owner=owner).count()
    finally:
        _delete_owner([owner.pk])
    for run in (first, again):
        run["ratio"] = round(run["seconds"] / floor_seconds, 2) if floor_seconds else None
        run["records_per_second"] = round(item.records / run["seconds"], 1)
    return {
        "kind": item.kind,
        "label": item.label,
        "records": item.records,
        "bytes": path.stat().st_size,
        "floor_seconds": floor_seconds,
        "floor_runs": times,
        "first": first,
        "again": again,
        "people_after": people,
        "worker_ready_mb": _mb(ready["VmRSS"]),
        "worker_peak_mb_first": _mb(after_first["VmHWM"]),
        "worker_peak_mb_again": _mb(after_again["VmHWM"]),
    }


def run(*, cards: int, rows: int, floor_runs: int, directory: Path) -> dict:
    directory.mkdir(parents=True, exist_ok=True)
    cleanup()
    measured = []
    for item in files_for(cards=cards, rows=rows):
        path = item.write(directory)
        measured.append(measure(item, path, floor_runs=floor_runs))
    memory = {}
    for kind in ("vcard", "google_csv"):
        small, large = (m for m in measured if m["kind"] == kind)
        memory[kind] = {
            "records": [small["records"], large["records"]],
            "peak_mb": [small["worker_peak_mb_first"], large["worker_peak_mb_first"]],
            "growth_mb": round(large["worker_peak_mb_first"] - small["worker_peak_mb_first"], 1),
        }
    return {"floor_runs": floor_runs, "files": measured, "memory": memory}


def problems(results: dict) -> list[str]:
    """Broken jobs and wrong counts; never a time."""
    found = []
    for item in results["files"]:
        name = f"import {item['label']} ({item['records']:,})"
        first, again = item["first"], item["again"]
        if not first["complete"] or first["failed"]:
            found.append(f"{name}: first run {first['status']}, {first['failed']} failed")
        elif first["created"] + first["merged"] != item["records"]:
            found.append(f"{name}: {first['created']} created + {first['merged']} merged")
        if not again["complete"] or again["skipped"] != item["records"]:
            found.append(f"{name}: again, {again['skipped']} of {item['records']} skipped")
        if item["people_after"] != first["created"]:
            found.append(f"{name}: {item['people_after']} people after two imports")
    return found
