from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from connections.calendar import calendar_feed, reset_calendar_token
from connections.nudges import local_today


@login_not_required
@require_GET
def feed(request, token: str):
    """The private feed: the secret token in the address is the only key."""
    user = User.objects.filter(calendar_token=token, is_active=True).first() if token else None
    if user is None:
        raise Http404("No such calendar")
    response = HttpResponse(
        calendar_feed(user=user, today=local_today(user)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="tend.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@require_POST
def reset(request):
    reset_calendar_token(user=request.user)
    messages.success(request, "New calendar address created. The old one no longer works.")
    return redirect("settings")
