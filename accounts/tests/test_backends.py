import pytest
from django.contrib.auth import authenticate
from django.test import override_settings

from accounts.services import user_create

PASSWORD = "a-long-Pass-phrase-42"

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_user():
    return user_create(username="demo-x", password=PASSWORD, is_demo=True)


@pytest.fixture
def real_user():
    return user_create(username="ana", password=PASSWORD)


@override_settings(DEBUG=False, ALLOW_DEMO_USERS=False)
def test_demo_login_refused_without_debug_or_allow_demo_users(demo_user, real_user):
    assert authenticate(username="demo-x", password=PASSWORD) is None
    assert authenticate(username="ana", password=PASSWORD) == real_user


@override_settings(DEBUG=True, ALLOW_DEMO_USERS=False)
def test_demo_login_accepted_with_debug(demo_user):
    assert authenticate(username="demo-x", password=PASSWORD) == demo_user


@override_settings(DEBUG=False, ALLOW_DEMO_USERS=True)
def test_demo_login_accepted_when_allowed(demo_user):
    assert authenticate(username="demo-x", password=PASSWORD) == demo_user


@override_settings(DEBUG=True, ALLOW_DEMO_USERS=True)
def test_wrong_password_and_inactive_users_still_refused(demo_user, real_user):
    assert authenticate(username="demo-x", password="wrong") is None
    real_user.is_active = False
    real_user.save()
    assert authenticate(username="ana", password=PASSWORD) is None
