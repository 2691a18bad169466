"""Demo logins for ``manage.py seed_demo`` (``AccountsConfig.demo_seeders``, see ``core.demo``).

One login per role, all ``is_demo`` with the password ``villaguard-demo``, bound to the
municipalities and directorates territory's seeder made (so accounts seeds after territory).
``demo-admin`` is a superuser bound to no municipality: the deployment administrator who sees
every municipality (``User.is_deployment_admin``). Refused at login unless DEBUG or
ALLOW_DEMO_USERS (``accounts.backends``).
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core.demo import DEMO_EMAIL_DOMAIN, DemoContext

from .models import Role, User
from .services import user_create, user_set_roles, user_update

DEMO_PASSWORD = "villaguard-demo"  # noqa: S105 (printed to the user on purpose)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    municipality: str | None  # "chihuahua", "villaflores" or None (the whole deployment)
    directorate: str | None = None  # a key of DemoContext.directorates
    is_staff: bool = False
    is_superuser: bool = False


DEMO_USERS = [
    DemoUser("demo-staff", "municipal_staff", "chihuahua", is_staff=True),
    DemoUser("demo-directorate", "directorate_staff", "chihuahua", directorate="parks"),
    DemoUser("demo-guardian", "guardian", "chihuahua"),
    DemoUser("demo-lead", "lead_guardian", "chihuahua"),
    DemoUser("demo-committee", "committee_member", "villaflores"),
    DemoUser("demo-civil", "civil_employee", "villaflores"),
    # Chihuahua's own administrator (its users, roles and records), not a superuser.
    DemoUser("demo-munadmin", "administrator", "chihuahua", is_staff=True),
    DemoUser("demo-admin", "administrator", None, is_staff=True, is_superuser=True),
]


def seed_users(context: DemoContext) -> None:
    if not context.with_users:
        return
    municipalities = {"chihuahua": context.chihuahua, "villaflores": context.villaflores}
    for spec in DEMO_USERS:
        fields = {
            "email": f"{spec.username}@{DEMO_EMAIL_DOMAIN}",
            "municipality": municipalities.get(spec.municipality),
            "directorate": context.directorates.get(spec.directorate),
            "is_staff": spec.is_staff,
            "is_superuser": spec.is_superuser,
            "is_demo": True,
        }
        # The demo password is published on purpose; the validators find it too close to
        # some demo usernames, so it skips them.
        fields["password"] = DEMO_PASSWORD
        fields["skip_password_validation"] = True
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = user_create(username=spec.username, roles=[spec.role], **fields)
        else:
            # Put the login back as the table prints it, whatever was changed since. Roles are
            # only added: the apps' seeders may have given the user more (a lead guardian is
            # also a guardian), and taking them away would change the rows on every run.
            user_update(user=user, is_active=True, **fields)
            roles = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
            user_set_roles(user=user, roles=sorted(roles | {spec.role}))
        context.users[spec.username] = user


def print_logins(*, stdout, style) -> None:
    """The demo logins already loaded, as a table (``AccountsConfig.demo_logins``)."""
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=[spec.username for spec in DEMO_USERS], is_demo=True
        ).select_related("municipality")
    }
    if not users:
        stdout.write(_("No demo logins: run `manage.py seed_demo` to create them."))
        return
    header = (_("Username"), _("Role"), _("Municipality"))
    rows = [
        (
            spec.username,
            str(Role(spec.role).label),
            users[spec.username].municipality.name
            if users[spec.username].municipality
            else _("all (deployment administrator)"),
        )
        for spec in DEMO_USERS
        if spec.username in users
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    stdout.write("")
    stdout.write(_("Demo logins (password: %(password)s)") % {"password": DEMO_PASSWORD})
    for row in [header, tuple("-" * width for width in widths), *rows]:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        stdout.write(line.rstrip())
    if not (settings.DEBUG or settings.ALLOW_DEMO_USERS):
        stdout.write(
            style.WARNING(
                _(
                    "DEBUG is off: these logins are refused until you set "
                    "ALLOW_DEMO_USERS=true in the environment (or DEBUG=true)."
                )
            )
        )
