"""Insights: how often, how deeply, and how steadily the user keeps in touch.

The weekly counts and the depth mix come from one aggregate query over the window, and the
rhythm from another, counted in the user's own timezone, so the page costs the same with ten
interactions or two hundred thousand.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q

from connections.models import (
    CIRCLE_CADENCE_DAYS,
    KIND_DEPTH,
    Circle,
    Interaction,
    Person,
    week_start,
)
from connections.querysets import Bucket

WEEKS = 26

DEPTHS = [
    ("face", "Face to face", "in person or by video"),
    ("voice", "Voice", "calls and voice messages"),
    ("written", "Written", "texts, emails and letters"),
]


@dataclass(frozen=True)
class Week:
    starts_on: date
    count: int
    is_current: bool


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class DepthShare:
    depth: str
    label: str
    description: str
    count: int
    percent: int
    kinds: list[KindCount]


@dataclass(frozen=True)
class CircleRhythm:
    circle: str
    label: str
    cadence_days: int | None
    total: int
    within: int

    @property
    def percent(self) -> int:
        return round(100 * self.within / self.total) if self.total else 0


def _window(now: datetime, weeks: int) -> tuple[date, datetime, datetime]:
    """First Monday of the window and the aware local bounds [start, end) of `weeks` weeks."""
    zone = now.tzinfo
    first_monday = week_start(now.date()) - timedelta(weeks=weeks - 1)
    start = datetime.combine(first_monday, time.min, tzinfo=zone)
    end = datetime.combine(week_start(now.date()) + timedelta(weeks=1), time.min, tzinfo=zone)
    return first_monday, start, end


def window_counts(user, *, now: datetime, weeks: int = WEEKS) -> dict[tuple[int, str], int]:
    """How many interactions of each kind in each week of the window (0 is the oldest), read
    in one pass: each row's week is found by comparing it with the local Monday midnights
    that end the weeks (a `Bucket`), so weeks with a daylight saving change stay exact.

    `now` must be in the user's timezone: weeks begin at the user's Monday midnight.
    """
    first_monday, start, end = _window(now, weeks)
    ends = [
        datetime.combine(first_monday + timedelta(weeks=n + 1), time.min, tzinfo=now.tzinfo)
        for n in range(weeks)
    ]
    rows = (
        Interaction.objects.for_user(user)
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .annotate(week=Bucket(F("occurred_at"), ends))
        .values_list("week", "kind")
        .annotate(count=Count("*"))
        .order_by()
    )
    return {(week, kind): count for week, kind, count in rows}


def weeks_of(
    counts: dict[tuple[int, str], int], *, now: datetime, weeks: int = WEEKS
) -> list[Week]:
    """Interactions per local week (Monday to Sunday), oldest first, empty weeks included."""
    first_monday, _, _ = _window(now, weeks)
    by_week = defaultdict(int)
    for (week, _kind), count in counts.items():
        by_week[week] += count
    return [
        Week(
            starts_on=first_monday + timedelta(weeks=n),
            count=by_week[n],
            is_current=n == weeks - 1,
        )
        for n in range(weeks)
    ]


def mix_of(counts: dict[tuple[int, str], int]) -> list[DepthShare]:
    """How the window's interactions split into face to face, voice and written."""
    by_kind = defaultdict(int)
    for (_week, kind), count in counts.items():
        by_kind[kind] += count
    total = sum(by_kind.values())
    shares = []
    for depth, label, description in DEPTHS:
        kinds = [
            KindCount(kind=kind.value, label=kind.label, count=by_kind[kind.value])
            for kind, kind_depth in KIND_DEPTH.items()
            if kind_depth == depth
        ]
        count = sum(k.count for k in kinds)
        shares.append(
            DepthShare(
                depth=depth,
                label=label,
                description=description,
                count=count,
                percent=round(100 * count / total) if total else 0,
                kinds=kinds,
            )
        )
    return shares


def weekly_counts(user, *, now: datetime, weeks: int = WEEKS) -> list[Week]:
    """Interactions per local week, oldest first (see `window_counts`)."""
    return weeks_of(window_counts(user, now=now, weeks=weeks), now=now, weeks=weeks)


def depth_mix(user, *, now: datetime, weeks: int = WEEKS) -> list[DepthShare]:
    """How the user's interactions in the window split into face to face, voice and written."""
    return mix_of(window_counts(user, now=now, weeks=weeks))


def circle_rhythm(user, *, now: datetime) -> list[CircleRhythm]:
    """Per circle with a rhythm: how many active, unpaused people are within their cadence."""
    rows = {
        row["circle"]: row
        for row in Person.objects.for_user(user)
        .active()
        .filter(paused=False, cadence_days__isnull=False)
        .with_cadence_lag(now)
        .values("circle")
        .annotate(total=Count("id"), within=Count("id", filter=Q(cadence_lag__lte=1.0)))
        .order_by()
    }
    return [
        CircleRhythm(
            circle=circle.value,
            label=circle.label,
            cadence_days=CIRCLE_CADENCE_DAYS[circle],
            total=rows[circle.value]["total"],
            within=rows[circle.value]["within"],
        )
        for circle in Circle
        if circle.value in rows
    ]
