"""Who may do what in the guardians program, and the view decorators that ask it: the
program's pages and the contract reviews of ``reviews`` (its guardians review contracts)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

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


def municipality_or_404(request):
    """The request's municipality; an address that serves none has no program pages."""
    if request.municipality is None:
        raise Http404
    return request.municipality


def staff_required(view):
    """The municipality's staff only (``request.is_program_staff`` is then True); anyone else
    logged in is refused (403), anonymous users go to the login page."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_program_staff(request.user, municipality_or_404(request)):
            raise PermissionDenied
        request.is_program_staff = True
        return view(request, *args, **kwargs)

    return wrapped


def guardian_or_staff_required(view):
    """The municipality's active guardians and its staff: sets ``request.guardian`` (None
    for staff who are not guardians) and ``request.is_program_staff``."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        municipality = municipality_or_404(request)
        request.guardian = active_guardian(request.user, municipality)
        request.is_program_staff = is_program_staff(request.user, municipality)
        if request.guardian is None and not request.is_program_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
