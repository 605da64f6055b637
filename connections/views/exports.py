"""Downloads of the user's own data: Tend JSON, vCard and CSV, streamed."""

from django.http import Http404, StreamingHttpResponse
from django.views.decorators.http import require_GET

from connections.exporting import csv_chunks, json_chunks, vcard_chunks
from connections.nudges import local_today

# format → (chunks, content type, file extension)
EXPORTS = {
    "json": (json_chunks, "application/json; charset=utf-8", "json"),
    "vcard": (vcard_chunks, "text/vcard; charset=utf-8", "vcf"),
    "csv": (csv_chunks, "text/csv; charset=utf-8", "csv"),
}


@require_GET
def export(request, fmt: str):
    """The signed-in user's data as a dated file, e.g. tend-2026-11-28.vcf."""
    if fmt not in EXPORTS:
        raise Http404("No such export format")
    chunks, content_type, extension = EXPORTS[fmt]
    filename = f"tend-{local_today(request.user):%Y-%m-%d}.{extension}"
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in chunks(request.user)), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
