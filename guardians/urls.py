from django.urls import path

from . import views

app_name = "guardians"

urlpatterns = [
    path("guardians/", views.program, name="program"),
    path("guardians/sw.js", views.service_worker, name="service_worker"),
    path("guardians/join/", views.join, name="join"),
    path("guardians/join/thanks/", views.join_thanks, name="join_thanks"),
    path("guardians/privacy/", views.privacy_notice, name="privacy_notice"),
    path("guardians/welcome/done/", views.WelcomeDoneView.as_view(), name="welcome_done"),
    path("guardians/welcome/<uidb64>/<token>/", views.WelcomeView.as_view(), name="welcome"),
    path("guardians/applications/", views.application_list, name="application_list"),
    path(
        "guardians/applications/<int:pk>/review/",
        views.application_review,
        name="application_review",
    ),
    path("guardians/visits/", views.visit_list, name="visit_list"),
    path("guardians/visits/new/", views.visit_create, name="visit_create"),
    path("guardians/visits/plan/", views.visit_plan, name="visit_plan"),
    path("guardians/visits/mine/", views.my_visits, name="my_visits"),
    path("guardians/visits/brief/<str:token>/", views.visit_brief, name="visit_brief"),
    path("guardians/visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("guardians/visits/<int:pk>/done/", views.visit_done, name="visit_done"),
    path("guardians/cards/", views.card_list, name="card_list"),
    path("guardians/cards/new/", views.card_new, name="card_new"),
    path("guardians/cards/review/", views.review_queue, name="review_queue"),
    path("guardians/cards/<int:pk>/", views.card_detail, name="card_detail"),
    path("guardians/cards/<int:pk>/review/", views.card_review, name="card_review"),
    path("guardians/training/", views.training_list, name="training_list"),
    path("guardians/training/report/", views.training_report, name="training_report_all"),
    path("guardians/training/<int:pk>/", views.training_detail, name="training_detail"),
    path("guardians/training/<int:pk>/report/", views.training_report, name="training_report"),
    path(
        "guardians/training/<int:pk>/attendance/",
        views.training_attendance,
        name="training_attendance",
    ),
    path(
        "guardians/training/<int:pk>/<str:kind>/",
        views.evaluation_take,
        name="evaluation_take",
    ),
]
