from django.contrib import admin

from connections.models import (
    ContactPoint,
    Goal,
    Interaction,
    Milestone,
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
