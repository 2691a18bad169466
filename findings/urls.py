from django.urls import path

from . import views
from .api import views as api_views

app_name = "findings"

urlpatterns = [
    path("findings/", views.finding_list, name="list"),
    path("findings/messages/", views.message_list, name="messages"),
    path("findings/<int:pk>/", views.finding_detail, name="detail"),
    path("findings/<int:pk>/act/", views.finding_act, name="act"),
    path("fix-rate/", views.fix_rate, name="fix_rate"),
    path(
        "api/v1/service-status/work-logs/",
        api_views.WorkLogListCreate.as_view(),
        name="api_work_logs",
    ),
    path(
        "api/v1/service-status/known-issues/",
        api_views.KnownIssueListCreate.as_view(),
        name="api_known_issues",
    ),
]
