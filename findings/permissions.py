"""Who may do what with findings (the staff roles are read by accounts.selectors)."""

from accounts.selectors import is_municipal_staff, staff_directorate_id


def is_findings_staff(user, municipality) -> bool:
    """Sindicatura staff (or an administrator) of this municipality: they see every finding."""
    return is_municipal_staff(user, municipality)


def can_answer(user, finding) -> bool:
    """Directorate staff answer their directorate's findings; the Sindicatura any of its own."""
    if is_municipal_staff(user, finding.municipality_id):
        return True
    directorate_id = staff_directorate_id(user, finding.municipality_id)
    return directorate_id is not None and directorate_id == finding.directorate_id
