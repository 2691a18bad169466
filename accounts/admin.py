from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_base import (
    MunicipalityScopedAdmin,
    is_deployment_admin,
    scope_third_party_admins,
)

from .models import ArcoRequest, Role, User
from .privacy.arco import arco_anonymise
from .security.otp import otp_enrolment_code_issue
from .selectors import forget_role_names, outranks
from .services import user_audit, user_audit_state


@admin.register(User)
class UserAdmin(MunicipalityScopedAdmin, DjangoUserAdmin):
    """Staff of a municipality see and create only its users; only a deployment admin grants
    superuser status or individual permissions (a municipal admin works with the role groups)."""

    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Municipality"), {"fields": ("municipality", "directorate", "is_demo")}),
    )
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "directorate",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "directorate", "is_demo"]
    list_select_related = ["directorate"]
    search_fields = ["username", "first_name", "last_name", "email"]
    deployment_only_fields = ["is_superuser", "user_permissions"]
    actions = ["issue_enrolment_codes"]

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        if is_deployment_admin(request):
            fields.insert(1, "municipality")
        return fields

    def get_list_select_related(self, request):
        related = list(super().get_list_select_related(request))
        return [*related, "municipality"] if is_deployment_admin(request) else related

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not is_deployment_admin(request):
            readonly += self.deployment_only_fields
        return readonly

    def get_deleted_objects(self, objs, request):
        """The audit trail protects its actors: say what to do instead of only listing them."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            messages.error(
                request,
                _(
                    "A user who appears in the audit trail (or in other kept records) cannot be "
                    "deleted. Deactivate the account instead: untick “Active” and save."
                ),
            )
        return deleted, model_count, perms_needed, protected

    # Role and user changes go to the audit trail: the stored state before the form is saved,
    # compared once the groups (saved with the related objects) are in place.
    def save_model(self, request, obj, form, change):
        obj._audit_before = user_audit_state(obj) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        forget_role_names(user)
        user_audit(user=user, actor=request.user, before=getattr(user, "_audit_before", None))

    # A municipality's administrator never changes a superuser (other than themselves) nor
    # anyone outside their municipality: they could take the account over (password, e-mail).
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or outranks(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or outranks(request.user, obj))

    @admin.action(
        description=_("Issue a two-factor enrolment code (shown once)"),
        permissions=["change"],
    )
    def issue_enrolment_codes(self, request, queryset):
        """The one-time code a person needs to set up their authenticator app; given to them
        in person or by phone, never by e-mail."""
        for user in queryset:
            if not outranks(request.user, user):
                self.message_user(
                    request,
                    _("You cannot issue a code for %(username)s.") % {"username": user.username},
                    messages.ERROR,
                )
                continue
            code = otp_enrolment_code_issue(user=user, issued_by=request.user)
            self.message_user(
                request,
                _(
                    "Enrolment code for %(username)s: %(code)s. Give it to them in person or "
                    "by phone; it is not stored and will not be shown again."
                )
                % {"username": user.username, "code": code},
                messages.WARNING,
            )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Groups are the deployment's: a municipality's staff give only the portal's roles.
        if db_field.name == "groups" and not is_deployment_admin(request):
            kwargs["queryset"] = db_field.related_model._default_manager.filter(
                name__in=Role.values
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(ArcoRequest)
class ArcoRequestAdmin(MunicipalityScopedAdmin):
    """ARCO requests; the "anonymise" action removes the person's data across every app and
    keeps the public record (see accounts.privacy.arco)."""

    list_display = ["__str__", "kind", "status", "created_at", "handled_at"]
    list_filter = ["kind", "status"]
    search_fields = ["email", "complaint_code", "user__username", "note"]
    readonly_fields = [
        "user",
        "complaint_code",
        "email",
        "kind",
        "note",
        "created_at",
        "handled_at",
        "handled_by",
        "outcome",
    ]
    fields = [*readonly_fields[:5], "status", *readonly_fields[5:]]
    actions = ["anonymise"]

    def has_add_permission(self, request):
        return False

    @admin.action(
        description=_("Anonymise the person (keeps the public record)"),
        permissions=["change"],
    )
    def anonymise(self, request, queryset):
        done = 0
        for arco_request in queryset.filter(status=ArcoRequest.Status.PENDING):
            arco_anonymise(request=arco_request, actor=request.user)
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d person anonymised.", "%(count)d people anonymised.", done)
            % {"count": done},
            messages.SUCCESS,
        )


scope_third_party_admins(admin.site, role_names=Role.values)
