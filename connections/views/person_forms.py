"""Add and edit a person; archive, restore, or delete them for good."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from connections.models import Interaction, Person
from connections.people import archive_person, delete_person, restore_person
from connections.person_form import (
    PersonForm,
    contact_formset,
    focus_first_problem,
    hold_errors,
)


def _person(request, pk: int) -> Person:
    return get_object_or_404(Person.objects.for_user(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def person_add(request):
    return _person_form(request, person=None)


@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    return _person_form(request, person=_person(request, pk))


def _person_form(request, *, person: Person | None):
    focus_row = None
    if request.method == "POST":
        add_row = "add_contact" in request.POST
        form = PersonForm(request.POST, request.FILES, owner=request.user, person=person)
        contacts = contact_formset(person=person, data=request.POST, add_row=add_row)
        if add_row:
            hold_errors(form, contacts)
            if request.htmx:
                context = {"form": form, "contacts": contacts, "focus_last_row": True}
                return render(request, "connections/person_form.html#contacts", context)
        elif form.is_valid() and contacts.is_valid():
            try:
                saved = form.save(contacts)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                verb = "Added" if person is None else "Saved"
                messages.success(request, f"{verb} {saved.full_name}.")
                return redirect(f"/people/{saved.pk}/")
        if not add_row:
            focus_row = focus_first_problem(form, contacts)
    else:
        form = PersonForm(owner=request.user, person=person)
        contacts = contact_formset(person=person)
    photo_again = (
        form.is_bound and bool(request.FILES.get("photo")) and not form.errors.get("photo")
    )
    context = {
        "form": form,
        "contacts": contacts,
        "person": person,
        "photo_again": photo_again,
        "focus_last_row": request.method == "POST" and "add_contact" in request.POST,
        "focus_row": focus_row,
    }
    return render(request, "connections/person_form.html", context)


@require_POST
def person_archive(request, pk: int):
    person = archive_person(person=_person(request, pk))
    messages.success(
        request,
        f"{person.full_name} is archived: out of your lists and nudges, with everything kept. "
        "You can restore them any time.",
    )
    return redirect(f"/people/{person.pk}/")


@require_POST
def person_restore(request, pk: int):
    person = restore_person(person=_person(request, pk))
    messages.success(request, f"{person.full_name} is back in your lists.")
    return redirect(f"/people/{person.pk}/")


@require_http_methods(["GET", "POST"])
def person_delete(request, pk: int):
    person = _person(request, pk)
    if request.method == "POST":
        name = person.full_name
        delete_person(person=person)
        messages.success(request, f"Deleted {name} and everything only about them.")
        return redirect("/people/")
    return render(
        request,
        "connections/person_confirm_delete.html",
        {"person": person, "losses": _what_deleting_loses(person)},
    )


def _what_deleting_loses(person: Person) -> dict:
    with_person = Interaction.objects.filter(people=person).values("id")
    by_size = (
        Interaction.objects.filter(id__in=with_person)
        .annotate(participants=Count("people"))
        .values_list("participants", flat=True)
    )
    sizes = list(by_size)
    return {
        "only_theirs": sum(1 for size in sizes if size == 1),
        "shared": sum(1 for size in sizes if size > 1),
        "goals": person.goals.count(),
        "contact_points": person.contact_points.count(),
        "values": person.person_values.count(),
        "relationships": person.relationships_from.count() + person.relationships_to.count(),
    }
