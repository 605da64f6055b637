from dataclasses import dataclass

from django.shortcuts import render
from django.views.decorators.http import require_GET

from connections.insights import circle_rhythm, mix_of, weeks_of, window_counts

CHART_HEIGHT = 100
BAR_SLOT = 10
BAR_WIDTH = 7


# The chart's wording and positions are worked out here, not with template filters: 26
# bars and 26 table rows through `date` and `stringformat` were a third of the page's
# rendering. Dates are written as strftime writes them, as the `absolute` filter does.


@dataclass(frozen=True)
class Bar:
    count: int
    is_current: bool
    week_of: str  # "1 June"
    # Where it is drawn in the SVG, to two decimals.
    x: str
    y: str
    height: str
    month_label: str


@dataclass(frozen=True)
class WeekRow:
    starts: str  # "Mon 1 Jun 2026"
    count: int
    is_current: bool


@dataclass(frozen=True)
class Segment:
    depth: str
    label: str
    percent: int
    x: float
    width: float


def _scale_top(largest: int) -> int:
    """A round number at or above the busiest week, so gridlines read naturally."""
    for top in (2, 4, 6, 8, 10, 12, 16, 20, 30, 40, 50):
        if largest <= top:
            return top
    return -(-largest // 20) * 20


def _bars(weeks) -> tuple[list[Bar], int]:
    top = _scale_top(max((week.count for week in weeks), default=0))
    bars = []
    previous_month = None
    for index, week in enumerate(weeks):
        height = CHART_HEIGHT * week.count / top
        # Label a bar with its month when the month changes, leaving the first week's month
        # out if the next one starts a new month at once (labels would touch).
        month = week.starts_on.month
        label = f"{week.starts_on:%b}" if month != previous_month else ""
        previous_month = month
        bars.append(
            Bar(
                count=week.count,
                is_current=week.is_current,
                week_of=f"{week.starts_on.day} {week.starts_on:%B}",
                x=f"{index * BAR_SLOT + (BAR_SLOT - BAR_WIDTH) / 2:.2f}",
                y=f"{CHART_HEIGHT - height:.2f}",
                height=f"{height:.2f}",
                month_label=label,
            )
        )
    if len(bars) > 1 and bars[0].month_label and bars[1].month_label:
        bars[0] = Bar(**{**bars[0].__dict__, "month_label": ""})
    return bars, top


def _week_rows(weeks) -> list[WeekRow]:
    """The chart as a table, newest week first."""
    return [
        WeekRow(
            starts=f"{week.starts_on:%a} {week.starts_on.day} {week.starts_on:%b %Y}",
            count=week.count,
            is_current=week.is_current,
        )
        for week in reversed(weeks)
    ]


def _segments(mix) -> list[Segment]:
    total = sum(share.count for share in mix)
    segments, x = [], 0.0
    for share in mix:
        width = 100 * share.count / total if total else 0
        if width:
            segments.append(
                Segment(
                    depth=share.depth, label=share.label, percent=share.percent, x=x, width=width
                )
            )
        x += width
    return segments


@require_GET
def insights(request):
    """How often, how deeply and how steadily the user keeps in touch, as small SVG charts."""
    now = request.user.local_now()
    counts = window_counts(request.user, now=now)
    weeks = weeks_of(counts, now=now)
    mix = mix_of(counts)
    bars, top = _bars(weeks)
    total = sum(week.count for week in weeks)
    context = {
        "week_rows": _week_rows(weeks),
        "bars": bars,
        "top": top,
        "half": top // 2,
        "chart_width": len(bars) * BAR_SLOT,
        "chart_height": CHART_HEIGHT,
        "total": total,
        "this_week": weeks[-1].count,
        "average": total / len(weeks),
        "busiest": max(weeks, key=lambda week: week.count) if total else None,
        "mix": mix,
        "segments": _segments(mix),
        "face": mix[0],
        "rhythm": circle_rhythm(request.user, now=now),
    }
    return render(request, "connections/insights.html", context)
