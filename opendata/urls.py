from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("open-data/", views.index, name="index"),
    path("open-data/spaces.geojson", views.spaces_geojson, name="spaces_geojson"),
    path("open-data/<slug:slug>.csv", views.dataset_csv, name="dataset_csv"),
    path("contracts/ocds.json", views.contracts_ocds, name="contracts_ocds"),
    path("contracts/<int:pk>/ocds.json", views.contract_ocds, name="contract_ocds"),
]
