"""One client address for everything that counts per client: the rate limits of the public
forms (django-ratelimit) and the login lockout (django-axes) both read
``core.client_ip.client_ip``. By default that is the socket's address and
X-Forwarded-For is ignored, so a forged header buys no fresh allowance; behind
TRUSTED_PROXY_COUNT reverse proxies it is the hop the outermost proxy appended."""

import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from accounts.services import user_create
from core.client_ip import client_ip

PROXY = "10.0.0.1"
PASSWORD = "a-long-Pass-phrase-42"

throttled = override_settings(
    AXES_ENABLED=True,
    AXES_FAILURE_LIMIT=3,
    AXES_COOLOFF_TIME=datetime.timedelta(minutes=15),
)


def request_from(remote_addr, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


# --- the function ----------------------------------------------------------------------------


def test_by_default_the_socket_address_is_the_client_and_x_forwarded_for_is_ignored():
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        # One proxy: it appended the address it was reached from, the last entry.
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (1, " 1.2.3.4 ,203.0.113.7 ", "203.0.113.7"),
        # Two proxies: the outer one appended the client, the inner one the outer proxy.
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "1.2.3.4, 2001:db8::7", "2001:db8::7"),
        # Fewer hops than proxies, no header, or a hop that is not an address: the request
        # did not come the configured way, and only the socket's address can be trusted.
        (2, "203.0.113.7", PROXY),
        (1, None, PROXY),
        (1, "", PROXY),
        (1, "1.2.3.4, not-an-address", PROXY),
        (1, "1.2.3.4, 203.0.113.7:4711", PROXY),
    ],
)
def test_behind_trusted_proxies_the_outermost_proxys_hop_is_the_client(
    count, forwarded_for, expected
):
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(request_from(PROXY, forwarded_for)) == expected


# --- the complaint form's rate limit ---------------------------------------------------------


def post_complaint(client, remote_addr="203.0.113.7", forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    # The limit is counted before the form is read: an empty form counts like any other.
    return client.post(reverse("complaints:new"), {}, **extra)


@pytest.mark.django_db
@override_settings(COMPLAINTS_SUBMIT_RATE="2/h")
def test_a_spoofed_x_forwarded_for_does_not_evade_the_complaint_rate_limit(client, municipality):
    for hop in range(2):
        assert post_complaint(client, forwarded_for=f"198.51.100.{hop}").status_code != 429
    assert post_complaint(client, forwarded_for="198.51.100.99").status_code == 429


@pytest.mark.django_db
@override_settings(COMPLAINTS_SUBMIT_RATE="2/h", TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_complaint_rate_limit_counts_the_client_hop(client, municipality):
    # The client forges a new left-hand hop each time; the proxy appends the real address.
    for forged in range(2):
        response = post_complaint(client, PROXY, f"198.51.100.{forged}, 203.0.113.7")
        assert response.status_code != 429
    assert post_complaint(client, PROXY, "198.51.100.99, 203.0.113.7").status_code == 429
    # Another client behind the same proxy has its own allowance.
    assert post_complaint(client, PROXY, "203.0.113.8").status_code != 429


# --- the login lockout -----------------------------------------------------------------------


def login(client, password, remote_addr="203.0.113.7", forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(
        reverse("accounts:login"), {"username": "ana", "password": password}, **extra
    )


@pytest.mark.django_db
@throttled
def test_a_spoofed_x_forwarded_for_does_not_evade_the_login_lockout(client, municipality):
    user_create(username="ana", password=PASSWORD)
    for hop in range(3):
        login(client, "wrong-password", forwarded_for=f"198.51.100.{hop}")
    response = login(client, PASSWORD, forwarded_for="198.51.100.99")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@throttled
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_login_lockout_counts_the_client_hop(client, municipality):
    user_create(username="ana", password=PASSWORD)
    for forged in range(3):
        login(client, "wrong-password", PROXY, f"198.51.100.{forged}, 203.0.113.7")
    assert login(client, PASSWORD, PROXY, "198.51.100.99, 203.0.113.7").status_code == 429
    # Ana, from her own address behind the same proxy, is not locked out by the attacker.
    response = login(client, PASSWORD, PROXY, "203.0.113.8")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


# --- the setting it replaces -----------------------------------------------------------------


def test_the_old_axes_ip_headers_variable_stops_the_process_with_a_pointer_to_the_new_one():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        AXES_IP_HEADERS="HTTP_X_FORWARDED_FOR,REMOTE_ADDR",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "AXES_IP_HEADERS is no longer read" in result.stderr
    assert "TRUSTED_PROXY_COUNT" in result.stderr
