from datetime import timedelta

from django.shortcuts import render
from django.views.decorators.http import require_GET

from connections import dashboard as reads
from connections.dates_ahead import dates_ahead
from connections.insights import circle_rhythm
from connections.models import Nudge
from connections.nudges import first_due_nudges
from connections.weekly import this_weeks_three

# The most important first; hundreds of cards would bury them (and cost seconds to render).
DUE_LIMIT = 12


@require_GET
def dashboard(request):
    """Today first: who to reach out to and why, then what is coming up and what happened."""
    now = request.user.local_now()
    start = reads.getting_started(request.user)
    context = {"start": start, "today": now.date()}
    if start.has_people:
        today = now.date()
        reach_out = reads.reach_out_today(request.user, now=now)
        # Lapsed rhythms are listed below with richer context ("Past their rhythm").
        nudges, nudges_total = first_due_nudges(
            request.user, today, exclude_kinds=[Nudge.Kind.CADENCE], limit=DUE_LIMIT
        )
        # "Coming up" and the weekly three read the same dates.
        dates = dates_ahead(
            request.user, first=today, last=today + timedelta(days=reads.HORIZON_DAYS)
        )
        context.update(
            reach_out=reach_out,
            reach_out_total=reach_out[0].overdue_total if reach_out else 0,
            upcoming=reads.upcoming_dates(request.user, today=today, dates=dates),
            recent=reads.recent_interactions(request.user),
            rhythm=circle_rhythm(request.user, now=now),
            nudges=reads.nudge_cards(nudges, today=today),
            nudges_total=nudges_total,
            three=this_weeks_three(user=request.user, today=today, now=now, dates=dates),
        )
    return render(request, "connections/dashboard.html", context)
