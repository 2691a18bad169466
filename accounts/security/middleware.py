from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .otp import otp_required_for


class StaffOTPRequiredMiddleware:
    """Sends every role that reads personal data (``accounts.security.otp.otp_required_for``)
    who has not verified a TOTP device in this session to the verification page (or to the
    set-up page if they have none yet), whatever page they ask for, the admin included. Other
    users are unaffected. Runs after django-otp's ``OTPMiddleware``, which gives
    ``request.user.is_verified()``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # is_verified() first: it costs nothing, the role check reads the groups once.
        if (
            user.is_authenticated
            and not user.is_verified()
            and not self._exempt(request.path)
            and otp_required_for(user)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:otp_verify')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (
            reverse("accounts:otp_verify"),
            reverse("accounts:otp_setup"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
            reverse("set_language"),
            reverse("javascript-catalog"),
            settings.STATIC_URL,
        )
        return path.startswith(exempt)
