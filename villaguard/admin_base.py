"""Admin building blocks shared by every app: staff of one municipality see only its data."""

from django.contrib import admin
from leaflet.admin import LeafletGeoAdminMixin


def user_municipality(request):
    """The municipality a staff user administers; None for a deployment-wide superuser."""
    user = request.user
    if user.is_superuser and user.municipality_id is None:
        return None
    return user.municipality or getattr(request, "municipality", None)


class MunicipalityScopedAdmin(LeafletGeoAdminMixin, admin.ModelAdmin):
    """For models with a ``municipality`` field (directly, or through ``municipality_path``).

    Staff bound to a municipality see and change only its rows; the municipality field is set
    for them and hidden; foreign-key and many-to-many choices are limited to their municipality.
    A superuser with no municipality sees everything.
    """

    municipality_path = "municipality"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        municipality = user_municipality(request)
        if municipality is None and request.user.is_superuser:
            return queryset
        if municipality is None:
            return queryset.none()
        return queryset.filter(**{self.municipality_path: municipality})

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if user_municipality(request) is not None and self.municipality_path == "municipality":
            exclude.append("municipality")
        return exclude

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if user_municipality(request) is None and self.municipality_path == "municipality":
            filters.insert(0, "municipality")
        return filters

    def save_model(self, request, obj, form, change):
        municipality = user_municipality(request)
        if municipality is not None and self.municipality_path == "municipality":
            obj.municipality = municipality
        super().save_model(request, obj, form, change)

    def _limit(self, request, db_field, kwargs):
        municipality = user_municipality(request)
        related = db_field.related_model
        if municipality is None:
            return kwargs
        if related.__name__ == "Municipality":
            kwargs["queryset"] = related.objects.filter(pk=municipality.pk)
        elif any(f.name == "municipality" for f in related._meta.get_fields()):
            kwargs["queryset"] = related._default_manager.filter(municipality=municipality)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **self._limit(request, db_field, kwargs)
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(
            db_field, request, **self._limit(request, db_field, kwargs)
        )


class MunicipalityScopedInline(admin.TabularInline):
    """An inline whose foreign-key choices are limited to the staff user's municipality."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        municipality = user_municipality(request)
        related = db_field.related_model
        if municipality is not None and any(
            f.name == "municipality" for f in related._meta.get_fields()
        ):
            kwargs["queryset"] = related._default_manager.filter(municipality=municipality)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
