from django.contrib import admin

from core.admin_base import MunicipalityScopedAdmin, MunicipalityScopedInline
from guardians.admin import VersionedTemplateAdminMixin

from . import services
from .models import (
    ContractReview,
    Observation,
    ReviewAssignment,
    ReviewTemplate,
    ReviewTemplateItem,
)


class ReviewTemplateItemInline(MunicipalityScopedInline):
    model = ReviewTemplateItem
    extra = 1
    fields = ["order", "section", "code", "text", "help_text", "document_asked", "required"]


@admin.register(ReviewTemplate)
class ReviewTemplateAdmin(VersionedTemplateAdminMixin, MunicipalityScopedAdmin):
    """Saving a checklist saves a new version, so the reviews made with the earlier version
    keep the questions they answered."""

    list_display = ["name", "version", "is_current", "created_at"]
    inlines = [ReviewTemplateItemInline]
    save_version = staticmethod(services.review_template_version_save)


class ReviewAssignmentInline(MunicipalityScopedInline):
    model = ReviewAssignment
    extra = 0
    fields = ["guardian", "name_public"]
    is_personal_data = True


class ObservationInline(MunicipalityScopedInline):
    model = Observation
    extra = 0
    fields = ["item", "text", "outcome", "finding"]
    readonly_fields = ["outcome", "finding"]


@admin.register(ContractReview)
class ContractReviewAdmin(MunicipalityScopedAdmin):
    """Reviews are assigned, answered and published in the portal; here staff correct what
    the public sees (the summary, the observations, who may be named)."""

    list_display = ["contract", "status", "created_at", "submitted_at", "published_at"]
    list_filter = ["status"]
    list_select_related = ["contract"]
    readonly_fields = [
        "contract",
        "template",
        "status",
        "assigned_by",
        "submitted_at",
        "published_at",
        "published_by",
    ]
    inlines = [ReviewAssignmentInline, ObservationInline]

    def has_add_permission(self, request):
        return False
