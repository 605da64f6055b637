"""Suggestions for the people picker while the user types (see connections/people_picker.py)."""

import re

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from connections.people_picker import SEARCH_SUFFIX, last_segment, person_hint, pick_candidates

# A form field's name and its box's id, as Django writes them ("people", "id_rel-other").
FIELD_NAME = re.compile(r"[A-Za-z][\w-]{0,99}")


def _ints(values) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 19]


@require_GET
def people_pick(request):
    """Up to eight of the user's active people matching what is typed after the last comma,
    leaving out the page's person (`exclude`), those already chosen (`<name>`) and, for a
    relationship, those already related to the page's person (`unconnected_to`)."""
    name, box_id = request.GET.get("name", ""), request.GET.get("for", "")
    if not FIELD_NAME.fullmatch(name) or not FIELD_NAME.fullmatch(box_id):
        return HttpResponseBadRequest("Say which field the suggestions are for.")
    text = last_segment(request.GET.get(name + SEARCH_SUFFIX, ""))
    exclude = _ints([*request.GET.getlist(name), request.GET.get("exclude", "")])
    unconnected_to = next(iter(_ints([request.GET.get("unconnected_to", "")])), None)
    people = pick_candidates(
        user=request.user, text=text, exclude=exclude, unconnected_to=unconnected_to
    )
    context = {
        "box_id": box_id,
        "text": text,
        "people": [(p, person_hint(p, last_contact=True)) for p in people],
    }
    return render(request, "connections/partials/people_picker.html#results", context)
