from django.contrib import admin

from connections.models import (
    ContactPoint,
    Delivery,
    Goal,
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
    exclude = ("search_vector",)


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
