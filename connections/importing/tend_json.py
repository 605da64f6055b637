"""Restoring a Tend JSON export (docs/export-format.md) into an account.

The whole document is checked before anything is written: an unknown `format_version`, a
missing or mistyped key, or a reference to nothing rejects the file with the place and the
reason. Then everything is written in one transaction through the domain functions, with the
fields only a restore may set (when something was created, achieved, resolved) set as they were.
Restoring into an empty account reproduces the export exactly. Restoring into an account that
already has people adds the exported people beside them: it is a restore, not a de-duplicating
import. Tags and values with the same name are shared.
"""

import base64
import binascii
import io
import json
import secrets
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from PIL import Image, UnidentifiedImageError

from connections.exporting import FORMAT_VERSION, PERSON_FIELDS
from connections.importing.records import NotAContactFile
from connections.interactions import log_interaction
from connections.models import (
    PHOTO_MAX_BYTES,
    Goal,
    Interaction,
    Milestone,
    Nudge,
    Person,
    Reflection,
)
from connections.people import add_relationship, create_person, set_contact_points, tags_named
from connections.reflections import add_reflection
from connections.values import add_person_value, value_named

PHOTO_EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}


class InvalidTendExport(NotAContactFile):
    """The file is not a Tend JSON export this version can restore; nothing was written."""


class _Bad(Exception):
    pass


REQUIRED = object()


# --- checking the document --------------------------------------------------------------------


def _text(value):
    if not isinstance(value, str):
        raise _Bad("should be text")
    return value


def _integer(value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad("should be a whole number")
    return value


def _boolean(value):
    if not isinstance(value, bool):
        raise _Bad("should be true or false")
    return value


def _date(value):
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise _Bad("should be a date like 2026-11-28") from None


def _datetime(value):
    try:
        parsed = datetime.fromisoformat(_text(value))
    except ValueError:
        raise _Bad("should be a date and time like 2026-11-28T09:30:00+00:00") from None
    if parsed.tzinfo is None:
        raise _Bad("needs a timezone offset, like +00:00")
    return parsed


def _texts(value):
    if not isinstance(value, list):
        raise _Bad("should be a list")
    return [_text(item) for item in value]


def _integers(value):
    if not isinstance(value, list):
        raise _Bad("should be a list")
    return [_integer(item) for item in value]


def _optional(convert: Callable) -> Callable:
    def check(value):
        return None if value is None else convert(value)

    return check


def _photo(value):
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("data"), str):
        raise _Bad("should be null or an object with content_type and data")
    try:
        data = base64.b64decode(value["data"], validate=True)
    except (binascii.Error, ValueError):
        raise _Bad("data is not base64") from None
    if len(data) > PHOTO_MAX_BYTES:
        raise _Bad("is over 5 MB")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _Bad("is not an image Tend can read") from None
    if image_format not in PHOTO_EXTENSIONS:
        raise _Bad("should be a JPEG, PNG, GIF or WebP image")
    return data, PHOTO_EXTENSIONS[image_format]


def _records(spec: dict, name: Callable[[dict], str] | None = None) -> Callable:
    """A list of objects, each checked against `spec` (key → (convert, default))."""

    def check(value, where: str):
        if not isinstance(value, list):
            raise InvalidTendExport(f"{where} should be a list.")
        return [_record(item, spec, f"{where} #{n}", name) for n, item in enumerate(value, 1)]

    return check


def _record(item, spec: dict, where: str, name: Callable[[dict], str] | None = None) -> dict:
    if not isinstance(item, dict):
        raise InvalidTendExport(f"{where} should be an object.")
    if name and isinstance(item.get("full_name"), str):
        where = f"{where} ({name(item)})"
    cleaned = {}
    for key, (convert, default) in spec.items():
        if key not in item:
            if default is REQUIRED:
                raise InvalidTendExport(f"{where} has no “{key}”.")
            cleaned[key] = default() if callable(default) else default
            continue
        try:
            if isinstance(convert, tuple):  # nested records
                cleaned[key] = convert[0](item[key], f"{where} {key}")
            else:
                cleaned[key] = convert(item[key])
        except _Bad as error:
            raise InvalidTendExport(f"{where}: “{key}” {error}.") from None
    return cleaned


MILESTONE = {
    "ref": (_text, REQUIRED),
    "title": (_text, REQUIRED),
    "due_on": (_optional(_date), None),
    "done_on": (_optional(_date), None),
}
GOAL = {
    "ref": (_text, REQUIRED),
    "title": (_text, REQUIRED),
    "notes": (_text, ""),
    "target_date": (_optional(_date), None),
    "status": (_text, "active"),
    "achieved_on": (_optional(_date), None),
    "created_at": (_optional(_datetime), None),
    "milestones": ((_records(MILESTONE),), list),
}
PERSON = {
    "ref": (_text, REQUIRED),
    "full_name": (_text, REQUIRED),
    "nickname": (_text, ""),
    "pronouns": (_text, ""),
    "birthday_day": (_optional(_integer), None),
    "birthday_month": (_optional(_integer), None),
    "birthday_year": (_optional(_integer), None),
    "how_we_met": (_text, ""),
    "story": (_text, ""),
    "preferred_channel": (_text, ""),
    "connect_notes": (_text, ""),
    "organisation": (_text, ""),
    "job_title": (_text, ""),
    "circle": (_text, "close"),
    "cadence_days": (_optional(_integer), None),
    "cadence_is_custom": (_boolean, False),
    "paused": (_boolean, False),
    "archived_at": (_optional(_datetime), None),
    "created_at": (_optional(_datetime), None),
    "last_interaction_at": (_optional(_datetime), None),
    "photo": (_photo, None),
    "tags": (_texts, list),
    "contact_points": (
        (_records({"kind": (_text, REQUIRED), "label": (_text, ""), "value": (_text, REQUIRED)}),),
        list,
    ),
    "values": ((_records({"name": (_text, REQUIRED), "note": (_text, "")}),), list),
    "goals": ((_records(GOAL),), list),
    "relationships": ((_records({"kind": (_text, REQUIRED), "of": (_text, REQUIRED)}),), list),
}
INTERACTION = {
    "ref": (_text, REQUIRED),
    "occurred_at": (_datetime, REQUIRED),
    "kind": (_text, REQUIRED),
    "duration_minutes": (_optional(_integer), None),
    "what_i_heard": (_text, ""),
    "what_i_shared": (_text, ""),
    "connection_rating": (_optional(_integer), None),
    "created_at": (_optional(_datetime), None),
    "people": (_texts, REQUIRED),
    "topics": (_texts, list),
}
NUDGE = {
    "person": (_text, REQUIRED),
    "kind": (_text, REQUIRED),
    "reason": (_text, ""),
    "due_on": (_date, REQUIRED),
    "status": (_text, "open"),
    "occasion_on": (_optional(_date), None),
    "snooze_count": (_integer, 0),
    "created_at": (_optional(_datetime), None),
    "resolved_at": (_optional(_datetime), None),
    "interaction": (_optional(_text), None),
    "goal": (_optional(_text), None),
    "milestone": (_optional(_text), None),
}
REFLECTION = {
    "written_on": (_date, REQUIRED),
    "topic": (_text, "other"),
    "body": (_text, REQUIRED),
    "created_at": (_optional(_datetime), None),
}
USER = {
    "display_name": (_text, None),
    "timezone": (_text, None),
    "nudge_hour": (_integer, None),
    "quiet_weekdays": (_integers, None),
    "daily_nudge_limit": (_integer, None),
    "weekly_email_weekday": (_integer, None),
    "email_nudges_enabled": (_boolean, None),
    "birthday_notice_days": (_integer, None),
}
VALUE = {"name": (_text, REQUIRED), "is_mine": (_boolean, False), "note": (_text, "")}


def _load(path: Path) -> dict:
    try:
        with path.open("rb") as file:
            document = json.load(file)
    except UnicodeDecodeError:
        raise InvalidTendExport("This file is not UTF-8 text, so not a Tend export.") from None
    except json.JSONDecodeError as error:
        raise InvalidTendExport(
            f"This is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}."
        ) from None
    if not isinstance(document, dict) or "format_version" not in document:
        raise InvalidTendExport("This JSON is not a Tend export: it has no format_version.")
    version = document["format_version"]
    if version != FORMAT_VERSION:
        raise InvalidTendExport(
            f"This export has format_version {version!r}; this Tend restores version "
            f"{FORMAT_VERSION} only."
        )
    return document


def check_document(document: dict) -> dict:
    """The document with every record checked and its dates parsed; raises InvalidTendExport."""
    user = _record(document.get("user") or {}, USER, "user")
    checked = {
        "user": {key: value for key, value in user.items() if value is not None},
        "values": _records(VALUE)(document.get("values", []), "values"),
        "tags": [],
        "people": _records(PERSON, name=lambda item: item["full_name"])(
            document.get("people", []), "people"
        ),
        "interactions": _records(INTERACTION)(document.get("interactions", []), "interactions"),
        "nudges": _records(NUDGE)(document.get("nudges", []), "nudges"),
        "reflections": _records(REFLECTION)(document.get("reflections", []), "reflections"),
    }
    try:
        checked["tags"] = _texts(document.get("tags", []))
    except _Bad as error:
        raise InvalidTendExport(f"tags {error}.") from None
    _check_references(checked)
    return checked


def _check_references(document: dict) -> None:
    def unique(refs: list[str], what: str) -> set[str]:
        seen = set()
        for ref in refs:
            if ref in seen:
                raise InvalidTendExport(f"Two {what} have the reference “{ref}”.")
            seen.add(ref)
        return seen

    people = unique([person["ref"] for person in document["people"]], "people")
    goals = [goal for person in document["people"] for goal in person["goals"]]
    goal_refs = unique([goal["ref"] for goal in goals], "goals")
    milestone_refs = unique(
        [milestone["ref"] for goal in goals for milestone in goal["milestones"]], "milestones"
    )
    interactions = unique(
        [interaction["ref"] for interaction in document["interactions"]], "interactions"
    )

    def known(ref: str | None, refs: set[str], where: str) -> None:
        if ref is not None and ref not in refs:
            raise InvalidTendExport(f"{where} refers to “{ref}”, which is not in the file.")

    for n, person in enumerate(document["people"], 1):
        for relationship in person["relationships"]:
            known(relationship["of"], people, f"people #{n} relationships")
    for n, interaction in enumerate(document["interactions"], 1):
        if not interaction["people"]:
            raise InvalidTendExport(f"interactions #{n} has no people.")
        for ref in interaction["people"]:
            known(ref, people, f"interactions #{n}")
    for n, nudge in enumerate(document["nudges"], 1):
        known(nudge["person"], people, f"nudges #{n}")
        known(nudge["interaction"], interactions, f"nudges #{n}")
        known(nudge["goal"], goal_refs, f"nudges #{n}")
        known(nudge["milestone"], milestone_refs, f"nudges #{n}")


# --- restoring --------------------------------------------------------------------------------


def import_tend_json(*, user, path: Path) -> dict[str, int]:
    """Restore a Tend JSON export into `user`'s account, all or nothing; returns counts."""
    document = check_document(_load(path))
    written_photos: list[Person] = []
    try:
        with transaction.atomic():
            return _restore(user=user, document=document, written_photos=written_photos)
    except BaseException as error:
        # The rows are rolled back; the photo files written on the way must go too.
        for person in written_photos:
            person.photo.storage.delete(person.photo.name)
        if isinstance(error, IntegrityError):
            raise InvalidTendExport(f"The file contradicts itself: {error}") from None
        raise


class _Where:
    """Names the record being written, so a rule it breaks is reported with its place."""

    def __init__(self, where: str):
        self.where = where

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, ValidationError):
            raise InvalidTendExport(f"{self.where}: {_describe(error)}") from None
        if isinstance(error, ValueError | PermissionError):
            raise InvalidTendExport(f"{self.where}: {error}") from None
        return False


def _describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(
        " ".join(messages) if field == "__all__" else f"{field}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )


def _restore(*, user, document: dict, written_photos: list[Person]) -> dict[str, int]:
    counts = dict.fromkeys(
        [
            "people",
            "contact_points",
            "values",
            "tags",
            "goals",
            "milestones",
            "relationships",
            "interactions",
            "nudges",
            "reflections",
        ],
        0,
    )
    with _Where("user"):
        for field, value in document["user"].items():
            setattr(user, field, value)
        user.full_clean(exclude=["password", "email", "last_login"])
        user.save(update_fields=list(document["user"]))

    for n, data in enumerate(document["values"], 1):
        with _Where(f"values #{n}"):
            value = value_named(owner=user, name=data["name"])
            value.is_mine = value.is_mine or data["is_mine"]
            value.note = value.note or data["note"]
            value.full_clean()
            value.save()
        counts["values"] += 1
    counts["tags"] = len(tags_named(owner=user, names=document["tags"]))

    people: dict[str, Person] = {}
    goals: dict[str, Goal] = {}
    milestones: dict[str, Milestone] = {}
    for n, data in enumerate(document["people"], 1):
        with _Where(f"people #{n} ({data['full_name']})"):
            person = _restore_person(user=user, data=data, written_photos=written_photos)
        people[data["ref"]] = person
        counts["people"] += 1
        counts["contact_points"] += len(data["contact_points"])
        for goal_data in data["goals"]:
            with _Where(f"people #{n} goal “{goal_data['title']}”"):
                goal = _restore_goal(person=person, data=goal_data)
            goals[goal_data["ref"]] = goal
            counts["goals"] += 1
            for milestone_data in goal_data["milestones"]:
                with _Where(f"people #{n} milestone “{milestone_data['title']}”"):
                    milestone = Milestone(
                        goal=goal,
                        title=milestone_data["title"],
                        due_on=milestone_data["due_on"],
                        done_on=milestone_data["done_on"],
                    )
                    milestone.full_clean()
                    milestone.save()
                milestones[milestone_data["ref"]] = milestone
                counts["milestones"] += 1

    for n, data in enumerate(document["people"], 1):
        for relationship in data["relationships"]:
            with _Where(f"people #{n} relationship"):
                add_relationship(
                    person=people[relationship["of"]],
                    other=people[data["ref"]],
                    kind=relationship["kind"],
                )
            counts["relationships"] += 1

    interactions: dict[str, Interaction] = {}
    for n, data in enumerate(document["interactions"], 1):
        with _Where(f"interactions #{n}"):
            interaction = log_interaction(
                owner=user,
                people=[people[ref] for ref in dict.fromkeys(data["people"])],
                kind=data["kind"],
                occurred_at=data["occurred_at"],
                what_i_heard=data["what_i_heard"],
                what_i_shared=data["what_i_shared"],
                duration_minutes=data["duration_minutes"],
                connection_rating=data["connection_rating"],
                topic_names=data["topics"],
            )
        _restore_created_at(interaction, data["created_at"])
        interactions[data["ref"]] = interaction
        counts["interactions"] += 1

    # Logging moved last contact forward; the export says what it was (merges can differ).
    for data in document["people"]:
        Person.objects.filter(pk=people[data["ref"]].pk).update(
            last_interaction_at=data["last_interaction_at"]
        )

    for n, data in enumerate(document["nudges"], 1):
        with _Where(f"nudges #{n}"):
            nudge = Nudge(
                owner=user,
                person=people[data["person"]],
                kind=data["kind"],
                reason=data["reason"],
                due_on=data["due_on"],
                status=data["status"],
                occasion_on=data["occasion_on"],
                interaction=interactions.get(data["interaction"]),
                goal=goals.get(data["goal"]),
                milestone=milestones.get(data["milestone"]),
                snooze_count=data["snooze_count"],
                resolved_at=data["resolved_at"],
            )
            if data["created_at"]:
                nudge.created_at = data["created_at"]
            nudge.full_clean()
            nudge.save()
        counts["nudges"] += 1

    for n, data in enumerate(document["reflections"], 1):
        with _Where(f"reflections #{n}"):
            reflection = add_reflection(
                owner=user, body=data["body"], topic=data["topic"], written_on=data["written_on"]
            )
        _restore_created_at(reflection, data["created_at"])
        counts["reflections"] += 1
    return counts


def _restore_person(*, user, data: dict, written_photos: list[Person]) -> Person:
    # Every exported field but the name (passed on its own) and created_at (only when set).
    restored = [key for key in PERSON_FIELDS if key not in ("full_name", "created_at")]
    fields = {key: data[key] for key in restored}
    if data["created_at"]:
        fields["created_at"] = data["created_at"]
    if data["photo"]:
        content, extension = data["photo"]
        fields["photo"] = ContentFile(content, name=f"{secrets.token_hex(8)}{extension}")
    person = create_person(
        owner=user, full_name=data["full_name"], tag_names=data["tags"], **fields
    )
    if person.photo:
        written_photos.append(person)
    set_contact_points(person=person, points=data["contact_points"])
    for value in data["values"]:
        add_person_value(person=person, name=value["name"], note=value["note"])
    return person


def _restore_goal(*, person: Person, data: dict) -> Goal:
    # Not goals.set_goal_status: a restored achievement must not celebrate again.
    goal = Goal(
        person=person,
        title=data["title"],
        notes=data["notes"],
        target_date=data["target_date"],
        status=data["status"],
        achieved_on=data["achieved_on"],
    )
    goal.full_clean()
    goal.save()
    _restore_created_at(goal, data["created_at"])
    return goal


def _restore_created_at(obj: Interaction | Goal | Reflection, created_at: datetime | None) -> None:
    """`created_at` is set on insert; a restore puts back the original moment."""
    if created_at is not None:
        type(obj).objects.filter(pk=obj.pk).update(created_at=created_at)
        obj.created_at = created_at
