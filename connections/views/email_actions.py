"""One-click actions from emails. They work without logging in: the signed link is the key.
A GET only shows what will happen and a button; the POST acts (mail scanners follow links)."""

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import User
from connections.interactions import log_interaction
from connections.links import BadLink, read_action_token, read_unsubscribe_token
from connections.models import InteractionKind, Nudge
from connections.nudges import SNOOZE_DAYS, complete_nudge, dismiss_nudge, snooze_nudge


class QuickLogForm(forms.Form):
    kind = forms.ChoiceField(label="How did you connect?", choices=InteractionKind.choices)
    what_i_heard = forms.CharField(
        label="What I heard",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What they feel, and why.",
    )


def _bad_link(request, reason: str):
    return render(request, "connections/email_action_invalid.html", {"reason": reason}, status=400)


def _nudge_from(token: str) -> tuple[Nudge, str]:
    nudge_id, user_id, action = read_action_token(token)
    nudge = (
        Nudge.objects.select_related("person", "owner", "interaction")
        .filter(pk=nudge_id, owner_id=user_id)
        .first()
    )
    if nudge is None:
        raise BadLink("gone")
    return nudge, action


@login_not_required
@require_http_methods(["GET", "POST"])
def nudge_action(request, token: str):
    try:
        nudge, action = _nudge_from(token)
    except BadLink as error:
        return _bad_link(request, str(error))
    person = nudge.person
    form = None
    if action == "log":
        form = QuickLogForm(
            request.POST or None, initial={"kind": person.preferred_channel or "call"}
        )
    context = {
        "nudge": nudge,
        "person": person,
        "action": action,
        "form": form,
        "snooze_days": SNOOZE_DAYS,
        "token": token,
    }
    if request.method == "GET" or not nudge.is_open:
        return render(request, "connections/email_action.html", context)

    if action == "done":
        complete_nudge(nudge=nudge)
        message = f"Marked done. Thank you for showing up for {person.display_name}."
    elif action == "dismiss":
        dismiss_nudge(nudge=nudge)
        message = "Dismissed. It will not come back."
    elif action == "snooze":
        try:
            days = int(request.POST.get("days", ""))
            snooze_nudge(nudge=nudge, days=days)
        except ValueError:
            context["error"] = "Choose 1 day, 3 days or a week."
            return render(request, "connections/email_action.html", context, status=400)
        message = f"Snoozed. It comes back on {nudge.due_on:%A %-d %B}."
    else:
        if not form.is_valid():
            return render(request, "connections/email_action.html", context, status=400)
        log_interaction(
            owner=nudge.owner,
            people=[person],
            kind=form.cleaned_data["kind"],
            occurred_at=timezone.now(),
            what_i_heard=form.cleaned_data["what_i_heard"],
        )
        complete_nudge(nudge=nudge)
        message = f"Logged, and the nudge is done. {person.display_name} is lucky to have you."
    return render(request, "connections/email_action_done.html", {**context, "message": message})


@csrf_exempt  # Mail clients send RFC 8058 one-click POSTs without cookies; the token is the key.
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        user_id, email = read_unsubscribe_token(token)
    except BadLink as error:
        return _bad_link(request, str(error))
    user = User.objects.filter(pk=user_id, email=email).first()
    if user is None:
        return _bad_link(request, "gone")
    if request.method == "POST":
        User.objects.filter(pk=user.pk).update(email_nudges_enabled=False)
        return render(request, "connections/unsubscribed.html", {"unsubscribed_user": user})
    return render(
        request, "connections/unsubscribe.html", {"unsubscribed_user": user, "token": token}
    )
