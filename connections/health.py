from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

from connections.models import SchedulerTick
from connections.scheduling import TICK


@dataclass(frozen=True)
class Health:
    database_ok: bool
    broker_ok: bool
    seconds_since_tick: float | None

    @property
    def tick_recent(self) -> bool:
        stale_after = settings.TICK_STALE_AFTER.total_seconds()
        return self.seconds_since_tick is not None and self.seconds_since_tick <= stale_after

    @property
    def ok(self) -> bool:
        return self.database_ok and self.broker_ok and self.tick_recent

    def as_dict(self) -> dict:
        return {
            "status": "ok" if self.ok else "unhealthy",
            "database": "ok" if self.database_ok else "unreachable",
            "broker": "ok" if self.broker_ok else "unreachable",
            "seconds_since_last_tick": (
                None if self.seconds_since_tick is None else round(self.seconds_since_tick, 1)
            ),
            "tick": "recent" if self.tick_recent else "stale",
        }


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def _seconds_since_tick(database_ok: bool) -> float | None:
    if not database_ok:
        return None
    ticked_at = SchedulerTick.objects.filter(name=TICK).values_list("ticked_at", flat=True).first()
    if ticked_at is None:
        return None
    return max((timezone.now() - ticked_at).total_seconds(), 0.0)


def check_health() -> Health:
    database_ok = _database_ok()
    return Health(
        database_ok=database_ok,
        broker_ok=_broker_ok(),
        seconds_since_tick=_seconds_since_tick(database_ok),
    )
