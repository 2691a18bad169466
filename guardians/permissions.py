"""Who may do what in the guardians program."""

from accounts.models import Role

STAFF_ROLES = (Role.MUNICIPAL_STAFF, Role.ADMINISTRATOR)


def is_program_staff(user, municipality) -> bool:
    """Sindicatura staff (or an administrator) of this municipality."""
    if not user.is_authenticated:
        return False
    if user.is_superuser and user.municipality_id is None:
        return True
    if municipality is None or user.municipality_id != municipality.pk:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_guardians_staff_roles", None)
    if cached is None:
        cached = user.groups.filter(name__in=STAFF_ROLES).exists()
        user._guardians_staff_roles = cached
    return cached


def active_guardian(user, municipality):
    """The user's active guardian profile in this municipality, else None."""
    if not user.is_authenticated:
        return None
    # The reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    guardian = getattr(user, "guardian_profile", None)
    if guardian is None or guardian.status != "active" or municipality is None:
        return None
    if guardian.municipality_id != municipality.pk:
        return None
    return guardian
