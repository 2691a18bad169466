"""The password rules: at least 12 characters, not a common or all-numeric password, not
similar to the user's own details. seed_demo's published password skips them on purpose."""

import pytest
from django.core.exceptions import ValidationError

from accounts.demo import DEMO_PASSWORD
from accounts.services import user_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Sh0rt-pass!", "password_too_short"),  # 11 characters
        ("123456789012345", "password_entirely_numeric"),
        ("password12345", "password_too_common"),
        ("marisol.quintana", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as raised:
        user_create(username="marisol.quintana", password=password, email="mq@example.org")
    assert code in {error.code for error in raised.value.error_list}


def test_a_long_password_is_accepted():
    user = user_create(username="marisol", password="tres-gatos-azules")
    assert user.check_password("tres-gatos-azules")


def test_the_demo_password_skips_the_rules_by_design():
    user = user_create(
        username="demo-sindicatura",
        password=DEMO_PASSWORD,
        is_demo=True,
        skip_password_validation=True,
    )
    assert user.check_password(DEMO_PASSWORD)
