from django.contrib import admin

from connections.models import SchedulerTick


@admin.register(SchedulerTick)
class SchedulerTickAdmin(admin.ModelAdmin):
    list_display = ("name", "ticked_at")
    readonly_fields = ("name", "ticked_at")
