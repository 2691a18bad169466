"""The privacy notice and ARCO rights, at /privacy/ and /account/."""

from django.urls import path

from . import privacy_views as views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.privacy_notice, name="notice"),
    path("privacy/complaint-request/", views.complaint_request, name="complaint_request"),
    path("account/my-data/", views.my_data, name="my_data"),
    path("account/my-data.json", views.my_data_download, name="my_data_download"),
    path("account/my-data/request/", views.arco_request, name="request"),
]
