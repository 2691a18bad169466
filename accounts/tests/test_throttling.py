"""Login throttling (django-axes): a username+IP pair is locked out after AXES_FAILURE_LIMIT
failed logins, until the cool-off ends. The test settings turn axes off; these turn it on."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_create

PASSWORD = "a-long-Pass-phrase-42"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("municipality")]

throttled = override_settings(
    AXES_ENABLED=True,
    AXES_FAILURE_LIMIT=3,
    AXES_COOLOFF_TIME=datetime.timedelta(minutes=15),
)


@pytest.fixture
def ana():
    return user_create(username="ana", password=PASSWORD)


def login(client, password, username="ana", ip="203.0.113.7"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


@throttled
def test_a_username_and_ip_are_locked_out_after_the_failure_limit(client, ana):
    for _ in range(2):
        assert login(client, "wrong-password").status_code == 200
    response = login(client, "wrong-password")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    # Even the right password is refused while locked out.
    response = login(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@throttled
def test_the_lockout_is_per_username_and_ip(client, ana):
    for _ in range(3):
        login(client, "wrong-password")
    assert login(client, PASSWORD, ip="198.51.100.9").status_code == 302
    user_create(username="bea", password=PASSWORD)
    client.logout()
    assert login(client, PASSWORD, username="bea").status_code == 302


@throttled
def test_a_correct_login_after_the_cool_off_works(client, ana):
    for _ in range(3):
        login(client, "wrong-password")
    assert login(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = login(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ana.pk)
