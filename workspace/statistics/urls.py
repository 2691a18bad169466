from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("", views.index, name="index"),
    path("refresh/", views.refresh, name="refresh"),
    path("<slug:key>/", views.detail, name="detail"),
    path("<slug:key>.csv", views.detail_csv, name="csv"),
]
