from django.urls import include, path

from . import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("statistics/", include("workspace.statistics.urls")),
]
