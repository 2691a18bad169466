"""The model permissions of each role, in one table, synced to the role groups on every migrate.

A role is a Django group of the same name (``accounts.models.Role``). The groups and their
permissions are (re)built by ``sync_role_groups`` after each ``migrate`` (and after a test
flush), so an app that adds models only adds a line here — no per-app data migration.
Guardians, committee members and civil employees work through the portal's own pages, whose
object-level rules live in each app's ``permissions.py``; they get no admin permission.
"""

from django.apps import apps as global_apps

from .models import Role

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

# The apps whose models belong to one municipality's own records.
MUNICIPAL_APPS = (
    "territory",
    "contracts",
    "guardians",
    "complaints",
    "committees",
    "findings",
    "reviews",
)

# Only a deployment-wide superuser creates or deletes municipalities.
MUNICIPALITY_CREATE_DELETE = {"add_municipality", "delete_municipality"}

# role → [(app_label, model name or "*", actions)]
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    Role.DIRECTORATE_STAFF: [
        ("territory", "*", VIEW),
        ("contracts", "*", VIEW),
        ("complaints", "*", VIEW),
        ("findings", "*", VIEW),
    ],
    # The Sindicatura keeps its municipality's records; it may edit its municipality's details
    # but not create or delete municipalities, and it only views users.
    Role.MUNICIPAL_STAFF: [
        *[(app, "*", ALL) for app in MUNICIPAL_APPS],
        ("territory", "municipality", ("change", "view")),
        ("accounts", "user", VIEW),
        ("accounts", "arcorequest", ("change", "view")),
        ("django_celery_beat", "*", VIEW),
    ],
    # A municipality's administrator also manages its users: their two-factor devices (delete
    # a lost phone's, then issue an enrolment code) and login lockouts. The schedules are the
    # whole deployment's: they only read them (core.admin_base.scope_third_party_admins).
    Role.ADMINISTRATOR: [
        *[(app, "*", ALL) for app in MUNICIPAL_APPS],
        ("accounts", "user", ALL),
        ("accounts", "arcorequest", ("change", "view")),
        ("auth", "group", VIEW),
        ("django_celery_beat", "*", VIEW),
        ("otp_totp", "totpdevice", ("view", "delete")),
        ("axes", "accessattempt", ("view", "delete")),
    ],
}


def _permissions_for(role: str, Permission) -> list:
    wanted = []
    for app_label, model, actions in ROLE_PERMISSIONS.get(role, []):
        try:
            app_config = global_apps.get_app_config(app_label)
        except LookupError:
            continue
        models = app_config.get_models() if model == "*" else [app_config.get_model(model)]
        for model_class in models:
            for action in actions:
                wanted.append((app_label, f"{action}_{model_class._meta.model_name}"))
    if not wanted:
        return []
    by_key = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(
            content_type__app_label__in={a for a, _ in wanted},
            codename__in={c for _, c in wanted},
        ).select_related("content_type")
    }
    return [by_key[key] for key in wanted if key in by_key]


def sync_role_groups(*, app_config=None, **kwargs) -> None:
    """Creates one group per role and gives it exactly the permissions of the table above.

    Connected to post_migrate, which is sent once per app: it acts on the last app's signal,
    when Django has created the permissions of every app.
    """
    with_models = [c for c in global_apps.get_app_configs() if c.models_module is not None]
    if app_config is not None and app_config is not with_models[-1]:
        return
    from django.contrib.auth.models import Group, Permission

    for role in Role.values:
        group, _ = Group.objects.get_or_create(name=role)
        permissions = _permissions_for(role, Permission)
        group.permissions.set(
            [p for p in permissions if p.codename not in MUNICIPALITY_CREATE_DELETE]
        )
