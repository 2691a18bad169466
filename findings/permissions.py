"""Who may do what with findings."""

from accounts.models import Role

STAFF_ROLES = (Role.MUNICIPAL_STAFF, Role.ADMINISTRATOR)


def is_findings_staff(user, municipality) -> bool:
    """Sindicatura staff (or an administrator) of this municipality: they see every finding."""
    if not user.is_authenticated:
        return False
    if user.is_superuser and user.municipality_id is None:
        return True
    if municipality is None or user.municipality_id != municipality.pk:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_findings_staff", None)
    if cached is None:
        cached = user.groups.filter(name__in=STAFF_ROLES).exists()
        user._findings_staff = cached
    return cached


def can_answer(user, finding) -> bool:
    """Directorate staff answer their directorate's findings; the Sindicatura any of its own."""
    if is_findings_staff(user, finding.municipality):
        return True
    return bool(
        user.is_authenticated
        and user.directorate_id
        and user.directorate_id == finding.directorate_id
        and user.municipality_id == finding.municipality_id
    )
