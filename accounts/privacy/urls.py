"""The privacy notice and ARCO rights, at /privacy/ and /account/."""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.privacy_notice, name="notice"),
    path("privacy/complaint-request/", views.complaint_request, name="complaint_request"),
    path(
        "privacy/complaint-request/confirm/<str:token>/",
        views.complaint_request_confirm_view,
        name="complaint_request_confirm",
    ),
    path("account/my-data/", views.my_data, name="my_data"),
    path("account/my-data.json", views.my_data_download, name="my_data_download"),
    path("account/my-data/request/", views.arco_request, name="request"),
    path("account/my-data/confirm-email/", views.email_confirm_send, name="email_confirm_send"),
    path(
        "account/my-data/confirm-email/<str:token>/",
        views.email_confirm,
        name="email_confirm",
    ),
]
