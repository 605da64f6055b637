"""Acting on a nudge from inside Tend: done, snooze, dismiss, and a follow-up by hand."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from connections.models import Nudge, Person
from connections.nudges import (
    complete_nudge,
    dismiss_nudge,
    local_today,
    schedule_follow_up,
    snooze_nudge,
)


def _nudge(request, pk: int) -> Nudge:
    return get_object_or_404(
        Nudge.objects.filter(owner=request.user).select_related("person"), pk=pk
    )


def _answer(request, nudge: Nudge, message: str):
    """htmx: replace the nudge card with a short confirmation; otherwise back to where it was."""
    if request.htmx:
        return render(
            request,
            "connections/nudge_card.html#nudge_resolved",
            {"nudge": nudge, "message": message},
        )
    messages.success(request, message)
    return redirect(request.POST.get("next") or "dashboard")


@require_POST
def done(request, pk: int):
    nudge = _nudge(request, pk)
    complete_nudge(nudge=nudge)
    return _answer(request, nudge, f"Done: {nudge.person.display_name}. Well done for showing up.")


@require_POST
def dismiss(request, pk: int):
    nudge = _nudge(request, pk)
    dismiss_nudge(nudge=nudge)
    return _answer(request, nudge, f"Dismissed the nudge about {nudge.person.display_name}.")


@require_POST
def snooze(request, pk: int):
    nudge = _nudge(request, pk)
    try:
        days = int(request.POST.get("days", ""))
        snooze_nudge(nudge=nudge, days=days)
    except ValueError:
        return HttpResponse("Choose 1 day, 3 days or a week.", status=400)
    when = "tomorrow" if days == 1 else f"on {nudge.due_on:%A %-d %B}"
    return _answer(request, nudge, f"Snoozed {nudge.person.display_name} until {when}.")


class FollowUpForm(forms.Form):
    when = forms.ChoiceField(
        label="Follow up",
        choices=[
            ("3", "In 3 days"),
            ("7", "In a week"),
            ("14", "In two weeks"),
            ("30", "In a month"),
            ("date", "On a date…"),
        ],
        initial="7",
    )
    on = forms.DateField(label="On", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label="Why (quoted in the reminder)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        when = data.get("when")
        if when == "date":
            if not data.get("on"):
                self.add_error("on", "Choose the date to follow up on.")
            elif data["on"] < self.today:
                self.add_error("on", "Choose today or a later date.")
            data["due_on"] = data.get("on")
        elif when:
            data["due_on"] = self.today + timedelta(days=int(when))
        return data


@require_http_methods(["GET", "POST"])
def follow_up(request, pk: int):
    """Plan a follow-up with someone without logging an interaction first."""
    person = get_object_or_404(Person.objects.for_user(request.user), pk=pk)
    today = local_today(request.user)
    form = FollowUpForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        nudge = schedule_follow_up(
            person=person, due_on=form.cleaned_data["due_on"], reason=form.cleaned_data["reason"]
        )
        messages.success(
            request, f"Follow-up with {person.display_name} planned for {nudge.due_on:%A %-d %B}."
        )
        return redirect(f"/people/{person.pk}/")
    return render(
        request,
        "connections/follow_up_form.html",
        {"person": person, "form": form, "today": timezone.localdate()},
    )
