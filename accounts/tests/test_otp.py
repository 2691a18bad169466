"""Two-factor login for staff and superusers (django-otp, TOTP).

The test settings turn OTP_REQUIRED_FOR_STAFF off (most tests open the admin as staff logged
in with force_login); these tests turn it on.
"""

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.security.otp import otp_enrolment_code_issue
from accounts.services import user_create

PASSWORD = "a-long-Pass-phrase-42"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("municipality")]


def current_token(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def staff(client):
    user = user_create(username="sindica", password=PASSWORD, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def device(staff):
    return TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_unverified_staff_are_sent_to_verification_on_the_admin(client, device):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert "next=%2Fadmin%2F" in response["Location"]


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_a_valid_token_lets_staff_into_the_admin(client, device):
    response = client.post(
        reverse("accounts:otp_verify"), {"otp_token": current_token(device), "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True, LANGUAGE_CODE="en")
def test_a_wrong_token_is_refused_with_a_clear_message(client, device):
    wrong = f"{(int(current_token(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:otp_verify"), {"otp_token": wrong, "next": "/admin/"})
    assert response.status_code == 200
    assert "That code is wrong or has expired" in response.content.decode()
    assert client.get("/admin/").status_code == 302


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_a_malformed_token_is_refused_with_a_clear_message(client, device):
    response = client.post(reverse("accounts:otp_verify"), {"otp_token": "abc"})
    assert response.status_code == 200
    assert "Enter the 6-digit code" in response.content.decode()


def enrol(client, code):
    """The first step of setting up: the one-time enrolment code an administrator issued."""
    return client.post(reverse("accounts:otp_setup"), {"enrolment_code": code, "next": "/admin/"})


# No back-off after the wrong code, so the right one is accepted at once.
@override_settings(OTP_REQUIRED_FOR_STAFF=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_staff_without_a_device_set_one_up_and_are_then_verified(client, staff):
    code = otp_enrolment_code_issue(user=staff, issued_by=None)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_setup"))
    assert "<svg" not in response.content.decode()  # no key before the enrolment code
    assert enrol(client, code).status_code == 302
    page = client.get(reverse("accounts:otp_setup")).content.decode()
    assert "<svg" in page  # the QR code
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.post(reverse("accounts:otp_setup"), {"otp_token": "000000"}).status_code == 200
    response = client.post(
        reverse("accounts:otp_setup"), {"otp_token": current_token(device), "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True, LANGUAGE_CODE="en")
def test_enrolment_without_a_wrong_or_a_used_code_fails(client, staff):
    # Without a code: the key is never shown, and a token alone confirms nothing.
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200 and "<svg" not in page.content.decode()
    client.post(reverse("accounts:otp_setup"), {"otp_token": "123456"})
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    # A wrong code.
    code = otp_enrolment_code_issue(user=staff, issued_by=None)
    response = enrol(client, "WRONG-CODE-0000")
    assert response.status_code == 200
    assert "That enrolment code is not valid" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff).exists()
    # Another user's code.
    other = user_create(username="otra", password=None, is_staff=True)
    assert enrol(client, otp_enrolment_code_issue(user=other, issued_by=None)).status_code == 200
    # The right code, used once; then it is spent.
    assert enrol(client, code).status_code == 302
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    client.post(reverse("accounts:otp_setup"), {"otp_token": current_token(device)})
    device.refresh_from_db()
    assert device.confirmed
    device.delete()  # the phone is lost: set up again with the same code
    client.logout()
    client.force_login(staff)
    response = enrol(client, code)
    assert response.status_code == 200
    assert "That enrolment code is not valid" in response.content.decode()


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_a_directorate_user_without_a_device_is_sent_to_enrolment(client, municipality):
    from accounts.models import Role
    from territory.tests.factories import DirectorateFactory

    directorate_user = user_create(
        username="parques",
        password=None,
        municipality=municipality,
        directorate=DirectorateFactory(municipality=municipality),
        roles=[Role.DIRECTORATE_STAFF],
    )
    assert not directorate_user.is_staff
    client.force_login(directorate_user)
    response = client.get(reverse("complaints:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    response = client.get(response["Location"])
    assert response["Location"].startswith(reverse("accounts:otp_setup"))


def test_the_admin_hides_the_totp_keys():
    from django.conf import settings

    assert settings.OTP_ADMIN_HIDE_SENSITIVE_DATA is True


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_staff_pages_outside_the_admin_need_verification_too(client, device):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_a_foreign_next_url_is_not_followed(client, device):
    response = client.post(
        reverse("accounts:otp_verify"),
        {"otp_token": current_token(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("workspace:home")  # where every login lands


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_users_who_are_not_staff_are_unaffected(client):
    citizen = user_create(username="vecina", password=PASSWORD)
    client.force_login(citizen)
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/admin/").status_code == 302  # the admin's own login, not the 2FA page
    assert not client.get("/admin/")["Location"].startswith(reverse("accounts:otp_verify"))


@override_settings(OTP_REQUIRED_FOR_STAFF=False)
def test_the_requirement_can_be_turned_off(client, staff):
    assert client.get("/admin/").status_code == 200


@override_settings(LANGUAGE_CODE="en")
def test_an_administrator_issues_an_enrolment_code_in_the_admin_but_not_for_a_superuser(
    client, municipality
):
    from accounts.models import Role, TwoFactorEnrolmentCode

    administrator = user_create(
        username="admin-mun",
        password=None,
        municipality=municipality,
        roles=[Role.ADMINISTRATOR],
        is_staff=True,
    )
    clerk = user_create(
        username="clerk", password=None, municipality=municipality, roles=[Role.MUNICIPAL_STAFF]
    )
    root = user_create(
        username="root", password=None, municipality=municipality, is_staff=True, is_superuser=True
    )
    client.force_login(administrator)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_enrolment_codes", "_selected_action": [clerk.pk, root.pk]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any("Enrolment code for clerk" in m for m in shown)
    assert any("cannot issue a code for root" in m for m in shown)
    assert TwoFactorEnrolmentCode.objects.filter(user=clerk, issued_by=administrator).count() == 1
    assert not TwoFactorEnrolmentCode.objects.filter(user=root).exists()
