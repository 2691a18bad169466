from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_base import MunicipalityScopedAdmin, MunicipalityScopedInline

from . import services
from .models import (
    AttemptAnswer,
    Card,
    CardAnswer,
    CardPhoto,
    CardTemplate,
    CardTemplateItem,
    Evaluation,
    EvaluationAttempt,
    Guardian,
    GuardianApplication,
    Question,
    QuestionChoice,
    TrainingModule,
    TrainingSession,
    Visit,
    VisitPhoto,
)


@admin.register(GuardianApplication)
class GuardianApplicationAdmin(MunicipalityScopedAdmin):
    list_display = ["full_name", "colonia", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["full_name", "email"]
    readonly_fields = ["privacy_accepted_at", "reviewed_at", "reviewed_by", "guardian", "status"]
    raw_id_fields = ["colonia", "spaces"]
    filter_horizontal = ["service_types"]
    actions = ["approve", "reject"]

    @admin.action(description=_("Approve and send the invitation e-mail"))
    def approve(self, request, queryset):
        done = 0
        for application in queryset:
            try:
                services.guardian_application_approve(
                    application=application,
                    reviewed_by=request.user,
                    base_url=request.build_absolute_uri("/"),
                )
                done += 1
            except ValidationError as error:
                self.message_user(
                    request, f"{application}: {' '.join(error.messages)}", messages.ERROR
                )
        if done:
            self.message_user(
                request,
                ngettext("%d guardian approved.", "%d guardians approved.", done) % done,
            )

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        for application in queryset:
            try:
                services.guardian_application_reject(
                    application=application, reviewed_by=request.user
                )
            except ValidationError as error:
                self.message_user(
                    request, f"{application}: {' '.join(error.messages)}", messages.ERROR
                )


@admin.register(Guardian)
class GuardianAdmin(MunicipalityScopedAdmin):
    list_display = ["__str__", "colonia", "status", "is_lead", "appointed_on_visit"]
    list_filter = ["status", "is_lead"]
    list_select_related = ["user", "colonia", "appointed_on_visit__colonia"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "colonia__name"]
    raw_id_fields = ["user", "colonia", "spaces", "appointed_on_visit"]
    filter_horizontal = ["service_types"]
    readonly_fields = ["privacy_accepted_at"]


class VisitPhotoInline(MunicipalityScopedInline):
    model = VisitPhoto
    extra = 0


@admin.register(Visit)
class VisitAdmin(MunicipalityScopedAdmin):
    list_display = ["date", "colonia", "status", "people_contacted"]
    list_filter = ["status"]
    list_select_related = ["colonia"]
    date_hierarchy = "date"
    raw_id_fields = ["colonia", "spaces", "staff_present", "guardians_invited", "created_by"]
    inlines = [VisitPhotoInline]


@admin.register(TrainingModule)
class TrainingModuleAdmin(MunicipalityScopedAdmin):
    list_display = ["title", "topic", "order"]
    list_filter = ["topic"]


class EvaluationInline(MunicipalityScopedInline):
    model = Evaluation
    extra = 0
    max_num = 2
    filter_horizontal = ["questions"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(MunicipalityScopedAdmin):
    list_display = ["title", "date", "place"]
    date_hierarchy = "date"
    filter_horizontal = ["modules"]
    inlines = [EvaluationInline]


@admin.register(Evaluation)
class EvaluationAdmin(MunicipalityScopedAdmin):
    municipality_path = "session__municipality"
    list_display = ["session", "kind"]
    list_select_related = ["session"]
    filter_horizontal = ["questions"]


class QuestionChoiceInline(MunicipalityScopedInline):
    model = QuestionChoice
    extra = 3


@admin.register(Question)
class QuestionAdmin(MunicipalityScopedAdmin):
    list_display = ["text", "topic"]
    list_filter = ["topic"]
    search_fields = ["text"]
    inlines = [QuestionChoiceInline]


class AttemptAnswerInline(MunicipalityScopedInline):
    model = AttemptAnswer
    extra = 0
    can_delete = False
    readonly_fields = ["question", "choice", "is_correct"]


@admin.register(EvaluationAttempt)
class EvaluationAttemptAdmin(MunicipalityScopedAdmin):
    municipality_path = "guardian__municipality"
    list_display = ["evaluation", "guardian", "correct", "total", "submitted_at"]
    list_select_related = ["evaluation__session", "guardian__user"]
    readonly_fields = ["evaluation", "guardian", "correct", "total"]
    inlines = [AttemptAnswerInline]


class CardTemplateItemInline(MunicipalityScopedInline):
    model = CardTemplateItem
    extra = 1
    fields = [
        "order",
        "code",
        "text",
        "kind",
        "required",
        "choices",
        "failure_values",
        "failure_min",
        "failure_max",
        "has_total",
        "total_label",
        "help_text",
    ]


class VersionedTemplateAdminMixin:
    """For a versioned template (a ``version`` and an ``is_current`` flag, items inline):
    saving it always saves a new version, with copies of its items, so what was filled with
    an earlier version keeps the questions it answered. ``save_version`` is the service that
    numbers the unsaved copy and makes it current."""

    list_filter = ["is_current"]
    readonly_fields = ["version", "is_current"]
    save_as = True
    save_version: Callable[..., object]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            request.POST = request.POST.copy()
            request.POST["_saveasnew"] = "1"
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        obj.pk = None
        self.save_version(template=obj)


@admin.register(CardTemplate)
class CardTemplateAdmin(VersionedTemplateAdminMixin, MunicipalityScopedAdmin):
    list_display = ["name", "service_type", "version", "is_current", "created_at"]
    list_select_related = ["service_type"]
    inlines = [CardTemplateItemInline]
    save_version = staticmethod(services.card_template_version_save)


class CardAnswerInline(MunicipalityScopedInline):
    model = CardAnswer
    extra = 0
    can_delete = False
    fields = ["item", "value", "number", "total", "is_failure"]
    readonly_fields = fields


class CardPhotoInline(MunicipalityScopedInline):
    model = CardPhoto
    extra = 0
    can_delete = False
    readonly_fields = ["item", "image"]


@admin.register(Card)
class CardAdmin(MunicipalityScopedAdmin):
    list_display = [
        "space",
        "service_type",
        "observed_on",
        "colonia",
        "failure_count",
        "review_status",
    ]
    list_filter = ["review_status", "service_type"]
    list_select_related = ["space", "service_type", "colonia"]
    date_hierarchy = "observed_on"
    search_fields = ["space__code", "space__name"]
    readonly_fields = [
        "client_id",
        "template",
        "service_type",
        "space",
        "colonia",
        "guardian",
        "observed_on",
        "failure_count",
        "submitted_at",
        "staff_notified_at",
        "reviewed_by",
        "reviewed_at",
    ]
    inlines = [CardAnswerInline, CardPhotoInline]

    def has_add_permission(self, request):
        # Cards are filed by guardians from the portal (through card_submit), not here.
        return False
