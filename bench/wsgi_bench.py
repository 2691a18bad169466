"""The project's WSGI application plus two plain views, for the benchmark only.

``/bench/plain`` is a Django view returning a fixed string, served by the same Django handler
and middleware as every page: the fixed cost of a request in this server, against which
bench/bench_scale.py compares every public page. ``/bench/insert`` is a view that inserts one
complaint row through the ORM, as the Open311 ``POST requests`` does, but with none of its
rules (the key, its rate, the service, the place under the point, the history): the floor
under the Open311 intake. The routes live in this module's URLconf (which includes the
project's), so no benchmark route enters the project's own URLs.

    gunicorn bench.wsgi_bench:application --workers 2 --bind 127.0.0.1:8765
"""

import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
settings.ROOT_URLCONF = "bench.wsgi_bench"

from django.contrib.gis.geos import Point  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import transaction  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from complaints.models import Complaint  # noqa: E402
from config.urls import urlpatterns as project_urlpatterns  # noqa: E402
from territory.models import ServiceType  # noqa: E402


def plain(request):
    return HttpResponse("ok", content_type="text/plain")


_service_ids: dict[int, int] = {}  # by municipality: read once per process


@csrf_exempt
@transaction.non_atomic_requests
@require_POST
def insert(request):
    """One complaint row, from the same form body as an Open311 POST, in one INSERT."""
    municipality = request.municipality
    if municipality.pk not in _service_ids:
        _service_ids[municipality.pk] = (
            ServiceType.objects.filter(municipality=municipality).order_by("pk").first().pk
        )
    complaint = Complaint.private_objects.create(
        municipality=municipality,
        service_type_id=_service_ids[municipality.pk],
        code="P" + secrets.token_hex(5).upper(),
        description=request.POST.get("description", ""),
        location=Point(float(request.POST["long"]), float(request.POST["lat"]), srid=4326),
        source=Complaint.Source.OPEN311,
        created_at=timezone.now(),
    )
    return JsonResponse(
        [{"service_request_id": complaint.code, "token": str(complaint.token)}], safe=False
    )


urlpatterns = [path("bench/plain", plain), path("bench/insert", insert), *project_urlpatterns]

application = get_wsgi_application()
