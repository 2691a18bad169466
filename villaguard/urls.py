from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("accounts.urls")),
    path("", include("accounts.privacy_urls")),
    path("admin/", admin.site.urls),
    path("", include("territory.urls")),
    path("", include("contracts.urls")),
    path("", include("guardians.urls")),
    path("", include("complaints.urls")),
    path("", include("committees.urls")),
    path("", include("findings.urls")),
    path("", include("opendata.urls")),
    path("", include("audit.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
