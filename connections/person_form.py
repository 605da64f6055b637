"""The add / edit person form: who they are, how you connect, their story, and how to reach them."""

import calendar
import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, URLValidator, validate_email
from django.db import transaction
from django.forms.utils import ErrorDict, ErrorList
from django.utils import timezone

from connections.models import (
    CIRCLE_CADENCE_DAYS,
    Circle,
    ContactPoint,
    InteractionKind,
    Person,
    Value,
    validate_photo_size,
)
from connections.people import create_person, set_contact_points, update_person
from connections.values import set_person_values

PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]
PHONE_CHARACTERS = re.compile(r"^[+\d\s().\-/]+$")
# Empty rows a new person starts with, one of each common kind.
STARTER_KINDS = [ContactPoint.Kind.EMAIL, ContactPoint.Kind.PHONE, ContactPoint.Kind.WEBSITE]
CONTACT_PREFIX = "contacts"


def circle_choices() -> list[tuple[str, str]]:
    """Circles labelled with the rhythm they bring: "Inner circle — every 7 days"."""
    choices = []
    for circle in Circle:
        days = CIRCLE_CADENCE_DAYS[circle]
        rhythm = f"every {days} days" if days else "no regular rhythm"
        choices.append((circle.value, f"{circle.label} — {rhythm}"))
    return choices


def split_names(text: str) -> list[str]:
    return [name for name in (" ".join(part.split()) for part in text.split(",")) if name]


class PersonForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={"required": "Enter their name."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    nickname = forms.CharField(
        label="What you call them", max_length=100, required=False, help_text="A nickname."
    )
    pronouns = forms.CharField(
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "she/her, he/him, they/them…"}),
    )
    photo = forms.ImageField(
        required=False,
        validators=[FileExtensionValidator(PHOTO_EXTENSIONS), validate_photo_size],
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text="A JPEG, PNG, GIF or WebP image under 5 MB. Only you can see it.",
        error_messages={
            "invalid_image": "That file is not a photo Tend can read. Choose a JPEG, PNG, GIF "
            "or WebP image.",
            "invalid_extension": "Choose a JPEG, PNG, GIF or WebP image.",
        },
    )
    remove_photo = forms.BooleanField(label="Remove the photo", required=False)
    birthday_day = forms.TypedChoiceField(
        label="Day",
        choices=[("", "Day")] + [(day, day) for day in range(1, 32)],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a day from the list."},
    )
    birthday_month = forms.TypedChoiceField(
        label="Month",
        choices=[("", "Month")] + [(m, calendar.month_name[m]) for m in range(1, 13)],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a month from the list."},
    )
    birthday_year = forms.IntegerField(
        label="Year",
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": "e.g. 1988", "inputmode": "numeric"}),
        error_messages={"invalid": "Enter the year as four digits, like 1990."},
    )
    circle = forms.ChoiceField(
        choices=circle_choices,
        initial=Circle.CLOSE,
        help_text="Tend nudges you when it has been longer than this since you were in touch.",
    )
    custom_cadence = forms.IntegerField(
        label="Or your own rhythm: every … days",
        required=False,
        min_value=1,
        max_value=730,
        widget=forms.NumberInput(attrs={"placeholder": "e.g. 14", "inputmode": "numeric"}),
        help_text="Leave empty to follow the circle.",
        error_messages={
            "min_value": "Choose between 1 and 730 days.",
            "max_value": "Choose between 1 and 730 days.",
            "invalid": "Enter a whole number of days, like 14.",
        },
    )
    paused = forms.BooleanField(
        label="Pause nudges for them", required=False, help_text="They stay in your lists."
    )
    preferred_channel = forms.ChoiceField(
        label="Prefers to connect by",
        choices=[("", "No preference")] + InteractionKind.choices,
        required=False,
    )
    connect_notes = forms.CharField(
        label="How they like to connect",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "Evenings after the kids are asleep; in Portuguese…"}
        ),
        help_text="Time of day, language, cultural notes.",
    )
    how_we_met = forms.CharField(
        label="How we met", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    story = forms.CharField(
        label="Their story",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What shaped them: places, people, turning points.",
    )
    organisation = forms.CharField(max_length=200, required=False)
    job_title = forms.CharField(label="Title", max_length=200, required=False)
    tags = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Separate with commas: book club, neighbours.",
    )
    shared_values = forms.ModelMultipleChoiceField(
        label="Values of yours they hold too",
        queryset=Value.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_values = forms.CharField(
        label="Their other values",
        required=False,
        max_length=1000,
        help_text="Separate with commas. Differences are worth celebrating too.",
    )

    def __init__(self, *args, owner, person: Person | None = None, **kwargs):
        self.owner, self.person = owner, person
        if person is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(person)
        super().__init__(*args, **kwargs)
        self.fields["shared_values"].queryset = Value.objects.filter(owner=owner, is_mine=True)
        if person is None or not person.photo:
            del self.fields["remove_photo"]
        if person is not None:
            self.fields["full_name"].widget.attrs.pop("autofocus")

    def clean_birthday_year(self):
        year = self.cleaned_data["birthday_year"]
        this_year = timezone.localdate().year
        if year is not None and not 1900 <= year <= this_year:
            raise ValidationError(f"Enter a year between 1900 and {this_year}, or leave it empty.")
        return year

    def clean(self):
        cleaned = super().clean()
        day, month = cleaned.get("birthday_day"), cleaned.get("birthday_month")
        year = cleaned.get("birthday_year")
        if (day is None) != (month is None):
            self.add_error("birthday_day", "Choose both the day and the month, or neither.")
        elif day is not None:
            try:
                # 2000 is a leap year, so 29 February is fine when the year is unknown.
                date(year or 2000, month, day)
            except ValueError:
                self.add_error("birthday_day", f"{calendar.month_name[month]} has no day {day}.")
        elif year is not None:
            self.add_error("birthday_year", "Choose the day and month too, or clear the year.")
        return cleaned

    def person_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "nickname",
                "pronouns",
                "birthday_day",
                "birthday_month",
                "birthday_year",
                "circle",
                "paused",
                "preferred_channel",
                "connect_notes",
                "how_we_met",
                "story",
                "organisation",
                "job_title",
            )
        }
        custom = data.get("custom_cadence")
        fields["cadence_is_custom"] = custom is not None
        if custom is not None:
            fields["cadence_days"] = custom
        if data.get("photo"):
            fields["photo"] = data["photo"]
        elif data.get("remove_photo"):
            fields["photo"] = ""
        return fields

    def value_names(self) -> list[str]:
        chosen = [value.name for value in self.cleaned_data["shared_values"]]
        return chosen + split_names(self.cleaned_data["other_values"])

    @transaction.atomic
    def save(self, contacts: "BaseContactFormSet") -> Person:
        full_name = self.cleaned_data["full_name"]
        tag_names = split_names(self.cleaned_data["tags"])
        if self.person is None:
            person = create_person(
                owner=self.owner, full_name=full_name, tag_names=tag_names, **self.person_fields()
            )
        else:
            person = update_person(
                person=self.person, full_name=full_name, tag_names=tag_names, **self.person_fields()
            )
        set_contact_points(person=person, points=contacts.points())
        set_person_values(person=person, names=self.value_names())
        return person


def initial_for(person: Person) -> dict:
    their_values = [pv.value for pv in person.person_values.select_related("value")]
    return {
        "full_name": person.full_name,
        "nickname": person.nickname,
        "pronouns": person.pronouns,
        "birthday_day": person.birthday_day,
        "birthday_month": person.birthday_month,
        "birthday_year": person.birthday_year,
        "circle": person.circle,
        "custom_cadence": person.cadence_days if person.cadence_is_custom else None,
        "paused": person.paused,
        "preferred_channel": person.preferred_channel,
        "connect_notes": person.connect_notes,
        "how_we_met": person.how_we_met,
        "story": person.story,
        "organisation": person.organisation,
        "job_title": person.job_title,
        "tags": ", ".join(tag.name for tag in person.tags.all()),
        "shared_values": [value.pk for value in their_values if value.is_mine],
        "other_values": ", ".join(value.name for value in their_values if not value.is_mine),
    }


class ContactPointForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="Kind", choices=ContactPoint.Kind.choices)
    label = forms.CharField(
        label="Label",
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "home, work…"}),
    )
    value = forms.CharField(label="Contact detail", max_length=500, required=False)

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("kind"), (cleaned.get("value") or "").strip()
        cleaned["value"] = value
        if not value or cleaned.get("DELETE"):
            return cleaned
        if kind == ContactPoint.Kind.EMAIL:
            try:
                validate_email(value)
            except ValidationError:
                self.add_error("value", "Enter an email address, like ana@example.com.")
        elif kind == ContactPoint.Kind.PHONE:
            digits = sum(ch.isdigit() for ch in value)
            if not PHONE_CHARACTERS.match(value) or digits < 3:
                self.add_error("value", "Enter a phone number in digits, like +351 912 345 678.")
        elif kind == ContactPoint.Kind.WEBSITE:
            try:
                URLValidator()(value if "://" in value else f"https://{value}")
            except ValidationError:
                self.add_error(
                    "value", "Enter a web address, like example.com or linkedin.com/in/ana."
                )
        return cleaned


class BaseContactFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index >= self.initial_form_count():
            extra_index = index - self.initial_form_count()
            kwargs["initial"] = {"kind": STARTER_KINDS[extra_index % len(STARTER_KINDS)]}
        return kwargs

    def points(self) -> list[dict]:
        """What to keep: rows with a value that were not marked for removal."""
        return [
            {key: form.cleaned_data[key] for key in ("id", "kind", "label", "value")}
            for form in self.forms
            if form.cleaned_data.get("value") and not form.cleaned_data.get("DELETE")
        ]


def contact_formset(*, person: Person | None, data=None, add_row: bool = False):
    """The contact rows: the person's contact points, then empty rows to fill in.

    `add_row` (the "add another" button, which works without JavaScript) keeps everything
    typed and appends one more empty row.
    """
    initial = []
    if person is not None:
        initial = [
            {"id": p.pk, "kind": p.kind, "label": p.label, "value": p.value}
            for p in person.contact_points.all()
        ]
    extra = 3 if person is None else 1
    if data is not None and add_row:
        data = data.copy()
        total = int(data.get(f"{CONTACT_PREFIX}-TOTAL_FORMS") or 0)
        data[f"{CONTACT_PREFIX}-TOTAL_FORMS"] = str(min(total + 1, 50))
    formset_class = forms.formset_factory(
        ContactPointForm,
        formset=BaseContactFormSet,
        extra=extra,
        can_delete=True,
        max_num=50,
        validate_max=True,
    )
    return formset_class(data, initial=initial, prefix=CONTACT_PREFIX)


def focus_first_problem(form: PersonForm, contacts: BaseContactFormSet) -> int | None:
    """Put the cursor where the first problem is; returns the contact row to focus, if any."""
    form.fields["full_name"].widget.attrs.pop("autofocus", None)
    for name in form.fields:
        if name in form.errors:
            form.fields[name].widget.attrs["autofocus"] = True
            return None
    for index, row in enumerate(contacts.forms):
        if row.errors:
            return index
    return None


def hold_errors(form: PersonForm, contacts: BaseContactFormSet) -> None:
    """Show what was typed without judging it yet: the user only asked for another row."""
    form._errors = ErrorDict()
    for row in contacts.forms:
        row._errors = ErrorDict()
    contacts._errors = [row._errors for row in contacts.forms]
    contacts._non_form_errors = ErrorList()
