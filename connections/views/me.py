"""The Me page: the user's own values and their reflection journal."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connections.me_forms import MyValueForm, ReflectionForm
from connections.models import Reflection, Value
from connections.reflections import add_reflection, delete_reflection, update_reflection
from connections.values import add_my_value, remove_my_value

SUGGESTED_VALUES = [
    "Honesty",
    "Family",
    "Curiosity",
    "Kindness",
    "Loyalty",
    "Growth",
    "Adventure",
    "Generosity",
]
REFLECTIONS_PER_PAGE = 10


def _my_value(request, pk: int) -> Value:
    return get_object_or_404(Value.objects.filter(owner=request.user, is_mine=True), pk=pk)


def _reflection(request, pk: int) -> Reflection:
    return get_object_or_404(Reflection.objects.filter(owner=request.user), pk=pk)


def _values_context(request, *, form=None, status: str = "") -> dict:
    my_values = list(
        Value.objects.filter(owner=request.user, is_mine=True)
        .annotate(people_count=Count("person_values"))
        .order_by("name")
    )
    names = {value.name.lower() for value in my_values}
    return {
        "my_values": my_values,
        "value_form": form or MyValueForm(owner=request.user),
        "suggestions": [name for name in SUGGESTED_VALUES if name.lower() not in names],
        "values_status": status,
    }


def _journal_context(request, *, form=None, status: str = "") -> dict:
    reflections = Reflection.objects.filter(owner=request.user)
    page = Paginator(reflections, REFLECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "reflections": page,
        "reflection_form": form or ReflectionForm(initial={"written_on": timezone.localdate()}),
        "journal_status": status,
    }


def _done(request, partial: str, context: dict, status: str):
    """In place for htmx (announced in the message area); a redirect back to Me otherwise."""
    if request.htmx:
        return render(request, f"connections/me.html#{partial}", context)
    messages.success(request, status)
    return redirect(f"{reverse('me')}#{partial}")


@require_GET
def me(request):
    context = {**_values_context(request), **_journal_context(request)}
    return render(request, "connections/me.html", context)


@require_POST
def me_value_add(request):
    form = MyValueForm(request.POST, owner=request.user)
    if form.is_valid():
        value = add_my_value(
            owner=request.user, name=form.cleaned_data["name"], note=form.cleaned_data["note"]
        )
        status = f"Added {value.name} to your values."
        return _done(request, "values", _values_context(request, status=status), status)
    if request.htmx:
        return render(request, "connections/me.html#values", _values_context(request, form=form))
    context = {**_values_context(request, form=form), **_journal_context(request)}
    return render(request, "connections/me.html", context)


@require_POST
def me_value_remove(request, pk: int):
    value = _my_value(request, pk)
    name = value.name
    remove_my_value(value=value)
    status = f"Removed {name} from your values."
    return _done(request, "values", _values_context(request, status=status), status)


@require_POST
def me_reflection_add(request):
    form = ReflectionForm(request.POST)
    if form.is_valid():
        add_reflection(owner=request.user, **form.cleaned_data)
        status = "Saved your reflection."
        return _done(request, "journal", _journal_context(request, status=status), status)
    if request.htmx:
        return render(request, "connections/me.html#journal", _journal_context(request, form=form))
    context = {**_values_context(request), **_journal_context(request, form=form)}
    return render(request, "connections/me.html", context)


@require_http_methods(["GET", "POST"])
def me_reflection_edit(request, pk: int):
    reflection = _reflection(request, pk)
    initial = {
        "written_on": reflection.written_on,
        "topic": reflection.topic,
        "body": reflection.body,
    }
    form = ReflectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        update_reflection(reflection=reflection, **form.cleaned_data)
        messages.success(request, "Saved your reflection.")
        return redirect(f"{reverse('me')}#reflection-{reflection.pk}")
    return render(
        request, "connections/reflection_form.html", {"form": form, "reflection": reflection}
    )


@require_http_methods(["GET", "POST"])
def me_reflection_delete(request, pk: int):
    reflection = _reflection(request, pk)
    if request.method == "POST":
        delete_reflection(reflection=reflection)
        status = "Deleted the reflection."
        return _done(request, "journal", _journal_context(request, status=status), status)
    return render(request, "connections/reflection_confirm_delete.html", {"reflection": reflection})
