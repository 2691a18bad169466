"""Who may do what with complaints (the staff roles are read by accounts.selectors)."""

from accounts.selectors import is_municipal_staff, staff_role_for
from territory.models import Municipality


def user_can_handle_complaints(user, municipality: Municipality | None) -> bool:
    """Directorate staff, the Sindicatura and administrators of ``municipality``."""
    return municipality is not None and staff_role_for(user, municipality) is not None


def user_can_read_briefs(user, municipality: Municipality | None) -> bool:
    """Briefs and impact figures are for the Sindicatura (municipal staff) and administrators."""
    return municipality is not None and is_municipal_staff(user, municipality)
