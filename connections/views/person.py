"""The person page: who they are, what you share, and the timeline, with quick logging and
small in-place actions. Every action works as a plain form post and improves with htmx."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from connections.goals import add_goal, add_milestone, complete_milestone, set_goal_status
from connections.interactions import log_interaction
from connections.models import (
    Goal,
    Interaction,
    Milestone,
    Nudge,
    Person,
    PersonValue,
    Relationship,
    Value,
)
from connections.people import add_relationship, remove_relationship
from connections.person_page_forms import (
    GoalForm,
    GoalStatusForm,
    InteractionForm,
    MilestoneForm,
    PersonValueForm,
    RelationshipForm,
)
from connections.timeline import timeline_entries, with_timeline_links
from connections.values import add_person_value, compare_values, remove_person_value

TEMPLATE = "connections/person_detail.html"
TIMELINE_PAGE_SIZE = 20
GOAL_ORDER = {Goal.Status.ACTIVE: 0, Goal.Status.ACHIEVED: 1, Goal.Status.LET_GO: 2}
SAFE_LINK_SCHEMES = ("mailto:", "tel:", "http://", "https://")


# Access helpers: another user's object is a 404, never a 403 that admits it exists.


def _person(request, pk: int) -> Person:
    queryset = Person.objects.for_user(request.user).prefetch_related("contact_points", "tags")
    return get_object_or_404(queryset, pk=pk)


def _person_value(request, pk: int) -> PersonValue:
    queryset = PersonValue.objects.filter(person__owner=request.user).select_related(
        "person", "value"
    )
    return get_object_or_404(queryset, pk=pk)


def _goal(request, pk: int) -> Goal:
    queryset = Goal.objects.filter(person__owner=request.user).select_related("person")
    return get_object_or_404(queryset, pk=pk)


def _milestone(request, pk: int) -> Milestone:
    queryset = Milestone.objects.filter(goal__person__owner=request.user).select_related(
        "goal__person"
    )
    return get_object_or_404(queryset, pk=pk)


def _relationship(request, pk: int) -> Relationship:
    queryset = Relationship.objects.filter(
        from_person__owner=request.user, to_person__owner=request.user
    ).select_related("from_person", "to_person")
    return get_object_or_404(queryset, pk=pk)


# Context, one builder per section, so an htmx response computes only what it shows.


def _has_others(user, person: Person) -> bool:
    """Whether there is anyone else to pick: the pickers are offered only then."""
    return Person.objects.for_user(user).active().exclude(pk=person.pk).exists()


def _status_context(person: Person) -> dict:
    return {"person": person, "lag": person.overdue_ratio(timezone.now())}


def _log_context(request, person: Person, has_others: bool, form=None) -> dict:
    form = form or InteractionForm(
        initial=InteractionForm.initial_for(person), user=request.user, person=person
    )
    return {"person": person, "log_form": form, "has_others": has_others}


def _timeline_context(request, person: Person, page_number=1) -> dict:
    interactions = with_timeline_links(
        Interaction.objects.for_user(request.user)
        .filter(people=person)
        .order_by("-occurred_at", "-id")
    )
    # A count and a page, not paging.page_with_count: its window count needs every row of the
    # join, which PostgreSQL then finds by scanning all interactions when there are few of
    # them (21 ms against 6 ms at 40,000 interactions; the same 3-4 ms at 200,000).
    page = Paginator(interactions, TIMELINE_PAGE_SIZE).get_page(page_number)
    entries = timeline_entries(list(page), person=person, today=timezone.localdate())
    return {"person": person, "timeline_page": page, "entries": entries}


def _values_context(request, person: Person, form=None) -> dict:
    vocabulary = list(Value.objects.filter(owner=request.user).order_by("name"))
    comparison = compare_values(person=person, my_values=[v for v in vocabulary if v.is_mine])
    return {
        "person": person,
        "comparison": comparison,
        "vocabulary": vocabulary,
        "value_form": form or PersonValueForm(prefix="value"),
    }


def _goals_context(person: Person, goal_form=None, milestone_forms=None) -> dict:
    milestone_forms = milestone_forms or {}
    goals = sorted(person.goals.prefetch_related("milestones"), key=lambda g: GOAL_ORDER[g.status])
    for goal in goals:
        goal.milestone_form = milestone_forms.get(goal.pk) or MilestoneForm(
            prefix=f"milestone-{goal.pk}"
        )
    return {
        "person": person,
        "goals": goals,
        "goal_form": goal_form or GoalForm(prefix="goal"),
        "today": timezone.localdate(),
    }


def _relationships_context(request, person: Person, has_others: bool, form=None) -> dict:
    relationships = Relationship.objects.filter(
        Q(from_person=person) | Q(to_person=person)
    ).select_related("from_person", "to_person")
    ties = sorted(
        ((rel, *rel.seen_from(person)) for rel in relationships),
        key=lambda tie: (tie[1], tie[2].full_name),
    )
    form = form or RelationshipForm(prefix="rel", user=request.user, person=person)
    return {"person": person, "ties": ties, "relationship_form": form, "has_others": has_others}


def _safe_href(href: str | None) -> str | None:
    # A typed website like "javascript://…" must never become a clickable link.
    return href if href and href.lower().startswith(SAFE_LINK_SCHEMES) else None


def _page_context(request, person: Person, **forms) -> dict:
    today = timezone.localdate()
    has_others = _has_others(request.user, person)
    next_birthday = person.next_birthday(today)
    return {
        **_status_context(person),
        **_log_context(request, person, has_others, forms.get("log_form")),
        **_timeline_context(request, person, request.GET.get("page", 1)),
        **_values_context(request, person, forms.get("value_form")),
        **_goals_context(person, forms.get("goal_form"), forms.get("milestone_forms")),
        **_relationships_context(request, person, has_others, forms.get("relationship_form")),
        "contacts": [(point, _safe_href(point.href)) for point in person.contact_points.all()],
        "tags": list(person.tags.all()),
        "open_nudges": list(person.nudges.filter(status=Nudge.Status.OPEN).order_by("due_on")[:5]),
        "today": today,
        "next_birthday": next_birthday,
        "turning": person.age_on(next_birthday) if next_birthday else None,
    }


def _render_partials(request, names: list[str], context: dict) -> HttpResponse:
    """Several named partials in one htmx response (the others carry hx-swap-oob)."""
    html = "".join(
        render_to_string(f"{TEMPLATE}#{name}", context, request=request) for name in names
    )
    return HttpResponse(html)


def _done(request, person: Person, section: str, context: dict, message: str) -> HttpResponse:
    """After a small action: the refreshed section for htmx, else back to the page."""
    if request.htmx:
        return _render_partials(request, [section, "announce"], {**context, "announce": message})
    messages.success(request, message)
    return redirect(f"{reverse('person', args=[person.pk])}#{section}")


def _invalid(request, person: Person, section: str, context: dict, **forms) -> HttpResponse:
    """A form with errors: the section for htmx, else the whole page, keeping what was typed."""
    if request.htmx:
        return render(request, f"{TEMPLATE}#{section}", context)
    return render(request, TEMPLATE, _page_context(request, person, **forms))


# The page.


@require_GET
def person_detail(request, pk: int):
    person = _person(request, pk)
    if request.htmx and "page" in request.GET:
        context = _timeline_context(request, person, request.GET["page"])
        return render(request, f"{TEMPLATE}#timeline_page", context)
    return render(request, TEMPLATE, _page_context(request, person))


@require_POST
def person_log(request, pk: int):
    person = _person(request, pk)
    form = InteractionForm(request.POST, user=request.user, person=person)
    if not form.is_valid():
        if request.htmx:
            context = _log_context(request, person, _has_others(request.user, person), form)
            return render(request, f"{TEMPLATE}#log_form", context)
        return render(request, TEMPLATE, _page_context(request, person, log_form=form))
    interaction = log_interaction(
        owner=request.user,
        people=form.participants,
        **form.interaction_fields(),
        **form.follow_up_fields(),
    )
    others = [p.full_name for p in form.participants[1:]]
    message = f"Logged: {interaction.get_kind_display().lower()} with {person.full_name}"
    message += f" and {', '.join(others)}." if others else "."
    if not request.htmx:
        messages.success(request, message)
        return redirect(f"{reverse('person', args=[person.pk])}#timeline")
    context = {
        **_status_context(person),
        **_log_context(request, person, _has_others(request.user, person)),
        **_timeline_context(request, person),
        "just_logged": interaction.pk,
        "announce": message,
        "oob": True,
    }
    return _render_partials(request, ["log_form", "status", "timeline", "announce"], context)


# Values.


@require_POST
def person_value_add(request, pk: int):
    person = _person(request, pk)
    form = PersonValueForm(request.POST, prefix="value")
    if not form.is_valid():
        context = _values_context(request, person, form)
        return _invalid(request, person, "values", context, value_form=form)
    person_value = add_person_value(
        person=person, name=form.cleaned_data["name"], note=form.cleaned_data["note"]
    )
    message = f"Added {person_value.value.name} to {person.display_name}’s values."
    return _done(request, person, "values", _values_context(request, person), message)


@require_POST
def person_value_remove(request, pk: int):
    person_value = _person_value(request, pk)
    person, name = person_value.person, person_value.value.name
    remove_person_value(person_value=person_value)
    message = f"Removed {name} from {person.display_name}’s values."
    return _done(request, person, "values", _values_context(request, person), message)


# Goals and milestones.


@require_POST
def goal_add(request, pk: int):
    person = _person(request, pk)
    form = GoalForm(request.POST, prefix="goal")
    if not form.is_valid():
        context = _goals_context(person, goal_form=form)
        return _invalid(request, person, "goals", context, goal_form=form)
    goal = add_goal(person=person, **form.cleaned_data)
    message = f"Added the goal “{goal.title}”."
    return _done(request, person, "goals", _goals_context(person), message)


@require_POST
def goal_status(request, pk: int):
    goal = _goal(request, pk)
    form = GoalStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose active, achieved or let go.")
    set_goal_status(goal=goal, status=form.cleaned_data["status"], on=timezone.localdate())
    message = {
        Goal.Status.ACHIEVED: f"Celebrating: “{goal.title}” achieved.",
        Goal.Status.LET_GO: f"Let go of “{goal.title}”.",
        Goal.Status.ACTIVE: f"“{goal.title}” is active again.",
    }[goal.status]
    return _done(request, goal.person, "goals", _goals_context(goal.person), message)


@require_POST
def milestone_add(request, pk: int):
    goal = _goal(request, pk)
    person = goal.person
    form = MilestoneForm(request.POST, prefix=f"milestone-{goal.pk}")
    if not form.is_valid():
        forms = {"milestone_forms": {goal.pk: form}}
        return _invalid(request, person, "goals", _goals_context(person, **forms), **forms)
    milestone = add_milestone(goal=goal, **form.cleaned_data)
    message = f"Added the milestone “{milestone.title}”."
    return _done(request, person, "goals", _goals_context(person), message)


@require_POST
def milestone_toggle(request, pk: int):
    milestone = _milestone(request, pk)
    person = milestone.goal.person
    complete_milestone(milestone=milestone, on=timezone.localdate())
    state = "done" if milestone.done_on else "not done yet"
    message = f"Marked “{milestone.title}” {state}."
    return _done(request, person, "goals", _goals_context(person), message)


# Relationships.


@require_POST
def relationship_add(request, pk: int):
    person = _person(request, pk)
    form = RelationshipForm(request.POST, prefix="rel", user=request.user, person=person)
    if form.is_valid():
        other, kind = form.cleaned_data["other"], form.cleaned_data["kind"]
        try:
            add_relationship(person=person, other=other, kind=kind)
        except ValueError as error:
            form.add_error("other", str(error))
        else:
            context = _relationships_context(request, person, True)
            label = Relationship.Kind(kind).label.lower()
            message = f"Added {other.full_name} as {person.display_name}’s {label}."
            return _done(request, person, "relationships", context, message)
    context = _relationships_context(request, person, True, form)
    return _invalid(request, person, "relationships", context, relationship_form=form)


@require_POST
def relationship_delete(request, pk: int):
    relationship = _relationship(request, pk)
    # Back to whichever side's page the user was on.
    person = relationship.to_person
    if request.POST.get("from") == str(relationship.from_person_id):
        person = relationship.from_person
    label, other = relationship.seen_from(person)
    remove_relationship(relationship=relationship)
    message = f"Removed {other.full_name} ({label.lower()}) from {person.display_name}’s people."
    context = _relationships_context(request, person, True)
    return _done(request, person, "relationships", context, message)
