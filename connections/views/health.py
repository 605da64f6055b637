from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from connections.health import check_health


@login_not_required
@never_cache
@require_GET
def healthz(request):
    health = check_health()
    return JsonResponse(health.as_dict(), status=200 if health.ok else 503)
