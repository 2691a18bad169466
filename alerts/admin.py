from django.contrib import admin

from core.admin_base import MunicipalityScopedAdmin

from .models import DigestDelivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(MunicipalityScopedAdmin):
    """Who follows what: personal data, read-only (the owner subscribes by the confirmation
    link and unsubscribes by the link in every digest); staff may delete a row (an ARCO
    request made by letter)."""

    is_personal_data = True
    list_display = ["email", "kind", "space", "area", "colonia", "service_type", "confirmed_at"]
    list_filter = ["kind"]
    search_fields = ["email"]
    list_select_related = ["space", "area", "colonia", "service_type"]
    readonly_fields = [
        "email",
        "language",
        "kind",
        "space",
        "area",
        "colonia",
        "service_type",
        "confirmed_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(MunicipalityScopedAdmin):
    """What each address was sent, one row a day at most: the record that the digests were
    neither doubled nor lost."""

    is_personal_data = True
    list_display = ["email", "day", "items", "period_start", "period_end", "sent_at"]
    list_filter = ["day"]
    search_fields = ["email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
