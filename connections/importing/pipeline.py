"""The import pipeline: an uploaded file becomes a job, a preview matched against the people
already in Tend, then people — one card or row at a time, each in its own transaction.

start_import → (mapping for a plain CSV) → preview_job → the user's choices → run_import.
The file is parsed as a stream twice (preview, then import) and deleted when the job ends, so
a 50 MB file never sits in memory as objects.
"""

import logging
import os
import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from connections.importing import detect
from connections.importing.records import ContactRecord, NotAContactFile, RowError
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
)
from connections.people import tags_named

logger = logging.getLogger(__name__)

BATCH = 200
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
        for item in detect.parse_contacts(
            Path(job.file.path), mapping=job.mapping or None, progress=_progress_writer(job)
        ):
            batch.append(item)
            found += 1
            if len(batch) >= BATCH:
                ImportRow.objects.bulk_create(matcher.rows_for(job, batch))
                batch = []
        ImportRow.objects.bulk_create(matcher.rows_for(job, batch))
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

    The owner's people are read once per job, in four bounded queries, into lookup dicts.
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
        ).values_list("kind", "value", "person_id")
        for kind, value, person_id in points.iterator(chunk_size=2000):
            if kind == ContactPoint.Kind.EMAIL:
                self.email.setdefault(value.strip().lower(), person_id)
            else:
                for key in phone_keys(value):
                    self.phone.setdefault(key, person_id)
        self.name: dict[str, int] = {}
        names = people.annotate(key=Lower("full_name")).values_list("key", "id")
        for key, person_id in names.iterator(chunk_size=2000):
            self.name.setdefault(" ".join(key.split()), person_id)
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
            for key in sorted(phone_keys(p.value))
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
        name = " ".join(record.full_name.lower().split())
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

    def rows_for(self, job: ImportJob, items: list[ContactRecord | RowError]) -> list[ImportRow]:
        """ImportRows for a batch, in file order, matched against the owner's people and the
        file's earlier rows (those of earlier batches read back from `seen`)."""
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

    def row_for(self, job: ImportJob, item: ContactRecord | RowError) -> ImportRow:
        if isinstance(item, RowError):
            return ImportRow(
                job=job, number=item.number, status=ImportRow.Status.ERROR, message=item.reason
            )
        found = self.match(item)
        if found.person_id is None and found.row_number is None:
            self.remember(item, item.number)
            status = ImportRow.Status.NEW
        else:
            if found.row_number is not None:
                self.remember(item, found.row_number)
            status = ImportRow.Status.MATCH
        return ImportRow(
            job=job,
            number=item.number,
            status=status,
            matched_person_id=found.person_id,
            matched_row=found.row_number,
            match_reason=_printable(found.reason)[:300],
            record=snapshot(item),
            # What the parser had to leave out of this card (a broken photo, a bad date).
            message=_printable(" ".join(item.warnings)),
        )


def _record_keys(record: ContactRecord) -> list[tuple[str, str]]:
    """What later rows of a file can match this contact by, as (kind, key) pairs."""
    keys = []
    if record.uid.strip():
        keys.append(("uid", record.uid.strip()))
    for point in record.contact_points:
        if point.kind == "email":
            keys.append(("email", point.value.strip().lower()))
        elif point.kind == "phone":
            keys += [("phone", key) for key in phone_keys(point.value)]
    return keys


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
    stored = True

    def __init__(self, job: ImportJob):
        super().__init__()
        self.table = connection.ops.quote_name(f"tend_import_seen_{job.pk}")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} "
                "(kind text, key text, number integer, PRIMARY KEY (kind, key))"
            )

    def lookup(self, keys):
        if not keys:
            return []
        kinds, values = zip(*keys, strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT kind, key, number FROM {self.table} WHERE (kind, key) IN "
                "(SELECT * FROM unnest(%s::text[], %s::text[]))",
                [list(kinds), list(values)],
            )
            return cursor.fetchall()

    def store(self) -> None:
        if self.added:
            kinds, keys, numbers = zip(*self.added, strict=True)
            with connection.cursor() as cursor:
                # Batches come in file order, so the first row to have a key keeps it.
                cursor.execute(
                    f"INSERT INTO {self.table} (kind, key, number) SELECT * FROM "
                    "unnest(%s::text[], %s::text[], %s::integer[]) ON CONFLICT DO NOTHING",
                    [list(kinds), list(keys), list(numbers)],
                )
        self.added = []

    def close(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
        except DatabaseError:  # a failed transaction: the table goes with the connection
            logger.warning("Could not drop %s", self.table)


def phone_keys(value: str) -> set[str]:
    """What two spellings of one phone number share: its E.164 form when it can be read
    (country from the number, else settings.PHONE_REGION), and its national digits."""
    return set(_phone_keys(value, settings.PHONE_REGION))


@lru_cache(maxsize=1024)  # a contact's numbers are read to match, to remember and to write
def _phone_keys(value: str, region: str) -> frozenset[str]:
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) < 5:
        return frozenset()
    keys = set()
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        keys.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
        keys.add(str(number.national_number))
    elif not value.strip().startswith("+"):
        # No country to read it by: its digits without a trunk 0 compare to national numbers.
        keys.add(digits.lstrip("0"))
    return frozenset(keys)


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
    """Apply the choices row by row. A job cut short (a worker killed) resumes where it
    stopped: each row is written with its outcome in one transaction."""
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
    pending: list[ContactRecord | RowError] = []
    try:
        for item in detect.parse_contacts(
            Path(job.file.path), mapping=job.mapping or None, progress=_progress_writer(job)
        ):
            pending.append(item)
            if len(pending) >= BATCH:
                writer.apply_batch(pending)
                pending = []
        writer.apply_batch(pending)
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


class RowWriter:
    """Writes a batch of rows in one transaction. The common outcomes — a new person, a skip,
    a row that cannot be read — are decided in Python and written in a few statements per
    batch (bulk inserts, one update of the rows); updates, merges, photos and anything the
    bulk insert refuses go row by row, each in its own savepoint, as before."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.counts: dict[str, int] | None = None
        self.tags: dict[str, Tag] = {}  # what tags_named gives each name, asked once

    def apply_batch(self, items: list[ContactRecord | RowError]) -> None:
        if not items:
            return
        if self.counts is None:  # a resumed job already has outcomes
            _count(self.job)
            self.counts = {o: getattr(self.job, o) for o in ImportRow.Outcome.values}
        rows = {
            row.number: row
            for row in self.job.rows.filter(
                number__in=[item.number for item in items], outcome=""
            ).select_related("matched_person")
        }
        with transaction.atomic():
            # Two workers given the same job (a task delivered twice) never write a row twice:
            # the batch's rows are locked, and a row another worker wrote is left alone.
            claimed = set(
                ImportRow.objects.select_for_update()
                .filter(pk__in=[row.pk for row in rows.values()], outcome="")
                .values_list("pk", flat=True)
            )
            decided: list[ImportRow] = []
            to_create: list[tuple[ImportRow, ContactRecord]] = []
            one_by_one: list[tuple[ImportRow, ContactRecord | RowError]] = []
            for item in items:
                row = rows.get(item.number)
                if row is None or row.pk not in claimed:
                    continue
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
            # In file order: a merge into a contact created earlier in this batch finds them.
            one_by_one.sort(key=lambda pair: pair[0].number)
            for row, item in one_by_one:
                self.apply(row, item)
        for row in [*decided, *(row for row, _ in one_by_one)]:
            if row.outcome:
                self.counts[row.outcome] += 1
        ImportJob.objects.filter(pk=self.job.pk).update(**self.counts)

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
        row.outcome, row.person = outcome, person
        row.message = " ".join(filter(None, [message, *warnings]))[:2000]

    def _create_many(self, pairs, one_by_one) -> list[ImportRow]:
        """New people for these rows in three inserts (people, contact points, tags). A row
        that fails validation fails alone; if the inserts are refused, every row of them
        goes row by row instead, so each one gets its own outcome."""
        built, failed = [], []
        for row, record in pairs:
            try:
                built.append((row, record, *build_person(owner=self.job.owner, record=record)))
            except (ValidationError, ValueError) as error:
                self._decide(row, ImportRow.Outcome.FAILED, None, _reason(error))
                failed.append(row)
        if not built:
            return failed
        # What tags_named gives each record, asked once per distinct name in the batch.
        # Kept across batches; a tag deleted meanwhile makes the insert fail, and the rows
        # then go one by one, where tags_named creates it again.
        tags = self.tags
        for name in dict.fromkeys(_tag_name(n) for _, record, *_ in built for n in record.tags):
            if name and name not in tags:
                tags[name] = tags_named(owner=self.job.owner, names=[name])[0]
        Link = Person.tags.through
        try:
            with transaction.atomic():
                Person.objects.bulk_create([person for _, _, person, _, _ in built])
                ContactPoint.objects.bulk_create(
                    [point for _, _, _, points, _ in built for point in points]
                )
                Link.objects.bulk_create(
                    Link(person_id=person.pk, tag_id=tag_id)
                    for _, record, person, _, _ in built
                    for tag_id in dict.fromkeys(
                        tags[name].pk for name in map(_tag_name, record.tags) if name in tags
                    )
                )
        except DatabaseError:
            logger.warning("Bulk insert for import %s refused; row by row", self.job.pk)
            one_by_one += [(row, record) for row, record, *_ in built]
            return failed
        for row, record, person, _, notes in built:
            self._decide(row, ImportRow.Outcome.CREATED, person, notes, record)
        return failed + [row for row, *_ in built]

    def apply(self, row: ImportRow, item: ContactRecord | RowError) -> None:
        if row.status == ImportRow.Status.ERROR or isinstance(item, RowError):
            reason = row.message or getattr(item, "reason", "")
            self._finish(row, ImportRow.Outcome.FAILED, reason or "This row cannot be read.")
            return
        try:
            with transaction.atomic():
                # Two workers given the same job (a task delivered twice) never write a row twice.
                if not ImportRow.objects.select_for_update().filter(pk=row.pk, outcome="").exists():
                    return
                outcome, person, message = self._write(row, item)
                message = " ".join(filter(None, [message, *item.warnings]))
                row.outcome, row.person, row.message = outcome, person, message[:2000]
                row.save(update_fields=["outcome", "person", "message"])
        except (ValidationError, DatabaseError, ValueError) as error:
            self._finish(row, ImportRow.Outcome.FAILED, _reason(error))

    def _finish(self, row: ImportRow, outcome: str, message: str) -> None:
        row.outcome, row.message = outcome, message[:2000]
        row.save(update_fields=["outcome", "message"])

    def _write(self, row: ImportRow, record: ContactRecord):
        Outcome = ImportRow.Outcome
        target, default = None, ImportStrategy.CREATE_NEW
        if row.status == ImportRow.Status.MATCH:
            if row.matched_row is not None:
                earlier = self.job.rows.filter(number=row.matched_row).values("person_id")
                target = Person.objects.for_user(self.job.owner).filter(pk__in=earlier).first()
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
        changed, notes = fill_empty(person=target, record=record)
        if action == "merge":
            return Outcome.MERGED, target, notes or f"Same contact as row {row.matched_row}."
        if not changed:
            return Outcome.SKIPPED, target, notes or "Nothing new to add."
        return Outcome.UPDATED, target, notes


def _write_outcomes(rows: list[ImportRow]) -> None:
    """Each row's outcome, person and message in one UPDATE … FROM (VALUES …): Django's
    bulk_update builds a CASE per row and field, which costs more than the import itself."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        ImportRow.objects.bulk_update(rows, ["outcome", "person", "message"])
        return
    table = connection.ops.quote_name(ImportRow._meta.db_table)
    values = ", ".join(["(%s::bigint, %s::varchar, %s::bigint, %s::text)"] * len(rows))
    params = [p for row in rows for p in (row.pk, row.outcome, row.person_id, row.message)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS r SET outcome = v.outcome, person_id = v.person_id, "
            f"message = v.message FROM (VALUES {values}) AS v(id, outcome, person_id, message) "
            "WHERE r.id = v.id",
            params,
        )


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or error.__class__.__name__


_UNREADABLE = "This row cannot be read."


def _tag_name(name: str) -> str:
    return " ".join(name.split())


def build_person(*, owner, record: ContactRecord) -> tuple[Person, list[ContactPoint], str]:
    """A new person from an imported contact, validated but not saved, with their contact
    points (also unsaved) and what was left out, in words. Imported people start without a
    rhythm (acquaintances), so an address book of hundreds does not turn into hundreds of
    nudges. Raises ValueError or ValidationError for a contact that cannot be a person."""
    notes = []
    name = " ".join(record.full_name.split()) or _fallback_name(record)
    if not name:
        raise ValueError("This contact has no name, email or phone to call them by.")
    birthday, birthday_note = _birthday(record)
    notes += [birthday_note] if birthday_note else []
    person = Person(
        owner=owner,
        full_name=_fit("full_name", name),
        circle=Circle.ACQUAINTANCE,
        nickname=_fit("nickname", record.nickname),
        organisation=_fit("organisation", record.organisation),
        job_title=_fit("job_title", record.job_title),
        story=_story(record),
        how_we_met=record.how_we_met.strip(),
        external_uid=_fit("external_uid", record.uid.strip()),
        **birthday,
    )
    # As create_person validates, minus the database round trips a 20,000-row import cannot
    # afford per row: the owner is known, and the birthday was checked above.
    person.full_clean(exclude=["owner", "photo"], validate_constraints=False)
    person.cadence_days = CIRCLE_CADENCE_DAYS[Circle(person.circle)]  # as Person.save does
    points, point_notes = _new_points(person=person, record=record, existing=set())
    return person, points, " ".join(notes + point_notes)


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


def fill_empty(*, person: Person, record: ContactRecord) -> tuple[bool, str]:
    """Fill only the person's empty fields, and add contact points and tags they lack."""
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
    if changed_fields:
        person.full_clean(exclude=["photo"])
        person.save(update_fields=[*changed_fields, "updated_at"])
    existing = {(p.kind, p.normalized) for p in person.contact_points.all()}
    existing |= {
        ("phone-key", key)
        for p in person.contact_points.all()
        if p.kind == ContactPoint.Kind.PHONE
        for key in phone_keys(p.value)
    }
    before = len(existing)
    notes += _add_points(person=person, record=record, existing=existing)
    added_points = len(existing) > before
    had_tags = set(person.tags.values_list("id", flat=True))
    new_tags = [
        t for t in tags_named(owner=person.owner, names=record.tags) if t.pk not in had_tags
    ]
    person.tags.add(*new_tags)
    photo_notes = [] if person.photo else _attach_photo(person=person, record=record)
    notes += photo_notes
    added_photo = bool(record.photo) and not photo_notes and bool(person.photo)
    changed = bool(changed_fields or added_points or new_tags or added_photo)
    return changed, " ".join(notes)


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
    notes, points = [], []
    for point in record.contact_points:
        value = point.value.strip()
        if not value:
            continue
        if point.kind not in ContactPoint.Kind.values:
            notes.append(f"A {point.kind} ({value[:60]}) has no place in Tend and was left out.")
            continue
        keys = {(point.kind, normalize_contact_value(point.kind, value))}
        if point.kind == ContactPoint.Kind.PHONE:
            keys |= {("phone-key", key) for key in phone_keys(value)}
        if keys & existing:
            continue
        contact = ContactPoint(
            person=person, kind=point.kind, label=point.label.strip()[:60], value=value[:500]
        )
        contact.full_clean(exclude=["person"])
        contact.normalized = normalize_contact_value(contact.kind, contact.value)  # as save()
        points.append(contact)
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
