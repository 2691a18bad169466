from django.urls import path

from . import views

app_name = "territory"

urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("spaces/<str:code>/", views.space_detail, name="space_detail"),
    path("api/spaces.geojson", views.spaces_geojson, name="spaces_geojson"),
    path("api/spaces/nearest.json", views.spaces_nearest, name="spaces_nearest"),
]
