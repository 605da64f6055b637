from datetime import datetime

from django.utils import timezone

from connections.models import SchedulerTick

TICK = "tick"


def record_tick(*, at: datetime | None = None) -> datetime:
    """Note that a scheduling tick ran, for /healthz to report its age."""
    ticked_at = at or timezone.now()
    SchedulerTick.objects.update_or_create(name=TICK, defaults={"ticked_at": ticked_at})
    return ticked_at


def run_tick() -> datetime:
    """One scheduling tick: the work beat runs every minute (and `dispatch_nudges` runs now)."""
    return record_tick()
