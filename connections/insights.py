"""Insights: how often, how deeply, and how steadily the user keeps in touch.

Every number is one aggregate query, counted in the user's own timezone, so the page costs the
same with ten interactions or two hundred thousand.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncWeek

from connections.models import CIRCLE_CADENCE_DAYS, KIND_DEPTH, Circle, Interaction, Person

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


def week_start(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def _window(now: datetime, weeks: int) -> tuple[date, datetime, datetime]:
    """First Monday of the window and the aware local bounds [start, end) of `weeks` weeks."""
    zone = now.tzinfo
    first_monday = week_start(now.date()) - timedelta(weeks=weeks - 1)
    start = datetime.combine(first_monday, time.min, tzinfo=zone)
    end = datetime.combine(week_start(now.date()) + timedelta(weeks=1), time.min, tzinfo=zone)
    return first_monday, start, end


def weekly_counts(user, *, now: datetime, weeks: int = WEEKS) -> list[Week]:
    """Interactions per local week (Monday to Sunday), oldest first, empty weeks included.

    `now` must be in the user's timezone: weeks begin at the user's Monday midnight.
    """
    first_monday, start, end = _window(now, weeks)
    rows = (
        Interaction.objects.for_user(user)
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .annotate(week=TruncWeek("occurred_at", tzinfo=now.tzinfo, output_field=DateField()))
        .values("week")
        .annotate(count=Count("*"))
        .order_by()
    )
    by_week = {row["week"]: row["count"] for row in rows}
    this_week = week_start(now.date())
    return [
        Week(starts_on=monday, count=by_week.get(monday, 0), is_current=monday == this_week)
        for monday in (first_monday + timedelta(weeks=n) for n in range(weeks))
    ]


def depth_mix(user, *, now: datetime, weeks: int = WEEKS) -> list[DepthShare]:
    """How the user's interactions in the window split into face to face, voice and written."""
    _, start, end = _window(now, weeks)
    counts = dict(
        Interaction.objects.for_user(user)
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .values("kind")
        .annotate(count=Count("*"))
        .order_by()
        .values_list("kind", "count")
    )
    total = sum(counts.values())
    shares = []
    for depth, label, description in DEPTHS:
        kinds = [
            KindCount(kind=kind.value, label=kind.label, count=counts.get(kind.value, 0))
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
