from django.shortcuts import render
from django.views.decorators.http import require_GET

from connections import dashboard as reads
from connections.insights import circle_rhythm
from connections.models import Nudge
from connections.nudges import count_due_nudges, due_nudges
from connections.weekly import weekly_three

# The most important first; hundreds of cards would bury them (and cost seconds to render).
DUE_LIMIT = 12


@require_GET
def dashboard(request):
    """Today first: who to reach out to and why, then what is coming up and what happened."""
    now = request.user.local_now()
    start = reads.getting_started(request.user)
    context = {"start": start, "today": now.date()}
    if start.has_people:
        reach_out = reads.reach_out_today(request.user, now=now)
        context.update(
            reach_out=reach_out,
            reach_out_total=reach_out[0].overdue_total if reach_out else 0,
            upcoming=reads.upcoming_dates(request.user, today=now.date()),
            recent=reads.recent_interactions(request.user),
            rhythm=circle_rhythm(request.user, now=now),
            # Lapsed rhythms are listed below with richer context ("Past their rhythm").
            nudges=due_nudges(
                request.user, now.date(), exclude_kinds=[Nudge.Kind.CADENCE], limit=DUE_LIMIT
            ),
            nudges_total=count_due_nudges(
                request.user, now.date(), exclude_kinds=[Nudge.Kind.CADENCE]
            ),
            three=weekly_three(user=request.user, today=now.date(), now=now),
        )
    return render(request, "connections/dashboard.html", context)
