from django.urls import path, re_path

from . import views
from .api import open311

app_name = "complaints"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("complaints/", views.complaint_list, name="list"),
    path("complaints/new/", views.complaint_new, name="new"),
    path("complaints/nearby.json", views.complaint_nearby, name="nearby"),
    path("complaints/complaints.geojson", views.complaint_geojson, name="geojson"),
    path("complaints/track/", views.complaint_track, name="track"),
    path("complaints/inbox/", views.inbox, name="inbox"),
    path("complaints/inbox/<str:code>/", views.inbox_detail, name="inbox_detail"),
    path("complaints/brief/", views.brief, name="brief"),
    path("complaints/impact/", views.impact, name="impact"),
    path("complaints/privacy/", views.privacy_notice, name="privacy_notice"),
    path("complaints/fixed/<str:token>/", views.fixed_answer, name="fixed_answer"),
    path("complaints/<str:code>/", views.complaint_detail, name="detail"),
    path("complaints/<str:code>/follow/", views.follow, name="follow"),
    path(
        "complaints/<str:code>/follow/confirm/<str:token>/",
        views.follow_confirm,
        name="follow_confirm",
    ),
    path("complaints/<str:code>/unfollow/<uuid:token>/", views.unfollow, name="unfollow"),
    # Open311 GeoReport v2
    path("open311/v2/", open311.root, name="open311_root"),
    re_path(r"^open311/v2/discovery" + FMT, open311.discovery, name="open311_discovery"),
    re_path(r"^open311/v2/services" + FMT, open311.services, name="open311_services"),
    re_path(
        r"^open311/v2/services/(?P<code>[-\w]+)" + FMT,
        open311.service_definition,
        name="open311_service",
    ),
    re_path(r"^open311/v2/requests" + FMT, open311.requests, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<code>[-\w]+)" + FMT,
        open311.request_detail,
        name="open311_request",
    ),
    re_path(r"^open311/v2/tokens/(?P<token>[-\w]+)" + FMT, open311.token, name="open311_token"),
]
