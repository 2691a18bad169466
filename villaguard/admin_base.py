"""Admin building blocks shared by every app: staff of one municipality see only its data."""

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdminMixin

from accounts import selectors as roles


def user_municipality(request):
    """The municipality a staff user administers; None if they administer none.

    A deployment-wide superuser (no municipality) gets None and sees everything; any other
    user is bound to their own municipality. A staff user with no municipality is not bound to
    the municipality of the host they happen to use: that would let one login administer every
    municipality by changing the host name, so they administer none (see ``can_administer``).
    """
    user = request.user
    return user.municipality if getattr(user, "municipality_id", None) else None


def is_deployment_admin(request) -> bool:
    return roles.is_deployment_admin(request.user)


def can_administer(request) -> bool:
    """Deployment admins administer everything, other staff only a municipality of their own."""
    return is_deployment_admin(request) or user_municipality(request) is not None


def _has_municipality_field(model) -> bool:
    return any(f.name == "municipality" for f in model._meta.get_fields())


def _scoped_choices(related_model, municipality):
    """The rows of ``related_model`` a staff user of ``municipality`` may pick, or None if the
    model is not scoped to a municipality."""
    if related_model._meta.label == "territory.Municipality":
        return related_model._default_manager.filter(pk=municipality.pk)
    if _has_municipality_field(related_model):
        return related_model._default_manager.filter(municipality=municipality)
    return None


def _limit_choices(request, db_field, kwargs):
    municipality = user_municipality(request)
    if municipality is not None:
        queryset = _scoped_choices(db_field.related_model, municipality)
        if queryset is not None:
            kwargs["queryset"] = queryset
    return kwargs


class MunicipalityScopedAdmin(LeafletGeoAdminMixin, admin.ModelAdmin):
    """For models with a ``municipality`` field (directly, or through ``municipality_path``).

    Staff bound to a municipality see and change only its rows; the municipality field is set
    for them and hidden (and still validated, so unique constraints that include it report a
    form error instead of an IntegrityError); foreign-key and many-to-many choices, and the
    choices of related list filters, are limited to their municipality. A superuser with no
    municipality sees everything; a staff user with no municipality sees nothing.
    """

    municipality_path = "municipality"

    @property
    def _owns_municipality_field(self) -> bool:
        return self.municipality_path == "municipality"

    def scope_queryset(self, request, queryset):
        if is_deployment_admin(request):
            return queryset
        municipality = user_municipality(request)
        if municipality is None:
            return queryset.none()
        return queryset.filter(**{self.municipality_path: municipality})

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    # Permissions: a staff user bound to no municipality administers nothing.
    def has_module_permission(self, request):
        return can_administer(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_administer(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return can_administer(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return can_administer(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_administer(request) and super().has_delete_permission(request, obj)

    def _hides_municipality(self, request) -> bool:
        return self._owns_municipality_field and user_municipality(request) is not None

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if self._hides_municipality(request):
            exclude.append("municipality")
        return exclude

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._hides_municipality(request):
            return fieldsets
        return [
            (name, {**options, "fields": _without(options["fields"], "municipality")})
            for name, options in fieldsets
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        municipality = user_municipality(request)
        if not self._hides_municipality(request):
            return form

        class MunicipalityForm(form):
            def _post_clean(self):
                self.instance.municipality = municipality
                super()._post_clean()

            def _get_validation_exclusions(self):
                return super()._get_validation_exclusions() - {"municipality"}

        MunicipalityForm.__name__ = form.__name__
        return MunicipalityForm

    def get_list_filter(self, request):
        filters = [_related_only(self.model, f) for f in super().get_list_filter(request)]
        if is_deployment_admin(request) and self._owns_municipality_field:
            filters.insert(0, "municipality")
        return filters

    def save_model(self, request, obj, form, change):
        municipality = user_municipality(request)
        if municipality is not None and self._owns_municipality_field:
            obj.municipality = municipality
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **_limit_choices(request, db_field, kwargs)
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(
            db_field, request, **_limit_choices(request, db_field, kwargs)
        )


class MunicipalityScopedInline(admin.TabularInline):
    """An inline whose foreign-key and many-to-many choices are limited to the staff user's
    municipality."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **_limit_choices(request, db_field, kwargs)
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(
            db_field, request, **_limit_choices(request, db_field, kwargs)
        )


def _without(fields, name):
    kept = []
    for field in fields:
        if isinstance(field, list | tuple):
            field = type(field)(f for f in field if f != name)
            if field:
                kept.append(field)
        elif field != name:
            kept.append(field)
    return kept


def _related_only(model, list_filter):
    """A plain related-field list filter lists every row of the related table, other
    municipalities' included; RelatedOnlyFieldListFilter lists only the rows used by the
    (scoped) changelist."""
    if not isinstance(list_filter, str):
        return list_filter
    try:
        field = get_fields_from_path(model, list_filter)[-1]
    except (FieldDoesNotExist, NotRelationField):  # e.g. a method: leave it to Django
        return list_filter
    if field.is_relation and field.related_model is not None:
        return (list_filter, admin.RelatedOnlyFieldListFilter)
    return list_filter


# --- The admin site: titles and the portal's key counts on the index page ----------------------


def admin_portal_counts(request):
    """The key counts of the municipality the user administers (every one for a deployment
    admin), or an empty list for a staff user bound to none."""
    from villaguard.selectors import portal_counts

    if is_deployment_admin(request):
        return portal_counts(None)
    municipality = user_municipality(request)
    return portal_counts(municipality) if municipality is not None else []


def configure_admin_site(site) -> None:
    """Titles and index counts on Django's default site, so every app's ``admin.register``
    keeps working. The counts are lazy: only the index template evaluates them."""
    if getattr(site, "_villaguard_configured", False):
        return
    site.site_header = _("VillaGuard")
    site.site_title = _("VillaGuard")
    site.index_title = _("Portal administration")
    each_context = site.each_context

    def each_context_with_counts(request):
        context = each_context(request)
        context["portal_counts"] = SimpleLazyObject(lambda: admin_portal_counts(request))
        context["admin_municipality"] = (
            None if is_deployment_admin(request) else user_municipality(request)
        )
        return context

    site.each_context = each_context_with_counts
    site._villaguard_configured = True


configure_admin_site(admin.site)
