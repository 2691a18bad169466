from django.urls import path

from . import feeds, views

app_name = "alerts"

urlpatterns = [
    path("alerts/follow/spaces/<str:code>/", views.follow_space, name="follow_space"),
    path("alerts/follow/areas/<int:pk>/", views.follow_area, name="follow_area"),
    path("alerts/follow/colonias/<int:pk>/", views.follow_colonia, name="follow_colonia"),
    path("alerts/confirm/<str:token>/", views.confirm, name="confirm"),
    path("alerts/unsubscribe/<uuid:token>/", views.unsubscribe, name="unsubscribe"),
    path("alerts/unsubscribe-all/<uuid:token>/", views.unsubscribe_all, name="unsubscribe_all"),
    path("alerts/spaces/<str:code>/feed/", feeds.SpaceFeed(), name="space_feed"),
    path("alerts/areas/<int:pk>/feed/", feeds.AreaFeed(), name="area_feed"),
    path("alerts/colonias/<int:pk>/feed/", feeds.ColoniaFeed(), name="colonia_feed"),
    path(
        "alerts/colonias/<int:pk>/<slug:service>/feed/",
        feeds.ColoniaFeed(),
        name="colonia_service_feed",
    ),
]
