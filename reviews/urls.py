from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("contract-reviews/", views.review_list, name="list"),
    path("contract-reviews/assign/", views.review_assign, name="assign"),
    path("contract-reviews/<int:pk>/", views.review_detail, name="detail"),
    path("contract-reviews/<int:pk>/comment/", views.review_comment, name="comment"),
    path("contract-reviews/<int:pk>/changes/", views.review_request_changes, name="changes"),
    path("contract-reviews/<int:pk>/publish/", views.review_publish, name="publish"),
    path(
        "contract-reviews/observations/<int:pk>/finding/",
        views.observation_finding,
        name="observation_finding",
    ),
    path(
        "contract-reviews/observations/<int:pk>/request/",
        views.observation_request,
        name="observation_request",
    ),
]
