"""Forms of the Me page: the user's own values and their reflection journal."""

from django import forms
from django.utils import timezone

from connections.models import Reflection, Value


class MyValueForm(forms.Form):
    name = forms.CharField(
        label="A value of yours",
        max_length=80,
        error_messages={"required": "Name the value, like honesty or curiosity."},
        widget=forms.TextInput(attrs={"placeholder": "honesty, family, curiosity…"}),
    )
    note = forms.CharField(
        label="What it means to you",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Telling the truth, kindly"}),
    )

    def __init__(self, *args, owner, **kwargs):
        self.owner = owner
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if Value.objects.filter(owner=self.owner, name__iexact=name, is_mine=True).exists():
            raise forms.ValidationError(f"“{name}” is already one of your values.")
        return name


class ReflectionForm(forms.Form):
    written_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, like 2026-03-14.", "required": "Enter a date."},
    )
    topic = forms.ChoiceField(label="About", choices=Reflection.Topic.choices)
    body = forms.CharField(
        label="Your reflection",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "What is on your mind?"}),
        error_messages={"required": "Write a few words before saving."},
    )

    def clean_written_on(self):
        written_on = self.cleaned_data["written_on"]
        if written_on > timezone.localdate():
            raise forms.ValidationError("Choose today or an earlier day.")
        return written_on

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write a few words before saving.")
        return body
