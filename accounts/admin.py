from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from villaguard.admin_base import MunicipalityScopedAdmin, is_deployment_admin

from .models import User


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
