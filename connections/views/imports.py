"""The Import page: upload a contact file, map a plain CSV's columns, review what matches,
import, and read the report. The admin's "import for a user" reuses `job_context`."""

from functools import partial

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from connections import tasks
from connections.importing.pipeline import (
    choose_actions,
    choose_mapping,
    csv_headers,
    mappable_fields,
    queue_import,
    start_import,
)
from connections.models import ImportJob, ImportRow, ImportStrategy

ACCEPTED = ".vcf,.vcard,.csv,.json,text/vcard,text/x-vcard,text/csv,application/json"
ROWS_PER_PAGE = 50

# What each choice means, in the words the pages use.
STRATEGY_HELP = {
    ImportStrategy.SKIP: "People you already have stay exactly as they are. "
    "Safe to import the same file twice.",
    ImportStrategy.UPDATE_EMPTY: "Keep everything you have, and add the emails, phones, "
    "birthday and other details they are missing.",
    ImportStrategy.CREATE_NEW: "Every contact in the file becomes a new person, "
    "even when it may be someone you already have.",
}

ROW_CHOICES_NEW = [("", "Add"), (ImportStrategy.SKIP, "Don't add")]
ROW_CHOICES_MATCH = [
    ("", "As chosen above"),
    (ImportStrategy.SKIP, "Skip"),
    (ImportStrategy.UPDATE_EMPTY, "Fill in what is missing"),
    (ImportStrategy.CREATE_NEW, "Add as a new person"),
]


def strategy_choices() -> list[tuple[str, str, str]]:
    return [(value, label, STRATEGY_HELP[value]) for value, label in ImportStrategy.choices]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Contact file",
        help_text="A vCard (.vcf) from iPhone, Android, Google or Outlook; a CSV from Google "
        "Contacts, Outlook, LinkedIn or any spreadsheet; or a Tend export (.json). Up to 50 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}),
    )
    strategy = forms.ChoiceField(
        label="For people already in Tend",
        choices=ImportStrategy.choices,
        initial=ImportStrategy.SKIP,
        widget=forms.RadioSelect,
    )


def _job(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.filter(owner=request.user), pk=pk)


def enqueue_preview(job: ImportJob) -> None:
    transaction.on_commit(partial(tasks.preview_import.delay, job.pk))


def enqueue_import(job: ImportJob) -> None:
    transaction.on_commit(partial(tasks.run_import_job.delay, job.pk))


@require_http_methods(["GET", "POST"])
def import_page(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = start_import(
            owner=request.user,
            uploaded_by=request.user,
            uploaded_file=form.cleaned_data["file"],
            strategy=form.cleaned_data["strategy"],
        )
        if job.status == ImportJob.Status.REJECTED:
            form.add_error("file", job.reason)
        else:
            if not job.needs_mapping:
                enqueue_preview(job)
            return redirect("import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(owner=request.user)[:20]
    context = {"form": form, "jobs": jobs, "strategies": strategy_choices()}
    return render(request, "connections/import.html", context)


def job_urls(job: ImportJob, *, admin: bool = False) -> dict[str, str]:
    if admin:
        base = reverse("admin:connections_importjob_run", args=[job.pk])
        return {
            "page": base,
            "progress": reverse("admin:connections_importjob_progress", args=[job.pk]),
            "mapping": reverse("admin:connections_importjob_mapping", args=[job.pk]),
            "start": reverse("admin:connections_importjob_import_for_user"),
        }
    return {
        "page": reverse("import_job", args=[job.pk]),
        "progress": reverse("import_progress", args=[job.pk]),
        "mapping": reverse("import_mapping", args=[job.pk]),
        "start": reverse("import"),
    }


def job_context(
    request,
    job: ImportJob,
    *,
    admin: bool = False,
    mapping_error: str = "",
    posted_mapping: dict[str, str] | None = None,
) -> dict:
    """Everything the job page shows at its current step, for the user's page and the admin."""
    context = {
        "job": job,
        "urls": job_urls(job, admin=admin),
        "admin_view": admin,
        "strategies": strategy_choices(),
    }
    if job.needs_mapping:
        headers = csv_headers(job)
        fields = mappable_fields()
        chosen = posted_mapping or {}
        context["mapping"] = [
            (index, header, chosen.get(header) or guess_field(header, fields))
            for index, header in enumerate(headers)
        ]
        context["fields"] = fields
        context["mapping_error"] = mapping_error
    if job.status in (ImportJob.Status.AWAITING_CHOICES, ImportJob.Status.DONE):
        context |= _rows_context(request, job)
    return context


def guess_field(header: str, fields: list[tuple[str, str]]) -> str:
    """A first guess for a column, so a tidy spreadsheet needs no changes."""
    words = header.lower().replace("-", " ").replace("_", " ")
    for key, label in fields:
        if words in (key.replace("_", " "), label.lower()):
            return key
    hints = [
        ("mail", "email"),
        ("phone", "phone"),
        ("mobile", "phone"),
        ("first", "first_name"),
        ("last", "last_name"),
        ("surname", "last_name"),
        ("name", "full_name"),
        ("company", "organisation"),
        ("organi", "organisation"),
        ("title", "job_title"),
        ("position", "job_title"),
        ("birth", "birthday"),
        ("note", "notes"),
        ("address", "address"),
        ("web", "website"),
        ("url", "website"),
        ("tag", "tags"),
        ("group", "tags"),
    ]
    known = {key for key, _ in fields}
    for hint, key in hints:
        if hint in words and key in known:
            return key
    return "ignore"


def _rows_context(request, job: ImportJob) -> dict:
    done = job.status == ImportJob.Status.DONE
    column = "outcome" if done else "status"
    counts = dict(
        job.rows.order_by().values(column).annotate(n=Count("id")).values_list(column, "n")
    )
    choices = ImportRow.Outcome.choices if done else ImportRow.Status.choices
    show = request.GET.get("show", "")
    if show not in dict(choices):
        show = ""
    # The kept contact (the whole parsed card, for the import) is not shown: not read.
    rows = job.rows.select_related("matched_person", "person").defer("contact").order_by("number")
    if show:
        rows = rows.filter(**{column: show})
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    tabs = [(value, label, counts.get(value, 0)) for value, label in choices]
    return {
        "counts": counts,
        "total_rows": sum(counts.values()),
        "tabs": [tab for tab in tabs if tab[2] or tab[0] == show],
        "show": show,
        "page": page,
        "row_choices_new": ROW_CHOICES_NEW,
        "row_choices_match": ROW_CHOICES_MATCH,
    }


@require_http_methods(["GET", "POST"])
def import_job(request, pk: int):
    job = _job(request, pk)
    if request.method == "POST":
        return handle_choices(request, job, admin=False)
    return render(request, "connections/import_job.html", job_context(request, job))


def handle_choices(request, job: ImportJob, *, admin: bool):
    """Save the strategy and this page's per-row choices; with "import", start importing."""
    page_url = job_urls(job, admin=admin)["page"]
    if job.status != ImportJob.Status.AWAITING_CHOICES:
        messages.info(request, "This import has already started.")
        return redirect(page_url)
    strategy = request.POST.get("strategy", job.strategy)
    if strategy not in ImportStrategy.values:
        strategy = job.strategy
    row_actions = {}
    for key, value in request.POST.items():
        row_id = key.removeprefix("row-")
        if key.startswith("row-") and row_id.isdigit() and value in ("", *ImportStrategy.values):
            row_actions[int(row_id)] = value
    choose_actions(job=job, strategy=strategy, row_actions=row_actions)
    if "import" in request.POST:
        if queue_import(job):
            enqueue_import(job)
        return redirect(page_url)
    messages.success(request, "Choices saved.")
    query = request.POST.get("return_query", "")
    return redirect(f"{page_url}?{query}" if query else page_url)


@require_POST
def import_mapping(request, pk: int):
    job = _job(request, pk)
    error, posted = apply_mapping(request, job)
    if error:
        context = job_context(request, job, mapping_error=error, posted_mapping=posted)
        return render(request, "connections/import_job.html", context, status=400)
    return redirect("import_job", pk=job.pk)


def apply_mapping(request, job: ImportJob) -> tuple[str, dict[str, str]]:
    """Save the columns chosen for a plain CSV and start the preview; or say what is wrong."""
    if not job.needs_mapping:
        return "", {}
    headers = csv_headers(job)
    posted = {
        header: request.POST.get(f"column-{index}", "ignore")
        for index, header in enumerate(headers)
    }
    try:
        choose_mapping(job=job, mapping=posted)
    except ValueError as error:
        return str(error), posted
    enqueue_preview(job)
    return "", posted


@require_GET
def import_progress(request, pk: int):
    return progress_response(request, _job(request, pk), admin=False)


def progress_response(request, job: ImportJob, *, admin: bool) -> HttpResponse:
    """The polled progress bar; once the job has moved on, the whole page reloads."""
    if not request.htmx:
        return redirect(job_urls(job, admin=admin)["page"])
    if not job.is_running:
        return HttpResponseClientRefresh()
    context = {"job": job, "urls": job_urls(job, admin=admin)}
    return render(request, "connections/import_job_body.html#progress", context)
