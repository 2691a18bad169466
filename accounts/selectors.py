"""Reads about users and their roles: the one place that answers "is this user staff of this
municipality, and in which role" (``staff_role_for``)."""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .constants import Role

SESSION_ROLES_KEY = "villaguard_roles"


def user_role_names(user) -> list[str]:
    if not user.is_authenticated:
        return []
    return list(user.groups.filter(name__in=Role.values).values_list("name", flat=True))


def session_roles(request) -> frozenset[str]:
    """The user's roles, kept in the session at login (a role change shows at the next login);
    computed once and stored if the session predates that."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return frozenset()
    roles = request.session.get(SESSION_ROLES_KEY)
    if roles is None:
        roles = user_role_names(user)
        request.session[SESSION_ROLES_KEY] = roles
    return frozenset(roles)


def remember_roles_at_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: store the roles in the new session."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_ROLES_KEY] = user_role_names(user)


# --- Staff roles: the one answer to "is this user staff here, in which role" -----------------

# The Sindicatura and the municipality's administrators see every record of the municipality.
STAFF_ROLES = (Role.ADMINISTRATOR, Role.MUNICIPAL_STAFF)
# From most to least privileged; staff_role_for answers the first the user holds.
STAFF_ROLE_ORDER = (Role.ADMINISTRATOR, Role.MUNICIPAL_STAFF, Role.DIRECTORATE_STAFF)
# The roles that read personal data (reporters, guardians, followers) and so log in with TOTP.
PERSONAL_DATA_ROLES = frozenset(STAFF_ROLE_ORDER)
_ROLE_CACHE = "_villaguard_role_names"


def role_names(user) -> frozenset[str]:
    """The user's role groups, read once per user object (one query)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _ROLE_CACHE, None)
    if cached is None:
        cached = frozenset(user_role_names(user))
        setattr(user, _ROLE_CACHE, cached)
    return cached


def forget_role_names(user) -> None:
    """After a role change: the next question reads the groups again."""
    user.__dict__.pop(_ROLE_CACHE, None)


def is_deployment_admin(user) -> bool:
    """An active superuser bound to no municipality administers every municipality."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_superuser
        and user.municipality_id is None
    )


def staff_role_for(user, municipality) -> Role | None:
    """The user's staff role in ``municipality`` (a Municipality or its id), or None.

    Every app asks this, never ``is_staff``: ``is_staff`` only opens the Django admin, where
    model permissions decide. A deployment-wide superuser is an administrator everywhere, a
    superuser bound to a municipality is its administrator; anyone else holds the role groups
    of their own municipality only, and directorate staff only with a directorate."""
    return _staff_role(user, municipality, lambda: role_names(user))


def session_staff_role(request) -> Role | None:
    """``staff_role_for`` the request's user in the request's municipality, on the roles kept
    in the session (no query; a role change shows at the next login): for the navigation
    only, which must cost no query. Views, services and the admin ask ``staff_role_for``."""
    user = getattr(request, "user", None)
    municipality = getattr(request, "municipality", None)
    return _staff_role(user, municipality, lambda: session_roles(request))


def _staff_role(user, municipality, names: Callable[[], frozenset[str]]) -> Role | None:
    # The role names are read last, only when the user and municipality leave a question.
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if is_deployment_admin(user):
        return Role.ADMINISTRATOR
    municipality_id = getattr(municipality, "pk", municipality)
    if municipality_id is None or user.municipality_id != municipality_id:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    held = names()
    for role in STAFF_ROLE_ORDER:
        if role in held:
            if role == Role.DIRECTORATE_STAFF and user.directorate_id is None:
                return None
            return Role(role)
    return None


def role_holders(
    *roles: str, municipality=None, directorate=None, include_inactive: bool = False
) -> QuerySet:
    """The users who hold one of ``roles`` (role groups), of ``municipality`` and of
    ``directorate`` when given, active ones only unless ``include_inactive``: who to write to
    or list, the set-wise side of the question ``staff_role_for`` answers for one user.
    Superusers count only through their groups."""
    users = get_user_model().objects.filter(groups__name__in=roles)
    if not include_inactive:
        users = users.filter(is_active=True)
    if municipality is not None:
        users = users.filter(municipality=municipality)
    if directorate is not None:
        users = users.filter(directorate=directorate)
    return users.distinct()


def is_municipal_staff(user, municipality) -> bool:
    """The Sindicatura or an administrator of ``municipality``: they see all of its records."""
    return staff_role_for(user, municipality) in STAFF_ROLES


def is_municipal_admin(user, municipality) -> bool:
    return staff_role_for(user, municipality) == Role.ADMINISTRATOR


def staff_directorate_id(user, municipality) -> int | None:
    """The directorate a directorate-staff user of ``municipality`` answers for, else None
    (also for the Sindicatura and administrators, who are not limited to one)."""
    if getattr(user, "directorate_id", None) is None:
        return None  # no directorate, no directorate role: spares the groups query
    if staff_role_for(user, municipality) == Role.DIRECTORATE_STAFF:
        return user.directorate_id
    return None


def reads_personal_data(user) -> bool:
    """Whether the user's roles read personal data anywhere (two-factor login is required of
    them): a staff role of their municipality, any superuser, or an admin login."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return bool(role_names(user) & PERSONAL_DATA_ROLES)


def outranks(actor, target) -> bool:
    """Whether ``actor`` may manage ``target``'s account: a deployment admin manages anyone;
    an administrator of a municipality manages its own users, except superusers (other than
    themselves) and users of other municipalities."""
    if is_deployment_admin(actor):
        return True
    if actor.pk == target.pk:
        return True
    if target.is_superuser or target.municipality_id is None:
        return False
    return is_municipal_admin(actor, target.municipality_id)
