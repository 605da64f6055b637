from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from connections.models import Person


@require_GET
def person_photo(request, pk: int):
    """Photos are private: served only to their owner, never from a public media URL."""
    person = get_object_or_404(Person.objects.for_user(request.user), pk=pk)
    if not person.photo:
        raise Http404("No photo")
    response = FileResponse(person.photo.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response
