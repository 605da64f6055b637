from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from connections.merging import field_choices, fields_for_groups, likely_duplicates
from connections.models import Interaction, Person
from connections.people import merge_people


def _person(request, pk) -> Person:
    try:
        return get_object_or_404(Person.objects.for_user(request.user), pk=int(pk))
    except (TypeError, ValueError):
        raise Http404("No such person") from None


@require_http_methods(["GET", "POST"])
def merge(request):
    """Pick two people, then choose field by field what the merged person keeps."""
    keep_id = request.POST.get("keep") or request.GET.get("keep")
    absorb_id = request.POST.get("absorb") or request.GET.get("absorb")
    people = Person.objects.for_user(request.user).active().only("id", "full_name")
    if not (keep_id and absorb_id):
        return render(
            request,
            "connections/merge_pick.html",
            {"people": people, "suggestions": likely_duplicates(user=request.user)},
        )
    keep, absorb = _person(request, keep_id), _person(request, absorb_id)
    if keep.pk == absorb.pk:
        messages.error(request, "Choose two different people to merge.")
        return render(
            request,
            "connections/merge_pick.html",
            {"people": people, "suggestions": likely_duplicates(user=request.user)},
        )
    choices = field_choices(keep, absorb)
    if request.method == "POST":
        take = [c.name for c in choices if request.POST.get(c.name, c.default) == "absorb"]
        absorbed_name = absorb.full_name
        merged = merge_people(keep=keep, absorb=absorb, take_from_absorbed=fields_for_groups(take))
        messages.success(
            request, f"Merged {absorbed_name} into {merged.full_name}. Nothing was lost."
        )
        return redirect(f"/people/{merged.pk}/")
    moving = {
        "interactions": Interaction.objects.filter(people=absorb).count(),
        "contact_points": absorb.contact_points.count(),
        "values": absorb.person_values.count(),
        "goals": absorb.goals.count(),
    }
    return render(
        request,
        "connections/merge_form.html",
        {"keep": keep, "absorb": absorb, "choices": choices, "moving": moving},
    )
