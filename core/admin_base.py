"""Admin building blocks shared by every app: staff of one municipality see only its data.

core is the bottom layer: it asks the staff questions of ``request.user`` itself
(``User.staff_role_for`` and its kin delegate to accounts.selectors), and the admin index's
counts are handed in by config (``configure_admin_site``)."""

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdminMixin


def user_municipality(request):
    """The municipality a staff user administers; None if they administer none.

    A deployment-wide superuser (no municipality) gets None and sees everything; any other
    user is bound to their own municipality. A staff user with no municipality is not bound to
    the municipality of the host they happen to use: that would let one login administer every
    municipality by changing the host name, so they administer none (see ``can_administer``).
    """
    user = request.user
    return user.municipality if getattr(user, "municipality_id", None) else None


def _authenticated_user(request):
    """The signed-in user (a ``User``, with its staff methods), or None."""
    user = request.user
    return user if getattr(user, "is_authenticated", False) else None


def is_deployment_admin(request) -> bool:
    user = _authenticated_user(request)
    return user is not None and user.is_deployment_admin


def can_administer(request) -> bool:
    """Deployment admins administer everything, other staff only a municipality of their own."""
    return is_deployment_admin(request) or user_municipality(request) is not None


def _has_municipality_field(model) -> bool:
    return any(f.name == "municipality" for f in model._meta.get_fields())


def municipality_path_of(model, depth: int = 3) -> str | None:
    """How rows of ``model`` reach their municipality: the ``municipality_path`` of its scoped
    admin if it has one, its own ``municipality`` field, else the first required foreign key
    that leads to one (a civil employee through its association); None if nothing does."""
    try:
        model_admin = admin.site.get_model_admin(model)
    except admin.sites.NotRegistered:
        model_admin = None
    if isinstance(model_admin, MunicipalityScopedAdmin):
        return model_admin.municipality_path
    if _has_municipality_field(model):
        return "municipality"
    if depth > 0:
        for field in model._meta.concrete_fields:
            if field.is_relation and not field.null and field.related_model is not model:
                if field.related_model._meta.label == "territory.Municipality":
                    return field.name
                path = municipality_path_of(field.related_model, depth - 1)
                if path is not None:
                    return f"{field.name}__{path}"
    return None


def _scoped_choices(related_model, municipality):
    """The rows of ``related_model`` a staff user of ``municipality`` may pick, or None if the
    model is not scoped to a municipality."""
    if related_model._meta.label == "territory.Municipality":
        return related_model._default_manager.filter(pk=municipality.pk)
    path = municipality_path_of(related_model)
    if path is None:
        return None
    return related_model._default_manager.filter(**{path: municipality})


def _limit_choices(request, db_field, kwargs):
    municipality = user_municipality(request)
    if municipality is not None:
        queryset = _scoped_choices(db_field.related_model, municipality)
        if queryset is not None:
            kwargs["queryset"] = queryset
    return kwargs


def sees_personal_data(request) -> bool:
    """Whether the request's user has a role that needs people's contact data: the Sindicatura
    and administrators of their municipality (or a deployment admin). Directorate staff, and
    admin logins with no role, do not."""
    user = _authenticated_user(request)
    return user is not None and user.is_municipal_staff(user.municipality_id)


def staff_directorate_id(request) -> int | None:
    """The directorate a directorate-staff user answers for (their admin shows only its rows)."""
    user = _authenticated_user(request)
    return user.staff_directorate_id(user.municipality_id) if user is not None else None


class MunicipalityScopedAdmin(LeafletGeoAdminMixin, admin.ModelAdmin):
    """For models with a ``municipality`` field (directly, or through ``municipality_path``).

    Staff bound to a municipality see and change only its rows; the municipality field is set
    for them and hidden (and still validated, so unique constraints that include it report a
    form error instead of an IntegrityError); foreign-key and many-to-many choices, and the
    choices of related list filters, are limited to their municipality. A superuser with no
    municipality sees everything; a staff user with no municipality sees nothing.
    """

    municipality_path = "municipality"
    # How rows reach their directorate; directorate staff then see only their directorate's
    # rows. None: the model is not a directorate's (reference data they may read).
    directorate_path: str | None = None
    # Fields with personal data (reporters' contact data) shown only to the roles that need
    # them (``sees_personal_data``): left out of forms, read-only fields, lists and search.
    personal_data_fields: tuple[str, ...] = ()
    # The whole model is personal data (followers' e-mails): hidden from the other roles.
    is_personal_data = False

    @property
    def _owns_municipality_field(self) -> bool:
        return self.municipality_path == "municipality"

    def scope_queryset(self, request, queryset):
        if is_deployment_admin(request):
            return queryset
        municipality = user_municipality(request)
        if municipality is None:
            return queryset.none()
        queryset = queryset.filter(**{self.municipality_path: municipality})
        directorate_id = staff_directorate_id(request)
        if directorate_id is not None:
            if self.is_personal_data:
                return queryset.none()
            if self.directorate_path is not None:
                queryset = queryset.filter(**{self.directorate_path: directorate_id})
        return queryset

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    # Permissions: a staff user bound to no municipality administers nothing.
    def _sees_model(self, request) -> bool:
        return not self.is_personal_data or sees_personal_data(request)

    # Django's own permission first: it is cached; the role (a query) is read only if needed.
    def has_module_permission(self, request):
        return (
            can_administer(request)
            and super().has_module_permission(request)
            and self._sees_model(request)
        )

    def has_view_permission(self, request, obj=None):
        return (
            can_administer(request)
            and super().has_view_permission(request, obj)
            and self._sees_model(request)
        )

    def has_add_permission(self, request):
        return (
            can_administer(request)
            and super().has_add_permission(request)
            and self._sees_model(request)
        )

    def has_change_permission(self, request, obj=None):
        return (
            can_administer(request)
            and super().has_change_permission(request, obj)
            and self._sees_model(request)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            can_administer(request)
            and super().has_delete_permission(request, obj)
            and self._sees_model(request)
        )

    def _hides_municipality(self, request) -> bool:
        return self._owns_municipality_field and user_municipality(request) is not None

    def _hidden_fields(self, request) -> list[str]:
        hidden = ["municipality"] if self._hides_municipality(request) else []
        if self.personal_data_fields and not sees_personal_data(request):
            hidden += self.personal_data_fields
        return hidden

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude + self._hidden_fields(request)

    def get_fields(self, request, obj=None):
        hidden = self._hidden_fields(request)
        return [f for f in super().get_fields(request, obj) if f not in hidden]

    def get_readonly_fields(self, request, obj=None):
        hidden = self._hidden_fields(request)
        return [f for f in super().get_readonly_fields(request, obj) if f not in hidden]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        hidden = self._hidden_fields(request)
        for name in hidden:
            fieldsets = [
                (title, {**options, "fields": _without(options["fields"], name)})
                for title, options in fieldsets
            ]
        return fieldsets

    def get_list_display(self, request):
        hidden = self._hidden_fields(request)
        return [f for f in super().get_list_display(request) if f not in hidden]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if not self.personal_data_fields or sees_personal_data(request):
            return fields
        return [f for f in fields if f.lstrip("^=@") not in self.personal_data_fields]

    def get_inline_instances(self, request, obj=None):
        return [
            inline
            for inline in super().get_inline_instances(request, obj)
            if not getattr(inline, "is_personal_data", False) or sees_personal_data(request)
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
    municipality. ``is_personal_data``: shown only to roles that see personal data."""

    is_personal_data = False

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


# --- Other packages' admins: scoped to the municipality, or read-only ------------------------


class ThirdPartyScope:
    """Mixed into another package's ModelAdmin: staff bound to a municipality see only the rows
    ``scope(queryset, municipality)`` keeps; ``read_only`` leaves them only the view (no
    actions either: django-celery-beat's run/enable actions ask no permission)."""

    scope = None
    read_only = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_deployment_admin(request):
            return queryset
        municipality = user_municipality(request)
        if municipality is None:
            return queryset.none()
        return self.scope(queryset, municipality) if self.scope else queryset

    def has_module_permission(self, request):
        return can_administer(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_administer(request) and super().has_view_permission(request, obj)

    def _may_write(self, request) -> bool:
        return is_deployment_admin(request) or (can_administer(request) and not self.read_only)

    def has_add_permission(self, request, *args):
        return self._may_write(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        if not self._may_write(request):
            return {}
        return super().get_actions(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **_limit_choices(request, db_field, kwargs)
        )


def _by_user(queryset, municipality):
    return queryset.filter(user__municipality=municipality)


def _by_username(queryset, municipality):
    from django.contrib.auth import get_user_model

    usernames = get_user_model()._default_manager.filter(municipality=municipality)
    return queryset.filter(username__in=usernames.values("username"))


def scope_third_party_admins(site, *, role_names) -> None:
    """Re-registers the admins of django-otp, django-axes, django-celery-beat and auth's groups
    so that a municipality's staff (a superuser bound to it included) see only their users'
    devices and lockouts, the role groups (the groups named ``role_names``) read-only, and the
    deployment's schedules read-only.
    """
    from importlib import import_module

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    role_names = list(role_names)

    def role_groups(queryset, municipality):
        return queryset.filter(name__in=role_names)

    rules = {
        TOTPDevice: {"scope": staticmethod(_by_user)},
        Group: {"scope": staticmethod(role_groups), "read_only": True},
        **{
            model: {"read_only": True}
            for model in (
                PeriodicTask,
                IntervalSchedule,
                CrontabSchedule,
                SolarSchedule,
                ClockedSchedule,
            )
        },
    }
    rules.update({model: {"scope": staticmethod(_by_username)} for model in (AccessAttempt,)})
    rules.update(
        {
            model: {"scope": staticmethod(_by_username), "read_only": True}
            for model in (AccessLog, AccessFailureLog)
        }
    )
    # Their own admin modules first (autodiscover imports them before accounts' anyway).
    for module in (
        "django.contrib.auth.admin",
        "django_celery_beat.admin",
        "axes.admin",
        "django_otp.plugins.otp_totp.admin",
    ):
        import_module(module)
    for model, attributes in rules.items():
        if not site.is_registered(model):
            continue
        original = type(site.get_model_admin(model))
        if issubclass(original, ThirdPartyScope):
            continue
        scoped = type(f"Scoped{original.__name__}", (ThirdPartyScope, original), attributes)
        site.unregister(model)
        site.register(model, scoped)


# --- The admin site: titles and the portal's key counts on the index page ----------------------


def admin_portal_counts(request, portal_counts):
    """The key counts of the municipality the user administers (every one for a deployment
    admin), or an empty list for a staff user bound to none."""
    if is_deployment_admin(request):
        return portal_counts(None)
    municipality = user_municipality(request)
    return portal_counts(municipality) if municipality is not None else []


def admin_work_queues(request, workspace_sections) -> list:
    """The work queues of the user's workspace (sections that have queues), for the index."""
    if workspace_sections is None or getattr(request, "municipality", None) is None:
        return []
    return [section for section in workspace_sections(request) if section.queues]


def configure_admin_site(site, *, portal_counts, workspace_sections=None) -> None:
    """Titles and index counts on Django's default site, so every app's ``admin.register``
    keeps working. ``portal_counts(municipality or None)`` gives the counts: they read every
    app, so config passes its own (config.urls). ``workspace_sections(request)`` gives the
    user's work queues, the same as their workspace shows (``workspace.registry.sections_for``,
    above core, also handed in by config). Both are lazy: only the index template evaluates
    them."""
    if getattr(site, "_villaguard_configured", False):
        return
    site.site_header = _("VillaGuard")
    site.site_title = _("VillaGuard")
    site.index_title = _("Portal administration")
    each_context = site.each_context

    def each_context_with_counts(request):
        context = each_context(request)
        context["portal_counts"] = SimpleLazyObject(
            lambda: admin_portal_counts(request, portal_counts)
        )
        context["work_queues"] = SimpleLazyObject(
            lambda: admin_work_queues(request, workspace_sections)
        )
        context["admin_municipality"] = (
            None if is_deployment_admin(request) else user_municipality(request)
        )
        return context

    site.each_context = each_context_with_counts
    site._villaguard_configured = True
