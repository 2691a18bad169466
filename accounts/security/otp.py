"""Two-factor login (django-otp, TOTP) for every role that reads personal data: the writes and
the rules.

Staff, directorate staff, the Sindicatura, administrators and superusers
(``accounts.selectors.reads_personal_data``) set up one authenticator app (a confirmed
``TOTPDevice``); every login then asks for its 6-digit code before the admin or any other page
opens. Setting the app up needs a one-time enrolment code issued by an administrator, so a
stolen password alone cannot enrol the thief's phone. ``OTP_REQUIRED_FOR_STAFF`` turns the
requirement off (the embedded DEBUG default, and the test settings).
"""

import datetime
import hashlib
import io
import secrets

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import TwoFactorEnrolmentCode, User
from ..selectors import reads_personal_data

# Without 0, O, 1, I and L: read out on the phone or copied from paper.
ENROLMENT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ENROLMENT_CODE_LENGTH = 16


def otp_required_for(user) -> bool:
    """Whether this user must verify a TOTP device before using the portal: every role that
    reads personal data, not only ``is_staff``."""
    return bool(getattr(settings, "OTP_REQUIRED_FOR_STAFF", True) and reads_personal_data(user))


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _code_hash(code: str) -> str:
    # The code is 16 random characters (~79 bits): a plain SHA-256 is enough, and unique.
    return hashlib.sha256(_normalise_code(code).encode()).hexdigest()


@transaction.atomic
def otp_enrolment_code_issue(*, user: User, issued_by: User | None) -> str:
    """A new one-time enrolment code for ``user`` (their earlier unused ones stop working).
    Returned once, in groups of four for reading; only its hash is stored."""
    now = timezone.now()
    TwoFactorEnrolmentCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    code = "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))
    hours = getattr(settings, "OTP_ENROLMENT_CODE_HOURS", 72)
    TwoFactorEnrolmentCode.objects.create(
        user=user,
        code_hash=_code_hash(code),
        issued_by=issued_by if getattr(issued_by, "is_authenticated", False) else None,
        expires_at=now + datetime.timedelta(hours=hours),
    )
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def otp_enrolment_code_valid(*, user: User, code: str) -> TwoFactorEnrolmentCode | None:
    """The user's unused, unexpired enrolment code matching ``code``, else None."""
    if not _normalise_code(code):
        return None
    return TwoFactorEnrolmentCode.objects.filter(
        user=user,
        code_hash=_code_hash(code),
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


def totp_confirmed_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """A new unconfirmed device (a new secret) for setting up, replacing any pending one: a
    secret shown before the enrolment code was given is never the one enrolled."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="default", confirmed=False)


def totp_pending_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=False).first()


@transaction.atomic
def totp_device_confirm(*, request, device: TOTPDevice, token: str, enrolment_code_id) -> bool:
    """Confirms the device if the enrolment code is still unused and the token is right,
    spends the code, and marks this login as verified. Nothing changes otherwise."""
    code = (
        TwoFactorEnrolmentCode.objects.select_for_update()
        .filter(
            pk=enrolment_code_id,
            user=device.user,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if code is None or not device.verify_token(token.strip()):
        return False
    code.used_at = timezone.now()
    code.save(update_fields=["used_at"])
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
