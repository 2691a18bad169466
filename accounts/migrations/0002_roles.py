"""One group per role (accounts.models.Role), with its model permissions.

The role names and permissions are written out here rather than imported, so the migration
keeps meaning what it meant when it was written. Apps that add models later (guardians,
complaints, committees) give these groups permissions on them in their own migrations.
"""

from django.db import migrations

ROLES = [
    "guardian",
    "lead_guardian",
    "committee_member",
    "civil_employee",
    "directorate_staff",
    "municipal_staff",
    "administrator",
]

TERRITORY_MODELS = ["servicetype", "directorate", "colonia", "publicspace", "servicearea"]
CONTRACTS_MODELS = ["company", "contract", "obligation", "contractdocument"]
ALL_ACTIONS = ["add", "change", "delete", "view"]

# (app_label, model, actions) per role. Guardians, committee members and civil employees work
# through the portal's own pages, not the admin, so they start with no model permission.
PERMISSIONS = {
    "directorate_staff": [
        ("territory", model, ["view"]) for model in ["municipality", *TERRITORY_MODELS]
    ]
    + [("contracts", model, ["view"]) for model in CONTRACTS_MODELS],
    # The Sindicatura's staff keep their municipality's territory and contracts up to date;
    # they may edit their municipality's details but not create or delete municipalities.
    "municipal_staff": [("territory", "municipality", ["change", "view"])]
    + [("territory", model, ALL_ACTIONS) for model in TERRITORY_MODELS]
    + [("contracts", model, ALL_ACTIONS) for model in CONTRACTS_MODELS]
    + [("accounts", "user", ["view"])],
    "administrator": [
        ("territory", model, ALL_ACTIONS) for model in ["municipality", *TERRITORY_MODELS]
    ]
    + [("contracts", model, ALL_ACTIONS) for model in CONTRACTS_MODELS]
    + [("accounts", "user", ALL_ACTIONS), ("auth", "group", ALL_ACTIONS)],
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after `migrate` finishes (post_migrate); create them
    # now so the groups can be given them in the same run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = PERMISSIONS.get(role, [])
        permissions = []
        for app_label, model, actions in wanted:
            codenames = [f"{action}_{model}" for action in actions]
            found = list(
                Permission.objects.filter(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename__in=codenames,
                )
            )
            if len(found) != len(codenames):
                missing = set(codenames) - {p.codename for p in found}
                raise RuntimeError(f"Missing permissions for {app_label}.{model}: {missing}")
            permissions.extend(found)
        group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("territory", "0001_initial"),
        ("contracts", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
