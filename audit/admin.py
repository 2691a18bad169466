from django.contrib import admin

from core.admin_base import MunicipalityScopedAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(MunicipalityScopedAdmin):
    """Read-only: entries are append-only and written by the services only."""

    list_display = ["sequence", "created_at", "action", "object_type", "object_repr", "actor_name"]
    list_filter = ["action", "object_type", "is_system"]
    search_fields = ["object_repr", "object_id", "actor_name"]
    date_hierarchy = "created_at"
    ordering = ["-sequence"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
