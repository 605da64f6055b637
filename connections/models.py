from django.db import models


class SchedulerTick(models.Model):
    """When beat last ticked: one row per tick name, so /healthz can tell a stopped beat."""

    name = models.CharField(max_length=40, unique=True)
    ticked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.ticked_at:%Y-%m-%d %H:%M:%S}"
