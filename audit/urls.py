from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("audit/head.json", views.head, name="head"),
]
