from zoneinfo import ZoneInfo

from django.utils import timezone


class UserTimezoneMiddleware:
    """Render dates in the signed-in user's own timezone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(ZoneInfo(user.timezone))
        else:
            timezone.deactivate()
        return self.get_response(request)
