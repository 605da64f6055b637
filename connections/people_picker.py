"""Choosing people in a form without listing them all: a search box with suggestions.

`PeopleField` validates what was submitted by looking up only those ids (and any names typed
into the box) among the user's own people, so a form never builds a choice list of everyone.
`PeoplePicker` renders only the chosen people, as ticked checkboxes, and the box; with
JavaScript, typing asks `people_pick` (GET /people/pick/) for a few matches to choose from.
Without it, names typed into the box, separated by commas, are matched on submit.
"""

import re
import unicodedata
from collections import defaultdict

from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from connections.models import Person, Relationship
from connections.templatetags.tend import relative_day

SUGGESTIONS = 8
MAX_NAMES = 30
MAX_TEXT = 2000
SEARCH_SUFFIX = "_q"

# Both databases (PostgreSQL's ~ and SQLite's Python-backed REGEXP) understand this subset:
# character classes, anchors, groups, \s, and a backslash before a special character.
_SPECIAL = set("\\^$.|?*+()[]{}")


def _latin_variants() -> dict[str, str]:
    """Each ASCII letter with its accented forms in both cases: 'e' → 'eEéÉèÈ…'."""
    groups: dict[str, set[str]] = defaultdict(set)
    for code in range(ord("a"), ord("z") + 1):
        groups[chr(code)].update({chr(code), chr(code).upper()})
    for code in range(0x00C0, 0x0250):  # Latin-1 Supplement, Latin Extended-A and -B
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0].lower()
        if base in groups and char != base:
            groups[base].add(char)
    return {base: "".join(sorted(chars)) for base, chars in groups.items()}


_VARIANTS = _latin_variants()


def _char_pattern(char: str, *, accents: bool) -> str:
    if char.isspace():
        return r"\s+"
    base = unicodedata.normalize("NFD", char)[0].lower()
    if accents and base in _VARIANTS:
        return f"[{_VARIANTS[base]}]"
    cases = sorted({char, char.lower(), char.upper()} - {""})
    if len(cases) > 1 and all(len(c) == 1 for c in cases):
        return f"[{''.join(cases)}]"
    return f"\\{char}" if char in _SPECIAL else char


def name_pattern(text: str, *, accents: bool) -> str:
    """A regular expression for `text`, ignoring case (and accents, if asked), that PostgreSQL
    and SQLite both run the same way, whatever the database's locale."""
    words = " ".join(text.split())
    return "".join(
        _char_pattern(char, accents=accents)
        for char in words
        if not unicodedata.category(char).startswith("C")
    )


def last_segment(text: str) -> str:
    """The name being typed: what follows the last comma."""
    return text.rsplit(",", 1)[-1].strip()[:100]


def typed_names(text: str) -> list[str]:
    """Names typed into the box, separated by commas, without blanks or repeats."""
    names: dict[str, str] = {}
    for part in text.split(","):
        name = " ".join(part.split())
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def pick_candidates(
    *, user, text: str, exclude=(), unconnected_to: int | None = None, limit: int = SUGGESTIONS
) -> list[Person]:
    """The user's active people whose name or nickname contains `text` (ignoring case and
    accents), names that start with it first, then alphabetically; at most `limit`. With
    `unconnected_to`, people already related to that person are left out."""
    text = " ".join(text.split())
    if not text:
        return []
    pattern = name_pattern(text, accents=True)
    word_start = f"(^|[- ]){pattern}"
    people = (
        Person.objects.for_user(user)
        .active()
        .exclude(pk__in=[pk for pk in exclude if pk is not None])
        .exclude(_connected_to(user, unconnected_to))
        .filter(Q(full_name__regex=pattern) | Q(nickname__regex=pattern))
        .annotate(
            rank=Case(
                When(full_name__regex=f"^{pattern}", then=Value(0)),
                When(full_name__regex=word_start, then=Value(1)),
                When(nickname__regex=word_start, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "full_name", "pk")
        .only("pk", "full_name", "nickname", "organisation", "last_interaction_at")
    )
    return list(people[:limit])


def _connected_to(user, person_id: int | None) -> Q:
    """The people related to the user's person `person_id`, either way round."""
    if person_id is None:
        return Q(pk__in=[])
    ties = Relationship.objects.filter(from_person__owner=user)
    return Q(pk__in=ties.filter(to_person_id=person_id).values("from_person_id")) | Q(
        pk__in=ties.filter(from_person_id=person_id).values("to_person_id")
    )


def people_named(
    *, user, names: list[str], keep=(), unconnected_to: int | None = None
) -> dict[str, list[Person]]:
    """For each typed name, the user's people called exactly that (ignoring case and extra
    spaces): active ones, and any in `keep` (an archived person already chosen). Where a name
    fits several people and some are not yet related to `unconnected_to`, only those."""
    if not names:
        return {}
    patterns = {name: f"^\\s*{name_pattern(name, accents=False)}\\s*$" for name in names}
    matches = Q()
    for pattern in patterns.values():
        matches |= Q(full_name__regex=pattern)
    found = list(
        Person.objects.for_user(user)
        .filter(Q(archived_at__isnull=True) | Q(pk__in=list(keep)))
        .filter(matches)
        .annotate(connected=_connected_to(user, unconnected_to))
        .only("pk", "full_name", "nickname", "organisation", "last_interaction_at")
        .order_by("full_name", "pk")
    )
    named = {}
    for name, pattern in patterns.items():
        people = [person for person in found if re.match(pattern, person.full_name)]
        unconnected = [person for person in people if not person.connected]
        named[name] = unconnected if len(people) > 1 and unconnected else people
    return named


def _ids(values) -> tuple[list[int], bool]:
    """Submitted ids as integers, and whether any was not a number."""
    ids, bad = [], False
    for value in values:
        value = str(value).strip()
        if value.isdigit() and len(value) < 19:
            if int(value) not in ids:
                ids.append(int(value))
        elif value:
            bad = True
    return ids, bad


def person_hint(person: Person, *, last_contact: bool = False) -> str:
    """A few words that tell two people of the same name apart: where they work, what you
    call them, or (for choosing among several) when you last talked."""
    if person.organisation or person.nickname:
        return person.organisation or person.nickname
    if last_contact and person.last_interaction_at:
        return f"last contact {relative_day(person.last_interaction_at)}"
    return ""


class PeoplePicker(forms.Widget):
    """The chosen people as ticked checkboxes, then a box to find more (see module doc)."""

    template_name = "connections/partials/people_picker.html"

    def __init__(self, attrs=None, *, multiple=True):
        super().__init__(attrs)
        self.multiple = multiple
        self.user = None
        self.exclude = None
        self.unconnected_to = None
        self.keep = ()

    def use_required_attribute(self, initial):
        # The box may rightly stay empty once people are chosen; the field says what is missing.
        return False

    def value_from_datadict(self, data, files, name):
        ids = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
        if isinstance(ids, str | int):
            ids = [ids]
        return {"ids": list(ids), "text": data.get(name + SEARCH_SUFFIX, "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + SEARCH_SUFFIX not in data

    def format_value(self, value):
        """The widget's value as {"ids", "text", "people"}, from submitted data or initial."""
        if isinstance(value, dict):
            return {"ids": value.get("ids", []), "text": value.get("text", ""), "people": None}
        if value in (None, ""):
            value = []
        if not isinstance(value, list | tuple):
            value = [value]
        if all(isinstance(item, Person) for item in value):
            return {"ids": [p.pk for p in value], "text": "", "people": list(value)}
        return {"ids": list(value), "text": "", "people": None}

    def _chosen(self, value: dict) -> list[Person]:
        if value["people"] is not None:
            return value["people"]
        ids, _ = _ids(value["ids"])
        if not ids or self.user is None:
            return []
        found = {
            p.pk: p
            for p in Person.objects.for_user(self.user)
            .filter(pk__in=ids)
            .only("pk", "full_name", "nickname", "organisation", "last_interaction_at")
        }
        return [found[pk] for pk in ids if pk in found]

    def _which(self, text: str, chosen: list[Person]) -> list[tuple[str, list[Person]]]:
        """Typed names that fit several people and none of them is chosen yet."""
        names = typed_names(text)[:MAX_NAMES]
        if not names or self.user is None:
            return []
        chosen_ids = {p.pk for p in chosen}
        return [
            (name, people)
            for name, people in people_named(
                user=self.user, names=names, keep=self.keep, unconnected_to=self.unconnected_to
            ).items()
            if len(people) > 1 and not chosen_ids & {p.pk for p in people}
        ]

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        final_attrs = self.build_attrs(self.attrs, attrs)
        box_id = final_attrs.pop("id", None) or f"id_{name}"
        chosen = self._chosen(value)
        query = {"name": name, "for": box_id}
        if self.exclude is not None:
            query["exclude"] = self.exclude
        if self.unconnected_to is not None:
            query["unconnected_to"] = self.unconnected_to
        context = {
            "name": name,
            "box_name": name + SEARCH_SUFFIX,
            "box_id": box_id,
            "box_attrs": mark_safe(flatatt(final_attrs)),
            "text": value["text"],
            "multiple": self.multiple,
            "chosen": [(p, person_hint(p)) for p in chosen],
            "which": [
                (typed, [(p, person_hint(p, last_contact=True)) for p in people])
                for typed, people in self._which(value["text"], chosen)
            ],
            "url": f"{reverse('people_pick')}?{urlencode(query)}",
        }
        return render_to_string(f"{self.template_name}#picker", context)


class PeopleField(forms.Field):
    """One person (`multiple=False`) or several, from the user's own people, by id or by
    exact name. Call `for_user` before validating; it cleans to a Person, or a list of them."""

    widget = PeoplePicker
    default_error_messages = {
        "required": "Choose at least one person.",
        "invalid_choice": "Choose people from your list.",
        "unknown_name": "No one in your people is called “%(name)s”. Check the spelling, "
        "or add them first.",
        "ambiguous_name": "%(count)s people are called “%(name)s”: tick the one you mean.",
        "too_many_names": "Type at most %(max)s names at once.",
        "one_only": "Choose just one person.",
    }

    def __init__(self, *, multiple: bool = True, **kwargs):
        self.multiple = multiple
        kwargs.setdefault("widget", PeoplePicker(multiple=multiple))
        super().__init__(**kwargs)
        self.user = None
        self.keep: tuple[int, ...] = ()

    def for_user(
        self, user, *, exclude: int | None = None, unconnected_to: int | None = None, keep=()
    ) -> None:
        """Scope to `user`'s people; `exclude` (the page's person) is left out of suggestions,
        and so are people already related to `unconnected_to`; `keep` are ids allowed even
        when archived (people already in an interaction)."""
        self.user = user
        self.keep = tuple(keep)
        self.widget.user, self.widget.exclude, self.widget.keep = user, exclude, self.keep
        self.widget.unconnected_to = unconnected_to

    def to_python(self, value):
        if not isinstance(value, dict):
            value = self.widget.format_value(value)
        return value

    def validate(self, value):
        pass

    def clean(self, value):
        value = self.to_python(value)
        # People given as initial are already known; submitted ids and names are looked up.
        people = value["people"] if value.get("people") is not None else self._resolve(value)
        if not people and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if not self.multiple:
            if len(people) > 1:
                raise forms.ValidationError(self.error_messages["one_only"], code="one_only")
            return people[0] if people else None
        return people

    def _resolve(self, value: dict) -> list[Person]:
        ids, bad = _ids(value["ids"])
        text = str(value.get("text", ""))[:MAX_TEXT]
        names = typed_names(text)
        if bad:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid")
        if len(names) > MAX_NAMES:
            raise forms.ValidationError(
                self.error_messages["too_many_names"], code="too_many", params={"max": MAX_NAMES}
            )
        if self.user is None:
            raise RuntimeError("Call PeopleField.for_user(user) before validating.")
        people = []
        if ids:
            allowed = Person.objects.for_user(self.user).filter(
                Q(archived_at__isnull=True) | Q(pk__in=list(self.keep))
            )
            found = {p.pk: p for p in allowed.filter(pk__in=ids)}
            if len(found) < len(ids):
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid")
            people = [found[pk] for pk in ids]
        errors = []
        named = people_named(
            user=self.user, names=names, keep=self.keep, unconnected_to=self.widget.unconnected_to
        )
        for name, matches in named.items():
            already = [p for p in matches if p in people]
            if already:
                continue
            if not matches:
                errors.append(
                    forms.ValidationError(
                        self.error_messages["unknown_name"], code="unknown", params={"name": name}
                    )
                )
            elif len(matches) > 1:
                errors.append(
                    forms.ValidationError(
                        self.error_messages["ambiguous_name"],
                        code="ambiguous",
                        params={"name": name, "count": len(matches)},
                    )
                )
            else:
                people.append(matches[0])
        if errors:
            raise forms.ValidationError(errors)
        return people
