"""Two-factor login (django-otp, TOTP) for staff and superusers: the writes and the rules.

A staff member sets up one authenticator app (a confirmed ``TOTPDevice``); every login then asks
for its 6-digit code before the admin or any other page opens. ``OTP_REQUIRED_FOR_STAFF`` turns
the requirement off (the embedded DEBUG default, and the test settings).
"""

import io

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


def otp_required_for(user) -> bool:
    """Whether this user must verify a TOTP device before using the portal."""
    return bool(
        getattr(settings, "OTP_REQUIRED_FOR_STAFF", True)
        and user.is_authenticated
        and (user.is_staff or user.is_superuser)
    )


def totp_confirmed_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed device for setting up (a new secret unless one is pending)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, request, device: TOTPDevice, token: str) -> bool:
    """Confirms the device if the token is right, and marks this login as verified."""
    if not device.verify_token(token.strip()):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    django_otp.login(request, device)
    return True


def totp_login_verify(*, request, token: str) -> bool:
    """Marks this login as verified when the token matches one of the user's confirmed
    devices (django-otp throttles repeated failures on each device)."""
    device = django_otp.match_token(request.user, token.strip())
    if device is None:
        return False
    django_otp.login(request, device)
    return True


def qr_code_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (no image files, nothing external)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()
