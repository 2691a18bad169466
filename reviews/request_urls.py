from django.urls import path

from . import request_views

app_name = "transparency"

urlpatterns = [
    path("transparency-requests/", request_views.request_list, name="list"),
    path("transparency-requests/<int:pk>/", request_views.request_detail, name="detail"),
    path(
        "transparency-requests/<int:pk>/solicitud.pdf",
        request_views.request_document_pdf,
        name="pdf",
    ),
    path(
        "transparency-requests/<int:pk>/solicitud.txt",
        request_views.request_document_text,
        name="text",
    ),
]
