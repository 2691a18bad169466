"""The two-factor pages for staff (django-otp, TOTP) and django-axes' lockout page."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .forms import EnrolmentCodeForm, TOTPTokenForm
from .otp import (
    otp_enrolment_code_valid,
    qr_code_svg,
    totp_confirmed_device,
    totp_device_confirm,
    totp_device_start,
    totp_login_verify,
    totp_pending_device,
)

# The enrolment code accepted in this session (its id; the code is spent on confirmation).
ENROLMENT_SESSION_KEY = "villaguard_otp_enrolment_code"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
def otp_verify(request):
    """The second step of a staff login: the code of the user's authenticator app."""
    if totp_confirmed_device(user=request.user) is None:
        return redirect(f"{reverse('accounts:otp_setup')}?{request.GET.urlencode()}")
    form = TOTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_login_verify(request=request, token=form.cleaned_data["otp_token"]):
            return redirect(_next_url(request))
        form.add_error(
            "otp_token",
            _("That code is wrong or has expired. Enter the code your app shows now."),
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
def otp_setup(request):
    """Sets up the user's authenticator app in two steps: the one-time enrolment code an
    administrator issued, then a QR code (and the same key as text) and a first code to prove
    the app works. The key is shown only after the enrolment code."""
    if totp_confirmed_device(user=request.user) is not None:
        return redirect(f"{reverse('accounts:otp_verify')}?{request.GET.urlencode()}")
    device = totp_pending_device(user=request.user)
    if request.session.get(ENROLMENT_SESSION_KEY) is None or device is None:
        return _enrolment_code_step(request)
    form = TOTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_device_confirm(
            request=request,
            device=device,
            token=form.cleaned_data["otp_token"],
            enrolment_code_id=request.session[ENROLMENT_SESSION_KEY],
        ):
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            return redirect(_next_url(request))
        form.add_error(
            "otp_token",
            _("That code is wrong or has expired. Check the key in your app and try again."),
        )
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": qr_code_svg(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "accounts/otp_setup.html", context)


def _enrolment_code_step(request):
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = otp_enrolment_code_valid(user=request.user, code=form.cleaned_data["enrolment_code"])
        if code is not None:
            request.session[ENROLMENT_SESSION_KEY] = code.pk
            totp_device_start(user=request.user)
            return redirect(
                f"{reverse('accounts:otp_setup')}?{urlencode({'next': _next_url(request)})}"
            )
        form.add_error(
            "enrolment_code",
            _(
                "That enrolment code is not valid: it is wrong, used or expired. "
                "Ask an administrator for a new one."
            ),
        )
    return render(
        request, "accounts/otp_enrolment.html", {"form": form, "next": _next_url(request)}
    )


def lockout(request, credentials, *args, **kwargs):
    """django-axes' answer to a locked-out login (``AXES_LOCKOUT_CALLABLE``): a translated
    page saying how long to wait, with status 429."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "accounts/lockout.html", {"cooloff_minutes": minutes}, status=429)
