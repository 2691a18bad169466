"""Who may do what in the guardians program."""

from accounts.selectors import is_municipal_staff


def is_program_staff(user, municipality) -> bool:
    """Sindicatura staff (or an administrator) of this municipality."""
    return is_municipal_staff(user, municipality)


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
