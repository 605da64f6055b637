from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from connections.importing.pipeline import start_import
from connections.models import (
    ContactPoint,
    Delivery,
    Goal,
    ImportJob,
    ImportRow,
    ImportStrategy,
    Interaction,
    Milestone,
    Nudge,
    Person,
    PersonValue,
    Reflection,
    Relationship,
    SchedulerTick,
    Tag,
    Value,
)
from connections.search import rebuild_documents
from connections.views import imports as import_views


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0
    exclude = ("normalized",)


class PersonValueInline(admin.TabularInline):
    model = PersonValue
    extra = 0
    autocomplete_fields = ("value",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("full_name", "owner", "circle", "last_interaction_at", "paused", "archived_at")
    list_filter = ("circle", "paused")
    search_fields = ("full_name", "nickname", "owner__email")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    inlines = [ContactPointInline, PersonValueInline]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "owner", "kind")
    list_filter = ("kind",)
    search_fields = ("what_i_heard", "owner__email")
    list_select_related = ("owner",)
    raw_id_fields = ("owner", "people")

    # Edits here bypass connections/interactions.py, so the people's search documents are
    # rebuilt here too (for the people before and after the change).
    def save_related(self, request, form, formsets, change):
        before = set(form.instance.people.values_list("id", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        rebuild_documents(before | set(form.instance.people.values_list("id", flat=True)))

    def delete_model(self, request, obj):
        people_ids = list(obj.people.values_list("id", flat=True))
        super().delete_model(request, obj)
        rebuild_documents(people_ids)

    def delete_queryset(self, request, queryset):
        people_ids = list(queryset.values_list("people", flat=True).distinct())
        super().delete_queryset(request, queryset)
        rebuild_documents([pk for pk in people_ids if pk is not None])


@admin.register(Value)
class ValueAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "is_mine")
    search_fields = ("name",)
    list_select_related = ("owner",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "owner")
    search_fields = ("name",)
    list_select_related = ("owner",)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("title", "person", "status", "target_date")
    list_filter = ("status",)
    raw_id_fields = ("person",)
    inlines = [MilestoneInline]


admin.site.register(Relationship, raw_id_fields=("from_person", "to_person"))
admin.site.register(Reflection, list_display=("written_on", "owner", "topic"))


@admin.register(SchedulerTick)
class SchedulerTickAdmin(admin.ModelAdmin):
    list_display = ("name", "ticked_at")
    readonly_fields = ("name", "ticked_at")


@admin.register(Nudge)
class NudgeAdmin(admin.ModelAdmin):
    list_display = ("person", "owner", "kind", "due_on", "status")
    list_filter = ("kind", "status")
    search_fields = ("person__full_name", "owner__email", "reason")
    list_select_related = ("person", "owner")
    raw_id_fields = ("owner", "person", "interaction", "goal", "milestone")
    date_hierarchy = "due_on"


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """What was emailed to whom, and what failed: the operator's view of delivery."""

    list_display = ("owner", "kind", "period", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "kind")
    search_fields = ("owner__email",)
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    filter_horizontal = ("nudges",)
    readonly_fields = ("message_id", "created_at", "sent_at", "lease_until", "enqueued_at")
    date_hierarchy = "period"
    actions = ["retry_now"]

    @admin.action(description="Retry the selected failed or pending emails now")
    def retry_now(self, request, queryset):
        from django.utils import timezone

        count = queryset.filter(status__in=["failed", "pending"]).update(
            status="pending", next_attempt_at=timezone.now(), enqueued_at=None
        )
        self.message_user(request, f"{count} emails will be retried on the next tick.")


# --- imports: every job with its per-row report, and "Import contacts for a user" ---


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.email} ({user.display_name})" if user.display_name else user.email


class ImportForUserForm(forms.Form):
    owner = AccountChoiceField(
        label="Import into the account of",
        queryset=get_user_model().objects.order_by("email"),
    )
    file = forms.FileField(
        label="Contact file",
        help_text="vCard, Google/Outlook/LinkedIn CSV, any CSV, or a Tend export. Up to 50 MB.",
    )
    strategy = forms.ChoiceField(
        label="For people already in their account",
        choices=ImportStrategy.choices,
        initial=ImportStrategy.SKIP,
        widget=forms.RadioSelect,
    )


class ImportRowInline(admin.TabularInline):
    model = ImportRow
    fk_name = "job"
    verbose_name_plural = "rows not simply added (every row is on the job's report page)"
    fields = ("number", "name", "status", "match_reason", "action", "outcome", "person", "message")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("person").defer("contact")
        return queryset.exclude(outcome=ImportRow.Outcome.CREATED).order_by("number")

    @admin.display(description="name")
    def name(self, row):
        return row.record.get("name", "")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "owner__email",
        "format",
        "status",
        "created",
        "updated",
        "merged",
        "skipped",
        "failed",
        "uploaded_by__email",
        "created_at",
    )
    list_filter = ("status", "format")
    search_fields = ("owner__email", "original_name")
    list_select_related = ("owner", "uploaded_by")
    date_hierarchy = "created_at"
    inlines = [ImportRowInline]
    fields = (
        "report",
        "owner",
        "uploaded_by",
        "original_name",
        "format",
        "status",
        "reason",
        "strategy",
        "mapping",
        ("created", "updated", "merged", "skipped", "failed"),
        ("bytes_done", "bytes_total"),
        ("created_at", "started_at", "finished_at"),
    )

    def get_readonly_fields(self, request, obj=None):
        return [
            name
            for entry in self.fields
            for name in (entry if isinstance(entry, tuple) else (entry,))
        ]

    @admin.display(description="report")
    def report(self, job):
        url = reverse("admin:connections_importjob_run", args=[job.pk])
        return format_html('<a href="{}">Preview, choices and row-by-row report</a>', url)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "import/",
                wrap(self.import_for_user_view),
                name="connections_importjob_import_for_user",
            ),
            path("<int:pk>/run/", wrap(self.run_view), name="connections_importjob_run"),
            path(
                "<int:pk>/run/progress/",
                wrap(self.progress_view),
                name="connections_importjob_progress",
            ),
            path(
                "<int:pk>/run/mapping/",
                wrap(self.mapping_view),
                name="connections_importjob_mapping",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:connections_importjob_import_for_user")

    def _job_or_404(self, request, pk: int) -> ImportJob:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(ImportJob, pk=pk)

    def import_for_user_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForUserForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = start_import(
                owner=form.cleaned_data["owner"],
                uploaded_by=request.user,
                uploaded_file=form.cleaned_data["file"],
                strategy=form.cleaned_data["strategy"],
            )
            if job.status == ImportJob.Status.REJECTED:
                form.add_error("file", job.reason)
            else:
                if not job.needs_mapping:
                    import_views.enqueue_preview(job)
                return redirect("admin:connections_importjob_run", pk=job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import contacts for a user",
            "form": form,
        }
        return render(request, "admin/connections/importjob/import_for_user.html", context)

    def run_view(self, request, pk: int):
        job = self._job_or_404(request, pk)
        if request.method == "POST":
            if not self.has_change_permission(request, job):
                raise PermissionDenied
            return import_views.handle_choices(request, job, admin=True)
        return self._render_run(request, job)

    def _render_run(self, request, job: ImportJob, status: int = 200, **extra):
        context = {
            **self.admin_site.each_context(request),
            **import_views.job_context(request, job, admin=True, **extra),
            "opts": self.model._meta,
            "original": job,
            "title": f"Import {job.original_name} for {job.owner}",
        }
        return render(request, "admin/connections/importjob/run.html", context, status=status)

    def progress_view(self, request, pk: int):
        return import_views.progress_response(request, self._job_or_404(request, pk), admin=True)

    def mapping_view(self, request, pk: int):
        job = self._job_or_404(request, pk)
        if request.method != "POST" or not self.has_change_permission(request, job):
            raise PermissionDenied
        error, posted = import_views.apply_mapping(request, job)
        if error:
            return self._render_run(
                request, job, status=400, mapping_error=error, posted_mapping=posted
            )
        return redirect("admin:connections_importjob_run", pk=job.pk)


@admin.register(ImportRow)
class ImportRowAdmin(admin.ModelAdmin):
    """Every row of every import, read-only: search a job's report by name or reason."""

    list_display = ("job", "number", "status", "match_reason", "action", "outcome", "message")
    list_filter = ("status", "outcome")
    search_fields = ("job__owner__email", "job__original_name", "message")
    list_select_related = ("job", "job__owner")
    raw_id_fields = ("job", "matched_person", "person")

    def get_queryset(self, request):
        # The kept contact can be a whole card with a photo; the list does not show it.
        return super().get_queryset(request).defer("contact")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
