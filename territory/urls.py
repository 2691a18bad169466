from django.urls import path

from . import views
from .api import layers as api_layers
from .api import views as api_views

app_name = "territory"

urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("spaces/<str:code>/", views.space_detail, name="space_detail"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
    path("colonias/<int:pk>/", views.colonia_detail, name="colonia_detail"),
    path("api/spaces.geojson", api_views.spaces_geojson, name="spaces_geojson"),
    path("api/spaces/nearest.json", api_views.spaces_nearest, name="spaces_nearest"),
    path("api/layers/nearest.json", api_layers.layers_nearest, name="layers_nearest"),
    path("api/layers/<slug:key>.geojson", api_layers.layer_geojson, name="layer_geojson"),
]
