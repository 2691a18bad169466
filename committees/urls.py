from django.urls import path

from . import views

app_name = "committees"

urlpatterns = [
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("copladem/", views.planning, name="planning"),
    path("forums/", views.forum_list, name="forum_list"),
    path("forums/<int:pk>/", views.forum_detail, name="forum_detail"),
    path("works/", views.work_list, name="work_list"),
    path("committees/verify/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("equity/", views.equity, name="equity"),
    path("equity.csv", views.equity_csv, name="equity_csv"),
    path("api/equity.geojson", views.equity_geojson, name="equity_geojson"),
    path("participation/", views.dashboard, name="dashboard"),
    path("participation/needs/", views.need_list, name="need_list"),
    path("participation/needs.geojson", views.needs_geojson, name="needs_geojson"),
    path("participation/needs/new/", views.need_create, name="need_create"),
    path("participation/needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("participation/needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("participation/needs/<int:pk>/status/", views.need_status, name="need_status"),
    path("participation/forums/new/", views.forum_create, name="forum_create"),
    path("participation/forums/to-close/", views.forum_close_list, name="forum_close_list"),
    path("participation/forums/<int:pk>/close/", views.forum_close, name="forum_close"),
    path("participation/copladem/sessions/new/", views.session_create, name="session_create"),
    path("participation/copladem/agreements/", views.agreement_list, name="agreement_list"),
    path("participation/agreements/<int:pk>/done/", views.agreement_done, name="agreement_done"),
    path(
        "participation/committees/registrations/",
        views.registration_list,
        name="registration_list",
    ),
    path(
        "participation/committees/<int:pk>/register/",
        views.committee_register,
        name="committee_register",
    ),
    path(
        "participation/committees/<int:pk>/certificate/",
        views.certificate_issue,
        name="certificate_issue",
    ),
    path(
        "participation/certificates/<int:pk>/certificate.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("participation/works/", views.works_report_list, name="works_report_list"),
    path("participation/activities/", views.activity_list, name="activity_list"),
    path("participation/activities/new/", views.activity_create, name="activity_create"),
    path("participation/employees/", views.employee_list, name="employee_list"),
    path("participation/assignments/new/", views.assignment_create, name="assignment_create"),
    path("participation/assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("participation/allocations/", views.allocation_list, name="allocation_list"),
    path(
        "allocations/<int:pk>/history/",
        views.allocation_history,
        name="allocation_history",
    ),
    path("participation/allocations/new/", views.allocation_create, name="allocation_create"),
    path("participation/works/<int:pk>/progress/", views.work_progress, name="work_progress"),
    path("participation/requisitions/", views.requisition_list, name="requisition_list"),
    path("participation/requisitions/new/", views.requisition_create, name="requisition_create"),
    path(
        "participation/requisitions/<int:pk>/",
        views.requisition_detail,
        name="requisition_detail",
    ),
    path(
        "participation/requisitions/<int:pk>/submit/",
        views.requisition_submit,
        name="requisition_submit",
    ),
    path(
        "participation/requisitions/<int:pk>/answer/",
        views.requisition_answer,
        name="requisition_answer",
    ),
    path(
        "participation/requisitions/<int:pk>/document.<str:fmt>",
        views.requisition_document,
        name="requisition_document",
    ),
]
