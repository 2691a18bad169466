import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from core.admin_base import configure_admin_site
from core.uploads import serve_media
from workspace.registry import sections_for

from . import views
from .selectors import portal_counts

# The admin index shows the portal's key counts and the user's work queues, which read every
# app: config, the top layer, hands them to core's admin base.
configure_admin_site(admin.site, portal_counts=portal_counts, workspace_sections=sections_for)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("accounts.urls")),
    path("workspace/", include("workspace.urls")),
    path("", include("accounts.privacy.urls")),
    path("admin/", admin.site.urls),
    path("", include("territory.urls")),
    path("", include("contracts.urls")),
    path("", include("guardians.urls")),
    path("", include("complaints.urls")),
    path("", include("committees.urls")),
    path("", include("findings.urls")),
    path("", include("opendata.urls")),
    path("", include("audit.urls")),
    path("", include("alerts.urls")),
    path("", include("reviews.urls")),
    path("", include("reviews.request_urls")),
]

# Media are served by Django only with SERVE_MEDIA (serve_media checks it on each request);
# in production the web server, or another host named by MEDIA_URL, serves MEDIA_ROOT with
# the same headers (docs/security.md).
if not urlsplit(settings.MEDIA_URL).netloc:
    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", serve_media, name="media")]
