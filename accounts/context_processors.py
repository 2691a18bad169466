from .selectors import STAFF_ROLES, session_roles, session_staff_role


def roles(request):
    """``user_roles``: the role names of the logged-in user; ``staff_role``: their staff role
    in this municipality (``accounts.selectors.staff_role_for``'s rule) and
    ``is_municipal_staff``: the Sindicatura or an administrator. Read from the session so that
    rendering the navigation costs no query."""
    staff_role = session_staff_role(request)
    return {
        "user_roles": session_roles(request),
        "staff_role": staff_role,
        "is_municipal_staff": staff_role in STAFF_ROLES,
    }
