"""Logging an interaction from anywhere, and correcting or removing one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from connections.interactions import delete_interaction, log_interaction, update_interaction
from connections.models import Interaction, Nudge, Person
from connections.nudges import complete_nudge
from connections.person_page_forms import InteractionForm


def _interaction(request, pk: int) -> Interaction:
    queryset = Interaction.objects.for_user(request.user).with_people()
    return get_object_or_404(queryset, pk=pk)


def _came_from(people: list[Person], wanted: str) -> str:
    """The pk of the person page the user came from, only if that person took part."""
    return next((str(p.pk) for p in people if str(p.pk) == wanted), "")


def _came_from_person(request, wanted: str, preselected: Person | None) -> str:
    """The pk of the user's active person whose page they came from, or ""."""
    if preselected is not None:
        return str(preselected.pk)
    if not wanted.isdigit():
        return ""
    mine = Person.objects.for_user(request.user).active().filter(pk=wanted).exists()
    return wanted if mine else ""


def _back_to(interaction_people: list[Person], wanted: str | None) -> str:
    """The page of the person the user came from, if they took part; else the first one."""
    for person in interaction_people:
        if str(person.pk) == wanted:
            return reverse("person", args=[person.pk])
    if interaction_people:
        return reverse("person", args=[interaction_people[0].pk])
    return reverse("dashboard")


@require_http_methods(["GET", "POST"])
def interaction_add(request):
    preselected = None
    if request.method == "POST":
        form = InteractionForm(request.POST, user=request.user)
        if form.is_valid():
            interaction = log_interaction(
                owner=request.user,
                people=form.participants,
                **form.interaction_fields(),
                **form.follow_up_fields(),
            )
            _complete_nudge_logged(request, request.POST.get("nudge", ""))
            names = ", ".join(p.full_name for p in form.participants)
            kind = interaction.get_kind_display().lower()
            messages.success(request, f"Logged: {kind} with {names}.")
            return redirect(_back_to(form.participants, request.POST.get("from", "")))
        came_from = request.POST.get("from", "")
    else:
        came_from = request.GET.get("person", "")
        people = Person.objects.for_user(request.user).active()
        preselected = people.filter(pk=came_from).first() if came_from.isdigit() else None
        initial = InteractionForm.initial_for(preselected)
        if preselected:
            initial["people"] = [preselected]
        form = InteractionForm(initial=initial, user=request.user)
    came_from = _came_from_person(request, came_from, preselected)
    nudge_id = request.POST.get("nudge") or request.GET.get("nudge", "")
    return render(
        request,
        "connections/interaction_form.html",
        {
            "form": form,
            "interaction": None,
            "from": came_from,
            "nudge_id": nudge_id if nudge_id.isdigit() else "",
        },
    )


def _complete_nudge_logged(request, nudge_id: str) -> None:
    """Logging "how it went" from a nudge on the dashboard also marks that nudge done."""
    if nudge_id.isdigit():
        nudge = Nudge.objects.filter(owner=request.user, pk=int(nudge_id)).first()
        if nudge is not None:
            complete_nudge(nudge=nudge)


@require_http_methods(["GET", "POST"])
def interaction_edit(request, pk: int):
    interaction = _interaction(request, pk)
    current = list(interaction.people.all())
    keep = [p.pk for p in current]
    came_from = _came_from(current, request.POST.get("from") or request.GET.get("from", ""))
    if request.method == "POST":
        form = InteractionForm(request.POST, user=request.user, keep=keep)
        if form.is_valid():
            update_interaction(
                interaction=interaction, people=form.participants, **form.interaction_fields()
            )
            messages.success(request, "Saved your changes.")
            return redirect(_back_to(form.participants, came_from))
    else:
        form = InteractionForm(
            initial=InteractionForm.initial_from(interaction), user=request.user, keep=keep
        )
    return render(
        request,
        "connections/interaction_form.html",
        {"form": form, "interaction": interaction, "from": came_from},
    )


@require_http_methods(["GET", "POST"])
def interaction_delete(request, pk: int):
    """GET asks once, in a page that needs no JavaScript; POST deletes."""
    interaction = _interaction(request, pk)
    people = list(interaction.people.all())
    came_from = _came_from(people, request.POST.get("from") or request.GET.get("from", ""))
    if request.method == "POST":
        back = _back_to(people, came_from)
        delete_interaction(interaction=interaction)
        messages.success(request, "Deleted the interaction.")
        return redirect(back)
    return render(
        request,
        "connections/interaction_confirm_delete.html",
        {"interaction": interaction, "people": people, "from": came_from},
    )
