"""Forms behind the person page: logging interactions and the small in-place actions."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from connections.models import Goal, Interaction, InteractionKind, Person, Relationship
from connections.nudges import FOLLOW_UP_CHOICES
from connections.people_picker import PeopleField
from connections.widgets import OnePassSelect

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
PICKER_HELP = "Type a name, then choose from the list. Several? Separate full names with commas."
RATING_CHOICES = [
    ("", "Skip"),
    (1, "1"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5"),
]


def topic_names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


class InteractionForm(forms.Form):
    """One interaction. With `person`, that person is always there and `people` adds others
    (a group dinner); without, `people` says who was there."""

    occurred_at = forms.DateTimeField(
        label="When",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        error_messages={
            "required": "Enter when it happened.",
            "invalid": "Enter a date and time, such as 2026-03-14 19:30.",
        },
    )
    kind = forms.ChoiceField(
        label="How",
        choices=InteractionKind.choices,
        widget=OnePassSelect,
        error_messages={"invalid_choice": "Choose how you connected."},
    )
    what_i_heard = forms.CharField(
        label="What I heard",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What they feel, and why. In their words if you can.",
    )
    what_i_shared = forms.CharField(
        label="What I shared",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Something of yourself: trust grows both ways.",
    )
    duration_minutes = forms.IntegerField(
        label="Minutes",
        required=False,
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": "Enter a number of minutes from 1 to 1440.",
            "max_value": "Enter a number of minutes from 1 to 1440.",
            "invalid": "Enter a whole number of minutes.",
        },
    )
    connection_rating = forms.TypedChoiceField(
        label="How connected it felt",
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose from 1 (distant) to 5 (deeply connected)."},
    )
    topics = forms.CharField(
        label="Topics",
        required=False,
        max_length=500,
        help_text="Separate with commas: work, family, the new flat.",
    )
    follow_up = forms.ChoiceField(
        label="Follow up",
        choices=FOLLOW_UP_CHOICES,
        required=False,
        widget=OnePassSelect,
        help_text="Tend reminds you in your morning email, with the reason below.",
    )
    follow_up_on = forms.DateField(
        label="On",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date, such as 2026-03-14."},
    )
    follow_up_reason = forms.CharField(
        label="Reason for the follow-up",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "data-mirror-from": "what_i_heard"}),
        help_text="Starts as what you heard; edit it to say what to ask about.",
    )
    people = PeopleField(label="Who was there", help_text=PICKER_HELP)

    def __init__(self, *args, user, person: Person | None = None, keep=(), **kwargs):
        """`keep`: ids of people already in the interaction, allowed even when archived."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.person = person
        self.fields["people"].for_user(user, exclude=person.pk if person else None, keep=keep)
        if person is not None:
            self.fields["people"].label = "Others who were there"
            self.fields["people"].required = False
            self.fields["people"].help_text = f"For a group, one entry for all. {PICKER_HELP}"

    def people_given(self) -> bool:
        """Whether the submitted form named anyone, by choosing or typing."""
        if not self.is_bound:
            return False
        value = self["people"].data
        return bool(value["ids"] or value["text"].strip())

    @classmethod
    def initial_for(cls, person: Person | None = None, now: datetime | None = None) -> dict:
        now = timezone.localtime(now or timezone.now()).replace(second=0, microsecond=0)
        kind = (person.preferred_channel if person else "") or InteractionKind.IN_PERSON
        return {"occurred_at": now, "kind": kind}

    @classmethod
    def initial_from(cls, interaction: Interaction) -> dict:
        return {
            "occurred_at": timezone.localtime(interaction.occurred_at),
            "kind": interaction.kind,
            "what_i_heard": interaction.what_i_heard,
            "what_i_shared": interaction.what_i_shared,
            "duration_minutes": interaction.duration_minutes,
            "connection_rating": interaction.connection_rating,
            "topics": ", ".join(tag.name for tag in interaction.topics.all()),
            "people": list(interaction.people.all()),
        }

    def clean_occurred_at(self):
        when = self.cleaned_data["occurred_at"]
        if timezone.localtime(when).date() > timezone.localdate():
            raise forms.ValidationError("That is still to come. Log it once it has happened.")
        return when

    def clean(self):
        cleaned = super().clean()
        self._clean_follow_up(cleaned)
        chosen = cleaned.get("people") or []
        others = [p for p in chosen if self.person is None or p.pk != self.person.pk]
        self.participants = ([self.person] if self.person else []) + others
        return cleaned

    def _clean_follow_up(self, cleaned: dict) -> None:
        choice = cleaned.get("follow_up")
        today = timezone.localdate()
        cleaned["follow_up_due"] = None
        if choice == "date":
            on = cleaned.get("follow_up_on")
            if on is None:
                if "follow_up_on" not in self.errors:
                    self.add_error("follow_up_on", "Choose the date to follow up on.")
            elif on < today:
                self.add_error("follow_up_on", "Choose today or a later date.")
            else:
                cleaned["follow_up_due"] = on
        elif choice:
            cleaned["follow_up_due"] = today + timedelta(days=int(choice))

    def follow_up_fields(self) -> dict:
        """Keyword arguments for `log_interaction`'s follow-up (empty when none was asked)."""
        data = self.cleaned_data
        if not data.get("follow_up_due"):
            return {}
        return {
            "follow_up_on": data["follow_up_due"],
            "follow_up_reason": data["follow_up_reason"].strip() or data["what_i_heard"],
        }

    def interaction_fields(self) -> dict:
        """Keyword arguments for `log_interaction` / `update_interaction`, people aside."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "occurred_at": data["occurred_at"],
            "what_i_heard": data["what_i_heard"],
            "what_i_shared": data["what_i_shared"],
            "duration_minutes": data["duration_minutes"],
            "connection_rating": data["connection_rating"],
            "topic_names": topic_names(data["topics"]),
        }


class PersonValueForm(forms.Form):
    name = forms.CharField(
        label="A value of theirs",
        max_length=80,
        error_messages={"required": "Name the value, such as honesty or family."},
        widget=forms.TextInput(attrs={"list": "value-vocabulary", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label="What it means to them",
        max_length=300,
        required=False,
    )


class GoalForm(forms.Form):
    title = forms.CharField(
        label="Goal",
        max_length=200,
        error_messages={"required": "Say what they are working towards."},
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target_date = forms.DateField(
        label="Hoping to get there by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, such as 2026-09-01."},
    )


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Goal.Status.choices)


class MilestoneForm(forms.Form):
    title = forms.CharField(
        label="Milestone",
        max_length=200,
        error_messages={"required": "Name the milestone."},
    )
    due_on = forms.DateField(
        label="By",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, such as 2026-09-01."},
    )


class RelationshipForm(forms.Form):
    other = PeopleField(
        multiple=False,
        label="Who",
        help_text="Type their name, then choose from the list.",
        error_messages={
            "required": "Choose someone from your people.",
            "invalid_choice": "Choose someone from your people.",
        },
    )
    kind = forms.ChoiceField(
        label="How they are related",
        choices=[(kind.value, f"is their {kind.label.lower()}") for kind in Relationship.Kind],
        widget=OnePassSelect,
        error_messages={"invalid_choice": "Choose how they are related."},
    )

    def __init__(self, *args, user, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].for_user(user, exclude=person.pk, unconnected_to=person.pk)
