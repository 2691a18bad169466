from django.contrib import admin
from django.db import transaction
from leaflet.admin import LeafletGeoAdmin

from core.admin_base import MunicipalityScopedAdmin, is_deployment_admin, user_municipality

from .models import Colonia, Directorate, Municipality, PublicSpace, ServiceArea, ServiceType
from .selectors import forget_municipality_hosts
from .services import service_area_refresh_geometry, space_refresh_geometry


def _is_changelist(request) -> bool:
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match else ""
    return bool(url_name) and (url_name.endswith("_changelist") or url_name == "autocomplete")


@admin.register(Municipality)
class MunicipalityAdmin(LeafletGeoAdmin):
    """Deployment-wide superusers manage every municipality; the staff of one see only their
    own and may change how it presents itself, never which hosts select it."""

    list_display = ["name", "state", "inegi_code", "slug", "hosts", "is_default"]
    list_filter = ["state", "is_default", "is_rural"]
    search_fields = ["name", "state", "inegi_code", "slug", "hosts"]
    deployment_only_fields = ["slug", "inegi_code", "hosts", "is_default"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_deployment_admin(request):
            return queryset
        municipality = user_municipality(request)
        return queryset.filter(pk=municipality.pk) if municipality else queryset.none()

    def has_module_permission(self, request):
        return (
            is_deployment_admin(request) or user_municipality(request) is not None
        ) and super().has_module_permission(request)

    def has_add_permission(self, request):
        return is_deployment_admin(request)

    def has_delete_permission(self, request, obj=None):
        return is_deployment_admin(request)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not is_deployment_admin(request):
            readonly += self.deployment_only_fields
        return readonly

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(forget_municipality_hosts)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(forget_municipality_hosts)


@admin.register(ServiceType)
class ServiceTypeAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "code", "category", "color"]
    list_filter = ["category"]
    search_fields = ["name", "code", "description"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Directorate)
class DirectorateAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "email", "phone"]
    list_filter = ["services"]
    search_fields = ["name", "email"]
    filter_horizontal = ["services"]


@admin.register(Colonia)
class ColoniaAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "kind", "is_rural", "inegi_locality_code", "population"]
    list_filter = ["kind", "is_rural"]
    search_fields = ["name", "inegi_locality_code"]


@admin.register(PublicSpace)
class PublicSpaceAdmin(MunicipalityScopedAdmin):
    list_display = ["code", "name", "kind", "colonia", "directorate", "area_m2"]
    list_filter = ["kind", "directorate"]
    list_select_related = ["colonia", "directorate"]
    search_fields = ["code", "name", "colonia__name"]
    readonly_fields = ["area_m2", "colonia", "updated_at"]
    ordering = ["code"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if _is_changelist(request):
            # A page of 100 rows needs no boundaries, theirs or their colonias'.
            queryset = queryset.select_related("colonia", "directorate").defer(
                "geometry", "colonia__geometry", "colonia__location"
            )
        return queryset

    def save_model(self, request, obj, form, change):
        if self._hides_municipality(request):
            obj.municipality = user_municipality(request)
        space_refresh_geometry(space=obj)
        super().save_model(request, obj, form, change)


@admin.register(ServiceArea)
class ServiceAreaAdmin(MunicipalityScopedAdmin):
    list_display = ["code", "name", "service_type", "area_m2"]
    list_filter = ["service_type"]
    list_select_related = ["service_type"]
    search_fields = ["code", "name", "colonias_text"]
    readonly_fields = ["area_m2", "updated_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.defer("geometry") if _is_changelist(request) else queryset

    def save_model(self, request, obj, form, change):
        service_area_refresh_geometry(area=obj)
        super().save_model(request, obj, form, change)
