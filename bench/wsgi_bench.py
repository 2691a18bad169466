"""The project's WSGI application plus one plain view, for the benchmark only.

``/bench/plain`` is a Django view returning a fixed string, served by the same Django handler
and middleware as every page: the fixed cost of a request in this server, against which
bench/bench_scale.py compares a space page. The route lives in this module's URLconf (which
includes the project's), so no benchmark route enters the project's own URLs.

    gunicorn bench.wsgi_bench:application --workers 2 --bind 127.0.0.1:8765
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
settings.ROOT_URLCONF = "bench.wsgi_bench"

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

from config.urls import urlpatterns as project_urlpatterns  # noqa: E402


def plain(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/plain", plain), *project_urlpatterns]

application = get_wsgi_application()
