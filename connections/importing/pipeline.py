"""The import pipeline: an uploaded file becomes a job, a preview matched against the people
already in Tend, then people, a batch of rows at a time.

start_import → (mapping for a plain CSV) → preview_job → the user's choices → run_import.
The file is parsed once, as a stream, by the preview, which keeps each contact in its
ImportRow; the import reads them back a batch at a time, so a 50 MB file never sits in memory
as objects. The file and the kept contacts are deleted when the job ends.
"""

import logging
import operator
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Count, Max
from django.db.models.functions import Lower
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from connections.importing import bulk, detect
from connections.importing.records import (
    ContactPointRecord,
    ContactRecord,
    NotAContactFile,
    RowError,
    record_from_json,
    record_to_json,
)
from connections.models import (
    CIRCLE_CADENCE_DAYS,
    PHOTO_MAX_BYTES,
    Circle,
    ContactPoint,
    ImportJob,
    ImportRow,
    ImportStrategy,
    Person,
    Tag,
    normalize_contact_value,
    phone_key_of,
)
from connections.people import tags_named
from connections.phones import national_key, phone_keys
from connections.transactions import commits_not_waiting_for_disk

logger = logging.getLogger(__name__)

BATCH = 1000
PROGRESS_EVERY_SECONDS = 0.5
Status = ImportJob.Status


def mappable_fields() -> list[tuple[str, str]]:
    return list(detect.MAPPABLE_FIELDS)


def csv_headers(job: ImportJob) -> list[str]:
    return list(detect.csv_headers(Path(job.file.path)))


# --- starting ----------------------------------------------------------------------------


def start_import(
    *, owner, uploaded_by, uploaded_file, strategy: str = ImportStrategy.SKIP
) -> ImportJob:
    """Store the file and detect its format; a file too large or not a contact file at all is
    rejected whole, with the reason, and nothing is kept but the job saying why."""
    job = ImportJob(
        owner=owner,
        uploaded_by=uploaded_by,
        original_name=os.path.basename(uploaded_file.name or "contacts")[:255],
        strategy=ImportStrategy(strategy),
        bytes_total=uploaded_file.size or 0,
    )
    limit = settings.IMPORT_MAX_BYTES
    if job.bytes_total > limit:
        job.save()
        return reject_job(
            job,
            f"This file is {_megabytes(job.bytes_total)}; Tend imports files up to "
            f"{_megabytes(limit)}. Export fewer contacts at a time (or split the file) and "
            "import each part.",
        )
    if not job.bytes_total:
        job.save()
        return reject_job(job, "This file is empty: there are no contacts in it.")
    job.file.save(job.original_name, uploaded_file, save=False)
    job.save()
    try:
        job.format = detect.detect_format(Path(job.file.path))
    except NotAContactFile as error:
        return reject_job(job, str(error))
    job.save(update_fields=["format"])
    return job


def choose_mapping(*, job: ImportJob, mapping: dict[str, str]) -> ImportJob:
    """Record which field each column of a plain CSV holds; the preview can then start."""
    known = {key for key, _ in mappable_fields()}
    unknown = set(mapping.values()) - known
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if not any(
        key == "full_name" or key in ("first_name", "last_name") for key in mapping.values()
    ):
        raise ValueError("Choose the column that holds the name (full name, or first and last).")
    updated = ImportJob.objects.filter(pk=job.pk, status=Status.UPLOADED).update(mapping=mapping)
    if not updated:
        raise ValueError("This import has already started.")
    job.mapping = mapping
    return job


def choose_actions(*, job: ImportJob, strategy: str, row_actions: dict[int, str]) -> ImportJob:
    """The import's strategy and per-row overrides ("" follows the strategy)."""
    if job.status != Status.AWAITING_CHOICES:
        raise ValueError("This import is no longer waiting for choices.")
    job.strategy = ImportStrategy(strategy)
    job.save(update_fields=["strategy"])
    by_action: dict[str, list[int]] = {}
    for row_id, action in row_actions.items():
        if action:
            ImportStrategy(action)
        by_action.setdefault(action, []).append(row_id)
    for action, ids in by_action.items():
        job.rows.filter(pk__in=ids).exclude(status=ImportRow.Status.ERROR).update(action=action)
    return job


def queue_import(job: ImportJob) -> bool:
    """Mark the job as importing as soon as it is asked for, so the page shows progress and a
    second click does nothing; False when it was not waiting for choices."""
    queued = ImportJob.objects.filter(pk=job.pk, status=Status.AWAITING_CHOICES).update(
        status=Status.IMPORTING, bytes_done=0
    )
    job.refresh_from_db()
    return bool(queued)


# --- preview -----------------------------------------------------------------------------


def preview_job(job: ImportJob) -> ImportJob:
    """Read the whole file, writing one ImportRow per card or row with what it matches.
    Nothing else is written. Safe to run again: a preview cut short starts over."""
    if job.needs_mapping:
        return job
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=[Status.UPLOADED, Status.PREVIEWING]
    ).update(status=Status.PREVIEWING, started_at=timezone.now(), bytes_done=0)
    job.refresh_from_db()
    if not claimed:
        return job
    job.rows.all().delete()
    if job.format == ImportJob.Format.TEND_JSON:
        # A Tend export restores a whole account; it is imported as a whole, not row by row.
        return _set_status(job, Status.AWAITING_CHOICES, bytes_done=job.bytes_total)

    matcher = Matcher(owner=job.owner, seen=SeenKeys.for_job(job))
    batch: list[ContactRecord | RowError] = []
    found = 0
    try:
        # A preview cut short starts over, so its batches need not wait for the disk.
        with commits_not_waiting_for_disk():
            for item in detect.parse_contacts(
                Path(job.file.path), mapping=job.mapping or None, progress=_progress_writer(job)
            ):
                batch.append(item)
                found += 1
                if len(batch) >= BATCH:
                    bulk.insert_rows(ImportRow, ROW_COLUMNS, matcher.rows_for(job, batch))
                    batch = []
            bulk.insert_rows(ImportRow, ROW_COLUMNS, matcher.rows_for(job, batch))
    except NotAContactFile as error:
        job.rows.all().delete()
        return reject_job(job, str(error))
    except Exception as error:
        logger.exception("Preview of import %s failed", job.pk)
        job.rows.all().delete()
        return _fail(job, f"Tend could not read this file after {found} contacts: {error}")
    finally:
        matcher.seen.close()
    if not found:
        return reject_job(job, "Tend found no contacts in this file.")
    return _set_status(job, Status.AWAITING_CHOICES, bytes_done=job.bytes_total)


@dataclass
class Match:
    person_id: int | None = None
    row_number: int | None = None
    reason: str = ""


class Matcher:
    """Finds who an incoming contact already is: by UID, then email, then phone, then exact
    name (case-insensitive) — among the owner's people, then earlier rows of the same file
    (names excepted: two cards with one name in one address book are two people).

    The owner's people are read once per job, in three bounded queries, into lookup dicts;
    phones by the phone_key each point keeps, so none of their numbers is parsed again.
    What earlier rows of the file were known by is kept in `seen` (SeenKeys): in the database
    during a preview, so memory does not grow with the file; `rows_for` reads, per batch, only
    the keys that batch has."""

    def __init__(self, *, owner, seen: "SeenKeys | None" = None):
        self.seen = seen or SeenKeys()
        people = Person.objects.for_user(owner)
        self.uid = dict(people.exclude(external_uid="").values_list("external_uid", "id"))
        self.email: dict[str, int] = {}
        self.phone: dict[str, int] = {}
        points = ContactPoint.objects.filter(
            person__owner=owner, kind__in=[ContactPoint.Kind.EMAIL, ContactPoint.Kind.PHONE]
        ).values_list("kind", "normalized", "phone_key", "person_id")
        for kind, normalized, phone_key, person_id in points.iterator(chunk_size=2000):
            if kind == ContactPoint.Kind.EMAIL:
                self.email.setdefault(normalized, person_id)
            elif phone_key:
                self.phone.setdefault(phone_key, person_id)
        self.name: dict[str, int] = {}
        names = people.annotate(key=Lower("full_name")).values_list("key", "id")
        for key, person_id in names.iterator(chunk_size=2000):
            self.name.setdefault(_name_key(key), person_id)
        self.seen_uid: dict[str, int] = {}
        self.seen_email: dict[str, int] = {}
        self.seen_phone: dict[str, int] = {}
        self._seen = {"uid": self.seen_uid, "email": self.seen_email, "phone": self.seen_phone}

    def match(self, record: ContactRecord) -> Match:
        emails = [p.value.strip().lower() for p in record.contact_points if p.kind == "email"]
        phones = [
            (key, p.value)
            for p in record.contact_points
            if p.kind == "phone"
            for key in _point_phone_keys(p)
        ]
        uid = record.uid.strip()
        if uid and uid in self.uid:
            return Match(person_id=self.uid[uid], reason="same UID")
        if uid and uid in self.seen_uid:
            return Match(row_number=self.seen_uid[uid], reason="same UID")
        for email in emails:
            if email in self.email:
                return Match(person_id=self.email[email], reason=f"same email {email}")
        for email in emails:
            if email in self.seen_email:
                return Match(row_number=self.seen_email[email], reason=f"same email {email}")
        for key, value in phones:
            if key in self.phone:
                return Match(person_id=self.phone[key], reason=f"same phone {value}")
        for key, value in phones:
            if key in self.seen_phone:
                return Match(row_number=self.seen_phone[key], reason=f"same phone {value}")
        name = _name_key(record.full_name)
        if name and name in self.name:
            return Match(person_id=self.name[name], reason="same name")
        return Match()

    def remember(self, record: ContactRecord, number: int) -> None:
        """Later rows of the file that share this contact's UID, email or phone merge into it."""
        for kind, key in _record_keys(record):
            found = self._seen[kind]
            if key not in found:
                found[key] = number
                self.seen.added.append((kind, key, number))

    def rows_for(self, job: ImportJob, items: list[ContactRecord | RowError]) -> list[tuple]:
        """ImportRows for a batch (values in ROW_COLUMNS' order), in file order, matched
        against the owner's people and the file's earlier rows (those of earlier batches read
        back from `seen`)."""
        if self.seen.stored:
            for found in self._seen.values():
                found.clear()
            keys = {
                key
                for item in items
                if isinstance(item, ContactRecord)
                for key in _record_keys(item)
            }
            for kind, key, number in self.seen.lookup(keys):
                self._seen[kind][key] = number
        rows = [self.row_for(job, item) for item in items]
        self.seen.store()
        return rows

    def row_for(self, job: ImportJob, item: ContactRecord | RowError) -> tuple:
        if isinstance(item, RowError):
            status, reason = ImportRow.Status.ERROR, item.reason
            return (job.pk, item.number, status, None, None, "", "", "", None, reason, {}, "")
        found = self.match(item)
        if found.person_id is None and found.row_number is None:
            self.remember(item, item.number)
            status = ImportRow.Status.NEW
        else:
            if found.row_number is not None:
                self.remember(item, found.row_number)
            status = ImportRow.Status.MATCH
        return (
            job.pk,
            item.number,
            status,
            found.person_id,
            found.row_number,
            _printable(found.reason)[:300],
            "",
            "",
            None,
            # What the parser had to leave out of this card (a broken photo, a bad date).
            _printable(" ".join(item.warnings)),
            snapshot(item),
            record_to_json(item),
        )


# What the import writes of each contact point, in the order of _point_values' values.
POINT_COLUMNS = ("person_id", "kind", "label", "value", "normalized", "phone_key")

# What the preview writes of each row, in the order of Matcher.row_for's values.
ROW_COLUMNS = (
    "job_id",
    "number",
    "status",
    "matched_person_id",
    "matched_row",
    "match_reason",
    "action",
    "outcome",
    "person_id",
    "message",
    "record",
    "contact",
)


def _name_key(name: str) -> str:
    return " ".join(name.lower().split())


def _record_keys(record: ContactRecord) -> list[tuple[str, str]]:
    """What later rows of a file can match this contact by, as (kind, key) pairs."""
    keys = []
    if record.uid.strip():
        keys.append(("uid", record.uid.strip()))
    for point in record.contact_points:
        if point.kind == "email":
            keys.append(("email", point.value.strip().lower()))
        elif point.kind == "phone":
            keys += [("phone", key) for key in _point_phone_keys(point)]
    return keys


def _point_phone_keys(point: ContactPointRecord) -> list[str]:
    """phone_keys of a phone, kept on the point for the import (which reads them back)."""
    if point.keys is None:
        point.keys = sorted(phone_keys(point.value))
    return point.keys


class SeenKeys:
    """The keys (UID, email, phone) of a file's rows so far, with the first row that had each.

    This base keeps them in the Matcher's dicts (memory grows with the file); `for_job` gives,
    on PostgreSQL, a temporary table of this connection, read and written once per batch."""

    stored = False

    def __init__(self):
        self.added: list[tuple[str, str, int]] = []

    @staticmethod
    def for_job(job: ImportJob) -> "SeenKeys":
        if connection.vendor == "postgresql":
            return _SeenTable(job)
        return SeenKeys()

    def lookup(self, keys: set[tuple[str, str]]) -> list[tuple[str, str, int]]:
        return []

    def store(self) -> None:
        self.added = []

    def close(self) -> None:
        pass


class _SeenTable(SeenKeys):
    """Keys in a temporary table, with a fixed-size bit array in front of it: a key whose
    bit is clear was never stored, so only the few keys whose bit is set (the file's repeats,
    and about 2 % of the rest at 100,000 rows) are looked up, and every key a batch adds is
    known to be new, so it is copied in without a conflict check."""

    stored = True
    BITS = 1 << 24  # 2 MB, whatever the size of the file

    def __init__(self, job: ImportJob):
        super().__init__()
        self.bits = bytearray(self.BITS // 8)
        self.table = connection.ops.quote_name(f"tend_import_seen_{job.pk}")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            # Indexed by the key's hash (this process's, as is the bit array): a bigint index
            # stays small where one on the text outgrew the session's temporary buffers.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} "
                "(hash bigint, kind text, key text, number integer)"
            )
            cursor.execute(f"CREATE INDEX ON {self.table} (hash)")

    def _bit(self, kind_key: tuple[str, str]) -> tuple[int, int]:
        at = hash(kind_key) & (self.BITS - 1)
        return at >> 3, 1 << (at & 7)

    def lookup(self, keys):
        maybe = []
        for kind_key in keys:
            byte, bit = self._bit(kind_key)
            if self.bits[byte] & bit:
                maybe.append(kind_key)
        if not maybe:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT kind, key, number FROM {self.table} WHERE hash = ANY(%s::bigint[])",
                [[hash(kind_key) for kind_key in maybe]],
            )
            wanted = set(maybe)
            return [found for found in cursor.fetchall() if (found[0], found[1]) in wanted]

    def store(self) -> None:
        # The Matcher adds only keys that neither this table (by `lookup`) nor an earlier row
        # of the batch has: batches come in file order, so the first row to have a key keeps it.
        if self.added:
            sql = f"COPY {self.table} (hash, kind, key, number) FROM STDIN"
            with (
                connection.cursor() as cursor,
                connection.wrap_database_errors,
                cursor.cursor.copy(sql) as copy,
            ):
                for kind, key, number in self.added:
                    copy.write_row((hash((kind, key)), kind, key, number))
                    byte, bit = self._bit((kind, key))
                    self.bits[byte] |= bit
        self.added = []

    def close(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
        except DatabaseError:  # a failed transaction: the table goes with the connection
            logger.warning("Could not drop %s", self.table)


def snapshot(record: ContactRecord) -> dict:
    """The few fields the preview table shows, small enough to keep per row."""
    points = record.contact_points
    return {
        "name": _printable(record.full_name[:200]),
        "emails": [_printable(p.value[:200]) for p in points if p.kind == "email"][:5],
        "phones": [_printable(p.value[:60]) for p in points if p.kind == "phone"][:5],
        "birthday": birthday_text(record),
        "organisation": _printable(record.organisation[:200]),
        "photo": bool(record.photo),
    }


def _printable(text: str) -> str:
    """Without NUL characters, which PostgreSQL cannot store: one stray NUL in a card must not
    stop the preview of the whole file (the import then fails that row alone)."""
    return text.replace("\x00", "")


def birthday_text(record: ContactRecord) -> str:
    if not (record.birthday_day and record.birthday_month):
        return ""
    try:
        day = date(record.birthday_year or 2000, record.birthday_month, record.birthday_day)
    except (ValueError, TypeError):
        return f"{record.birthday_day}/{record.birthday_month}"
    return day.strftime("%-d %b %Y" if record.birthday_year else "%-d %b")


# --- import ------------------------------------------------------------------------------


def run_import(job: ImportJob) -> ImportJob:
    """Apply the choices, a batch of rows at a time, from the contacts the preview kept (the
    file is not read again). A job cut short (a worker killed) resumes where it stopped:
    each row is written with its outcome in the transaction of its batch."""
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=[Status.AWAITING_CHOICES, Status.IMPORTING]
    ).update(status=Status.IMPORTING, bytes_done=0)
    job.refresh_from_db()
    if not claimed:
        return job
    if job.started_at is None:
        job.started_at = timezone.now()
        job.save(update_fields=["started_at"])
    if job.format == ImportJob.Format.TEND_JSON:
        return _import_tend_json(job)

    writer = RowWriter(job)
    try:
        # An import cut short resumes at its first row without an outcome.
        with commits_not_waiting_for_disk():
            legacy = job.rows.filter(outcome="", contact="").exclude(status=ImportRow.Status.ERROR)
            if legacy.exists():
                _import_from_file(job, writer)
            else:
                while writer.write_next_batch():
                    pass
    except NotAContactFile as error:
        return _fail(job, str(error))
    except Exception as error:
        logger.exception("Import %s stopped", job.pk)
        _count(job)
        return _fail(job, f"The import stopped part-way: {error}. Rows imported so far are kept.")
    job.rows.filter(outcome="").update(
        outcome=ImportRow.Outcome.FAILED, message="This row could not be read a second time."
    )
    _count(job)
    return _set_status(job, Status.DONE, bytes_done=job.bytes_total)


def _import_from_file(job: ImportJob, writer: "RowWriter") -> None:
    """A job previewed before rows kept their contact: the file is read again and each card
    or row paired with its ImportRow by number."""
    pending: list[ContactRecord | RowError] = []
    for item in detect.parse_contacts(
        Path(job.file.path), mapping=job.mapping or None, progress=_progress_writer(job)
    ):
        pending.append(item)
        if len(pending) >= BATCH:
            writer.apply_items(pending)
            pending = []
    writer.apply_items(pending)


class RowWriter:
    """Writes a batch of rows in one transaction. The common outcomes — a new person, a skip,
    a row that cannot be read — are decided in Python and written in a few statements per
    batch (COPY on PostgreSQL, one update of the rows); updates, merges, photos and anything
    the bulk insert refuses go row by row, each in its own savepoint."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.counts: dict[str, int] | None = None
        self.tags: dict[str, Tag] = {}  # what tags_named gives each name, asked once
        self.last_number = 0
        self.max_number = 0
        self.rows_total = 0

    def write_next_batch(self) -> bool:
        """Write the next rows by number that have no outcome, from the contacts the preview
        kept; False when none is left."""
        self._start()
        if self.last_number >= self.max_number:
            return False
        with transaction.atomic():
            # Locked as they are read: two workers given the same job (a task delivered
            # twice) never write a row twice; a row the other wrote (or one written before
            # the job was resumed) has an outcome and is left alone. A window of numbers,
            # not "the next 1,000 without an outcome": PostgreSQL, whose statistics have not
            # seen the new rows yet, read and sorted every row left for that, per batch.
            window = (self.last_number, self.last_number + BATCH)
            rows = list(
                self.job.rows.select_for_update(of=("self",))
                .select_related("matched_person")
                .defer("record")
                .filter(number__gt=window[0], number__lte=window[1])
                .order_by("number")
            )
            self.last_number = window[1]
            pairs = [(row, _stored_item(row)) for row in rows if not row.outcome]
            self._write(pairs)
        self._finish_batch(pairs, progress=True)
        return True

    def apply_items(self, items: list[ContactRecord | RowError]) -> None:
        """Write the rows of these items, read again from the file."""
        if not items:
            return
        self._start()
        rows = {
            row.number: row
            for row in self.job.rows.filter(
                number__in=[item.number for item in items], outcome=""
            ).select_related("matched_person")
        }
        with transaction.atomic():
            claimed = set(
                ImportRow.objects.select_for_update()
                .filter(pk__in=[row.pk for row in rows.values()], outcome="")
                .values_list("pk", flat=True)
            )
            pairs = [
                (rows[item.number], item)
                for item in items
                if item.number in rows and rows[item.number].pk in claimed
            ]
            self._write(pairs)
        self._finish_batch(pairs, progress=False)

    def _start(self) -> None:
        if self.counts is None:  # a resumed job already has outcomes
            _count(self.job)
            self.counts = {o: getattr(self.job, o) for o in ImportRow.Outcome.values}
            found = self.job.rows.aggregate(count=Count("id"), last=Max("number"))
            self.rows_total, self.max_number = found["count"], found["last"] or 0

    def _write(self, pairs: list[tuple[ImportRow, ContactRecord | RowError]]) -> None:
        self._lock_tags()
        decided: list[ImportRow] = []
        to_create: list[tuple[ImportRow, ContactRecord]] = []
        one_by_one: list[tuple[ImportRow, ContactRecord | RowError]] = []
        for row, item in pairs:
            if row.status == ImportRow.Status.ERROR or isinstance(item, RowError):
                reason = row.message or getattr(item, "reason", "")
                self._decide(row, ImportRow.Outcome.FAILED, None, reason or _UNREADABLE)
                decided.append(row)
                continue
            plan = self._plan(row, item)
            if plan == "create":
                to_create.append((row, item))
            elif plan == "skip":
                target = row.matched_person
                message = (
                    f"Already in Tend as {target.full_name}."
                    if target is not None
                    else "Skipped, as chosen."
                )
                self._decide(row, ImportRow.Outcome.SKIPPED, target, message, item)
                decided.append(row)
            else:
                one_by_one.append((row, item))
        decided += self._create_many(to_create, one_by_one)
        _write_outcomes(decided)
        # Plain merges are written together, before the rest; not those into a row another
        # merge of this batch (one with a photo, or a chosen action) also goes into, which
        # keep their order in the file.
        plain = [self._plain_merge(row, item) for row, item in one_by_one]
        others = {row.matched_row for (row, _), p in zip(one_by_one, plain, strict=True) if not p}
        merges = [
            pair
            for pair, p in zip(one_by_one, plain, strict=True)
            if p and pair[0].matched_row not in others
        ]
        if merges:
            batched = {id(row) for row, _ in merges}
            one_by_one = [pair for pair in one_by_one if id(pair[0]) not in batched]
            _write_outcomes(self._merge_many(merges, one_by_one))
        # In file order: a merge into a contact created earlier in this batch finds them.
        one_by_one.sort(key=lambda pair: pair[0].number)
        for row, item in one_by_one:
            self.apply(row, item)

    def _finish_batch(self, pairs, *, progress: bool) -> None:
        for row, _ in pairs:
            if row.outcome:
                self.counts[row.outcome] += 1
        fields = dict(self.counts)
        if progress and self.rows_total:
            done = sum(self.counts.values())
            fields["bytes_done"] = (
                self.job.bytes_total * min(done, self.rows_total) // (self.rows_total)
            )
        ImportJob.objects.filter(pk=self.job.pk).update(**fields)

    def _lock_tags(self) -> None:
        """Keep the tags found so far from being deleted until the batch commits (a link to
        a deleted tag would fail the whole batch at commit), and forget any deleted since."""
        if not self.tags or connection.vendor != "postgresql":
            return
        table = connection.ops.quote_name(Tag._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {table} WHERE id = ANY(%s) FOR KEY SHARE",
                [[tag.pk for tag in self.tags.values()]],
            )
            alive = {row[0] for row in cursor.fetchall()}
        self.tags = {name: tag for name, tag in self.tags.items() if tag.pk in alive}

    def _tags_for(self, names: list[str]) -> list[Tag]:
        """What tags_named gives these names, asked once per distinct name in the job."""
        found = []
        for name in dict.fromkeys(map(_tag_name, names)):
            if name and name not in self.tags:
                self.tags[name] = tags_named(owner=self.job.owner, names=[name])[0]
            if name:
                found.append(self.tags[name])
        return list({tag.pk: tag for tag in found}.values())

    def _plan(self, row: ImportRow, record: ContactRecord) -> str:
        """Whether the row is a new person ("create") or a skip ("skip") that needs nothing
        read to write, or goes row by row ("row")."""
        if row.status == ImportRow.Status.MATCH and row.matched_row is not None:
            return "row"  # the earlier row's person is looked up, then merged into
        target = row.matched_person if row.status == ImportRow.Status.MATCH else None
        action = row.action or (self.job.strategy if target is not None else "")
        if action == ImportStrategy.SKIP:
            return "skip"
        if (target is None or action == ImportStrategy.CREATE_NEW) and not record.photo:
            return "create"
        return "row"

    def _decide(self, row, outcome, person, message, item=None) -> None:
        warnings = item.warnings if isinstance(item, ContactRecord) else []
        row.outcome, row.person, row.contact = outcome, person, ""
        row.message = " ".join(filter(None, [message, *warnings]))[:2000]

    def _create_many(self, pairs, one_by_one) -> list[ImportRow]:
        """New people for these rows in three inserts (people, contact points, tags). A row
        that cannot be a person fails alone; if the inserts are refused, every row of them
        goes row by row instead, so each one gets its own outcome."""
        built, failed = [], []
        for row, record in pairs:
            try:
                fields, notes = person_fields(record)
                points, point_notes = _point_values(record=record, existing=set())
            except (ValidationError, ValueError) as error:
                self._decide(row, ImportRow.Outcome.FAILED, None, _reason(error))
                failed.append(row)
                continue
            built.append((row, record, fields, points, " ".join([notes, *point_notes]).strip()))
        if not built:
            return failed
        self._tags_for([name for _, record, *_ in built for name in record.tags])
        tags = self.tags
        now = timezone.now()
        made = {"owner_id": self.job.owner_id, "created_at": now, "updated_at": now}
        base = {name: made.get(name, value) for name, value in _person_defaults().items()}
        try:
            with transaction.atomic():
                ids = bulk.insert_rows(
                    Person,
                    PERSON_COLUMNS,
                    [_person_row(base | fields) for _, _, fields, _, _ in built],
                    ids=True,
                )
                bulk.insert_rows(
                    ContactPoint,
                    POINT_COLUMNS,
                    [
                        (person_id, *point)
                        for person_id, (_, _, _, points, _) in zip(ids, built, strict=True)
                        for point in points
                    ],
                )
                bulk.insert_rows(
                    Person.tags.through,
                    ("person_id", "tag_id"),
                    [
                        (person_id, tag_id)
                        for person_id, (_, record, *_) in zip(ids, built, strict=True)
                        for tag_id in dict.fromkeys(
                            tags[name].pk for name in map(_tag_name, record.tags) if name in tags
                        )
                    ],
                )
        except DatabaseError:
            logger.warning("Bulk insert for import %s refused; row by row", self.job.pk)
            one_by_one += [(row, record) for row, record, *_ in built]
            return failed
        for person_id, (row, record, _, _, notes) in zip(ids, built, strict=True):
            self._decide(row, ImportRow.Outcome.CREATED, None, notes, record)
            row.person_id = person_id
        return failed + [row for row, *_ in built]

    def _plain_merge(self, row: ImportRow, item: ContactRecord | RowError) -> bool:
        """A repeat of an earlier row of the file, merged as it is by default, no photo."""
        return (
            isinstance(item, ContactRecord)
            and row.status == ImportRow.Status.MATCH
            and row.matched_row is not None
            and (row.action or "merge") == "merge"
            and not item.photo
        )

    def _merge_many(self, pairs, one_by_one) -> list[ImportRow]:
        """Repeats of earlier rows merged into those rows' people as fill_empty does, with
        the people, their contact points and tags read in three queries and the changes
        written per batch. A repeat of a row that made no one (skipped, failed, or written
        later in this batch), or a batch the database refuses, goes row by row."""
        earlier = dict(
            self.job.rows.filter(number__in={row.matched_row for row, _ in pairs}).values_list(
                "number", "person_id"
            )
        )
        people = {
            person.pk: person
            for person in Person.objects.for_user(self.job.owner).filter(
                pk__in={pk for pk in earlier.values() if pk is not None}
            )
        }
        known: dict[int, set] = {pk: set() for pk in people}
        points = ContactPoint.objects.filter(person_id__in=people).order_by()
        for person_id, points_of in _grouped(points, "person_id").items():
            known[person_id] = _known_keys(points_of)
        tag_ids: dict[int, set[int]] = {pk: set() for pk in people}
        links = Person.tags.through.objects.filter(person_id__in=people)
        for person_id, tag_id in links.values_list("person_id", "tag_id"):
            tag_ids[person_id].add(tag_id)
        merged, changed, new_points, new_links = [], {}, [], []
        for row, record in sorted(pairs, key=lambda pair: pair[0].number):
            person = people.get(earlier.get(row.matched_row))
            if person is None:
                one_by_one.append((row, record))
                continue
            fields, notes = _fill_fields(person=person, record=record)
            if fields:
                changed.setdefault(person.pk, (person, set()))[1].update(fields)
            values, point_notes = _point_values(record=record, existing=known[person.pk])
            new_points += [(person.pk, *value) for value in values]
            for tag in self._tags_for(record.tags) if record.tags else []:
                if tag.pk not in tag_ids[person.pk]:
                    tag_ids[person.pk].add(tag.pk)
                    new_links.append((person.pk, tag.pk))
            message = " ".join([*notes, *point_notes]) or f"Same contact as row {row.matched_row}."
            self._decide(row, ImportRow.Outcome.MERGED, person, message, record)
            merged.append((row, record))
        try:
            with transaction.atomic():
                for person, fields in changed.values():
                    person.full_clean(exclude=["owner", "photo"], validate_constraints=False)
                    person.save(update_fields=[*fields, "updated_at"])
                bulk.insert_rows(ContactPoint, POINT_COLUMNS, new_points)
                bulk.insert_rows(Person.tags.through, ("person_id", "tag_id"), new_links)
        except (ValidationError, DatabaseError):
            logger.warning("Merges for import %s refused; row by row", self.job.pk)
            one_by_one += merged
            return []
        return [row for row, _ in merged]

    def apply(self, row: ImportRow, item: ContactRecord | RowError) -> None:
        """One row in its own savepoint (the batch's transaction holds its lock)."""
        if row.status == ImportRow.Status.ERROR or isinstance(item, RowError):
            reason = row.message or getattr(item, "reason", "")
            self._finish(row, ImportRow.Outcome.FAILED, reason or _UNREADABLE)
            return
        try:
            with transaction.atomic():
                outcome, person, message = self._write_one(row, item)
                message = " ".join(filter(None, [message, *item.warnings]))
                row.outcome, row.person, row.message = outcome, person, message[:2000]
                row.contact = ""
                row.save(update_fields=["outcome", "person", "message", "contact"])
        except (ValidationError, DatabaseError, ValueError) as error:
            self._finish(row, ImportRow.Outcome.FAILED, _reason(error))

    def _finish(self, row: ImportRow, outcome: str, message: str) -> None:
        row.outcome, row.message, row.contact = outcome, message[:2000], ""
        row.save(update_fields=["outcome", "message", "contact"])

    def _write_one(self, row: ImportRow, record: ContactRecord):
        Outcome = ImportRow.Outcome
        target, default = None, ImportStrategy.CREATE_NEW
        if row.status == ImportRow.Status.MATCH:
            if row.matched_row is not None:
                earlier = self.job.rows.filter(number=row.matched_row).values("person_id")
                people = Person.objects.for_user(self.job.owner).filter(pk__in=earlier)
                target = people.order_by().first()  # by id: one row at most
                default = "merge"
            elif row.matched_person is not None:
                target, default = row.matched_person, self.job.strategy
        action = row.action or default
        if action == ImportStrategy.SKIP:
            if target is not None:
                return Outcome.SKIPPED, target, f"Already in Tend as {target.full_name}."
            return Outcome.SKIPPED, None, "Skipped, as chosen."
        if target is None or action == ImportStrategy.CREATE_NEW:
            person, notes = create_from_record(owner=self.job.owner, record=record)
            return Outcome.CREATED, person, notes
        changed, notes = fill_empty(person=target, record=record, tags_for=self._tags_for)
        if action == "merge":
            return Outcome.MERGED, target, notes or f"Same contact as row {row.matched_row}."
        if not changed:
            return Outcome.SKIPPED, target, notes or "Nothing new to add."
        return Outcome.UPDATED, target, notes


def _grouped(queryset, key: str) -> dict:
    groups: dict = {}
    for obj in queryset:
        groups.setdefault(getattr(obj, key), []).append(obj)
    return groups


def _stored_item(row: ImportRow) -> ContactRecord | RowError:
    if row.status == ImportRow.Status.ERROR:
        return RowError(number=row.number, reason=row.message or _UNREADABLE)
    return record_from_json(row.contact)


def _write_outcomes(rows: list[ImportRow]) -> None:
    """Each row's outcome, person and message in one UPDATE … FROM (VALUES …), its kept
    contact emptied: Django's bulk_update builds a CASE per row and field, which costs more
    than the import itself."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        ImportRow.objects.bulk_update(rows, ["outcome", "person", "message", "contact"])
        return
    table = connection.ops.quote_name(ImportRow._meta.db_table)
    with connection.cursor() as cursor:
        # Four arrays, not four parameters a row: 4,000 placeholders cost more to bind and
        # parse than the update itself.
        cursor.execute(
            f"UPDATE {table} AS r SET outcome = v.outcome, person_id = v.person_id, "
            "message = v.message, contact = '' FROM unnest(%s::bigint[], %s::varchar[], "
            "%s::bigint[], %s::text[]) AS v(id, outcome, person_id, message) WHERE r.id = v.id",
            [
                [row.pk for row in rows],
                [row.outcome for row in rows],
                [row.person_id for row in rows],
                [row.message for row in rows],
            ],
        )


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or error.__class__.__name__


_UNREADABLE = "This row cannot be read."


def _tag_name(name: str) -> str:
    return " ".join(name.split())


# Every column of a new person, in the order the bulk insert writes them.
PERSON_COLUMNS = tuple(f.attname for f in Person._meta.concrete_fields if not f.primary_key)
# A person's values in that order, from a dict with every column.
_person_row = operator.itemgetter(*PERSON_COLUMNS)


@lru_cache(maxsize=1)
def _person_defaults() -> dict:
    """Every column of a new Person (in PERSON_COLUMNS' order) with what it has when an
    import leaves it alone; None for a time (those are set per batch)."""
    return {
        f.attname: None if isinstance(f, models.DateTimeField) else f.get_default()
        for f in Person._meta.concrete_fields
        if not f.primary_key
    }


def person_fields(record: ContactRecord) -> tuple[dict, str]:
    """A new person's fields from an imported contact, and what was left out, in words.

    Every value is made within what Person.full_clean checks (lengths cut, the name's spaces
    collapsed, only a birthday that exists), so the bulk insert needs no model instance per
    row; `build_person` still validates, and a test holds the two to the same result.
    Imported people start without a rhythm (acquaintances), so an address book of hundreds
    does not turn into hundreds of nudges. Raises ValueError for a contact with no name."""
    name = " ".join(record.full_name.split()) or _fallback_name(record)
    if not name:
        raise ValueError("This contact has no name, email or phone to call them by.")
    birthday, birthday_note = _birthday(record)
    fields = {
        "full_name": " ".join(_fit("full_name", name).split()),
        "circle": Circle.ACQUAINTANCE,
        "cadence_days": CIRCLE_CADENCE_DAYS[Circle.ACQUAINTANCE],  # as Person.save does
        "nickname": _fit("nickname", record.nickname),
        "organisation": _fit("organisation", record.organisation),
        "job_title": _fit("job_title", record.job_title),
        "story": _story(record),
        "how_we_met": record.how_we_met.strip(),
        "external_uid": _fit("external_uid", record.uid.strip()),
        **birthday,
    }
    return fields, birthday_note


def build_person(*, owner, record: ContactRecord) -> tuple[Person, list[ContactPoint], str]:
    """A new person from an imported contact, validated but not saved, with their contact
    points (also unsaved) and what was left out, in words. Raises ValueError or
    ValidationError for a contact that cannot be a person."""
    fields, notes = person_fields(record)
    person = Person(owner=owner, **fields)
    person.full_clean(exclude=["owner", "photo"], validate_constraints=False)
    points, point_notes = _new_points(person=person, record=record, existing=set())
    return person, points, " ".join(filter(None, [notes, *point_notes]))


def create_from_record(*, owner, record: ContactRecord) -> tuple[Person, str]:
    """A new person from an imported contact, with every contact point, tag and photo."""
    person, points, notes = build_person(owner=owner, record=record)
    person.save()
    if record.tags:
        person.tags.set(tags_named(owner=owner, names=record.tags))
    for point in points:
        point.person = person
        point.save()
    photo_notes = _attach_photo(person=person, record=record)
    return person, " ".join(filter(None, [notes, *photo_notes]))


def fill_empty(
    *,
    person: Person,
    record: ContactRecord,
    tags_for: Callable[[list[str]], list[Tag]] | None = None,
) -> tuple[bool, str]:
    """Fill only the person's empty fields, and add contact points and tags they lack
    (`tags_for` gives the owner's tags for names, as tags_named does)."""
    changed_fields, notes = _fill_fields(person=person, record=record)
    if changed_fields:
        # The owner is unchanged, and the birthday's parts are set together, so neither the
        # owner's nor the check constraint's query is needed.
        person.full_clean(exclude=["owner", "photo"], validate_constraints=False)
        person.save(update_fields=[*changed_fields, "updated_at"])
    existing = _known_keys(person.contact_points.all())
    before = len(existing)
    notes += _add_points(person=person, record=record, existing=existing)
    added_points = len(existing) > before
    new_tags = []
    if record.tags:
        had_tags = set(person.tags.values_list("id", flat=True))
        if tags_for is None:
            named = tags_named(owner=person.owner, names=record.tags)
        else:
            named = tags_for(record.tags)
        new_tags = [t for t in named if t.pk not in had_tags]
        person.tags.add(*new_tags)
    photo_notes = [] if person.photo else _attach_photo(person=person, record=record)
    notes += photo_notes
    added_photo = bool(record.photo) and not photo_notes and bool(person.photo)
    changed = bool(changed_fields or added_points or new_tags or added_photo)
    return changed, " ".join(notes)


def _fill_fields(*, person: Person, record: ContactRecord) -> tuple[list[str], list[str]]:
    """Set the person's empty fields from the record (not saved): the fields set, and notes."""
    changed_fields = []
    notes = []
    for field, value in (
        ("nickname", record.nickname),
        ("organisation", record.organisation),
        ("job_title", record.job_title),
        ("story", _story(record)),
        ("how_we_met", record.how_we_met.strip()),
        ("external_uid", record.uid.strip()),
    ):
        if value and not getattr(person, field):
            setattr(person, field, _fit(field, value))
            changed_fields.append(field)
    if person.birthday_month is None:
        birthday, birthday_note = _birthday(record)
        notes += [birthday_note] if birthday_note else []
        if birthday:
            for field, value in birthday.items():
                setattr(person, field, value)
            changed_fields += list(birthday)
    return changed_fields, notes


def _known_keys(points) -> set:
    """What a person's contact points are known by, for _point_values to skip."""
    points = list(points)
    existing = {(p.kind, p.normalized) for p in points}
    # An incoming number shares a key with a stored one exactly when it has its phone_key.
    existing |= {("phone-key", p.phone_key) for p in points if p.phone_key}
    return existing


def _fallback_name(record: ContactRecord) -> str:
    if record.organisation.strip():
        return record.organisation.strip()
    for kind in ("email", "phone"):
        for point in record.contact_points:
            if point.kind == kind and point.value.strip():
                return point.value.strip()
    return ""


def _fit(field: str, value: str) -> str:
    limit = Person._meta.get_field(field).max_length
    value = (value or "").strip()
    return value[:limit] if limit else value


def _story(record: ContactRecord) -> str:
    parts = [record.notes.strip()]
    if record.anniversary.strip():
        parts.append(f"Anniversary: {record.anniversary.strip()}")
    return "\n\n".join(part for part in parts if part)


def _birthday(record: ContactRecord) -> tuple[dict, str]:
    day, month, year = record.birthday_day, record.birthday_month, record.birthday_year
    if not (day and month):
        return {}, ""
    if year is not None and not 1900 <= year <= 2100:
        year = None
    try:
        date(year or 2000, month, day)
    except (ValueError, TypeError):
        return {}, f"The birthday {day}/{month} does not exist, so it was left out."
    return {"birthday_day": day, "birthday_month": month, "birthday_year": year}, ""


def _add_points(*, person: Person, record: ContactRecord, existing: set) -> list[str]:
    points, notes = _new_points(person=person, record=record, existing=existing)
    for point in points:
        point.save()
    return notes


def _new_points(
    *, person: Person, record: ContactRecord, existing: set
) -> tuple[list[ContactPoint], list[str]]:
    """The record's contact points the person lacks (by `existing` keys, updated), validated
    and unsaved, and notes on what has no place in Tend."""
    values, notes = _point_values(record=record, existing=existing)
    points = []
    for kind, label, value, normalized, key in values:
        contact = ContactPoint(person=person, kind=kind, label=label, value=value)
        contact.full_clean(exclude=["person"])
        contact.normalized, contact.phone_key = normalized, key  # as save() does
        points.append(contact)
    return points, notes


_POINT_KINDS = frozenset(ContactPoint.Kind.values)


def _point_values(
    *, record: ContactRecord, existing: set
) -> tuple[list[tuple[str, str, str, str, str]], list[str]]:
    """(kind, label, value, normalized, phone_key) of the record's contact points the person
    lacks (by `existing` keys, updated), each within ContactPoint's limits, and notes on what
    has no place in Tend."""
    notes, points = [], []
    for point in record.contact_points:
        value = point.value.strip()
        if not value:
            continue
        if point.kind not in _POINT_KINDS:
            notes.append(f"A {point.kind} ({value[:60]}) has no place in Tend and was left out.")
            continue
        normalized = normalize_contact_value(point.kind, value)
        keys = {(point.kind, normalized)}
        phone_key = ""
        if point.kind == ContactPoint.Kind.PHONE:
            phone_keys_of_point = _point_phone_keys(point)
            keys |= {("phone-key", key) for key in phone_keys_of_point}
            # From the keys the preview already worked out, as save() would.
            phone_key = national_key(phone_keys_of_point)
        if keys & existing:
            continue
        if len(value) > 500:
            value = value[:500]
            normalized = normalize_contact_value(point.kind, value)
            phone_key = phone_key_of(point.kind, value)
        label = point.label.strip()[:60]
        points.append((point.kind, label, value, normalized, phone_key))
        existing |= keys
    return points, notes


def _attach_photo(*, person: Person, record: ContactRecord) -> list[str]:
    """Inline photo bytes become the person's photo when they are a picture Pillow reads."""
    data = record.photo
    if not data:
        return []
    if len(data) > PHOTO_MAX_BYTES:
        return ["The photo is over 5 MB and was left out."]
    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
            kind = (image.format or record.photo_type or "jpeg").lower()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return ["The photo could not be read as a picture and was left out."]
    extension = {"jpeg": "jpg"}.get(kind, kind)
    person.photo.save(f"import-{person.pk}.{extension}", ContentFile(data), save=False)
    person.save(update_fields=["photo", "updated_at"])
    return []


def _import_tend_json(job: ImportJob) -> ImportJob:
    from connections.importing.tend_json import import_tend_json

    try:
        result = import_tend_json(user=job.owner, path=Path(job.file.path))
    except NotAContactFile as error:
        return reject_job(job, str(error))
    except (ValueError, ValidationError) as error:
        return _fail(job, _reason(error))
    job.created = int(result.get("people", result.get("created", 0)) or 0)
    job.save(update_fields=["created"])
    return _set_status(job, Status.DONE, bytes_done=job.bytes_total)


# --- job state ---------------------------------------------------------------------------


def _progress_writer(job: ImportJob):
    """A progress(bytes_read) callback that writes to the job at most twice a second."""
    last = [0.0]

    def progress(bytes_read: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_SECONDS:
            last[0] = now
            ImportJob.objects.filter(pk=job.pk).update(bytes_done=bytes_read)

    return progress


def _count(job: ImportJob) -> None:
    counts = dict(
        job.rows.exclude(outcome="")
        .order_by()
        .values("outcome")
        .annotate(n=Count("id"))
        .values_list("outcome", "n")
    )
    for outcome in ImportRow.Outcome.values:
        setattr(job, outcome, counts.get(outcome, 0))
    ImportJob.objects.filter(pk=job.pk).update(
        **{outcome: counts.get(outcome, 0) for outcome in ImportRow.Outcome.values}
    )


def _set_status(job: ImportJob, status: str, **fields) -> ImportJob:
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    changed = ["status", *fields]
    if status in ImportJob.FINISHED:
        job.finished_at = timezone.now()
        changed.append("finished_at")
        if job.file:
            # The uploaded address book is private: nothing of it stays once the job is over.
            job.file.delete(save=False)
            changed.append("file")
        # Nor the contacts the preview kept of rows that were never written.
        job.rows.exclude(contact="").update(contact="")
    job.save(update_fields=changed)
    return job


def reject_job(job: ImportJob, reason: str) -> ImportJob:
    """Refuse the file whole, saying why; its stored copy is deleted."""
    job.reason = reason
    job.save(update_fields=["reason"])
    return _set_status(job, Status.REJECTED)


def _fail(job: ImportJob, reason: str) -> ImportJob:
    job.reason = reason
    job.save(update_fields=["reason"])
    return _set_status(job, Status.FAILED)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def summary_lines(job: ImportJob) -> list[str]:
    """The report as plain lines: counts, then each failed row with its number and reason."""
    if job.status == Status.REJECTED:
        return [f"{job.original_name}: rejected. {job.reason}"]
    if job.status == Status.FAILED:
        return [f"{job.original_name}: failed. {job.reason}"]
    lines = [
        f"{job.original_name}: {job.created} created, {job.updated} updated, "
        f"{job.merged} merged, {job.skipped} skipped, {job.failed} failed."
    ]
    for number, message in job.rows.filter(outcome=ImportRow.Outcome.FAILED).values_list(
        "number", "message"
    ):
        lines.append(f"  row {number}: {message}")
    return lines
