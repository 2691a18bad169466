"""Reads about users and their roles."""

from .models import Role

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
