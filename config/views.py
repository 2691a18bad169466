from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.pagecache import public_page_cache

from .health import health_report
from .selectors import portal_counts


@transaction.non_atomic_requests
@require_GET
# The key counts: spaces, areas and colonias, contracts and companies, the guardians' program.
@public_page_cache(depends_on=("territory", "contracts", "guardians"))
def home(request):
    return render(request, "home.html", {"counts": portal_counts(request.municipality)})


@never_cache
@require_GET
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
