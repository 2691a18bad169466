from .selectors import session_roles


def roles(request):
    """``user_roles``: the role names of the logged-in user, read from the session so that
    rendering the navigation costs no query."""
    return {"user_roles": session_roles(request)}
