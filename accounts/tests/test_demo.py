"""The demo logins (``accounts.demo``), bound to the municipalities territory's seeders made."""

import pytest
from django.contrib.auth.models import Group

from accounts.demo import DEMO_PASSWORD, seed_users
from accounts.models import User
from core import demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    context = demo.DemoContext(spaces=12)
    for seeder in demo.app_seeders(["territory", "accounts"]):
        seeder(context)
    return context


def test_no_logins_without_users():
    context = demo.DemoContext(spaces=12, with_users=False)
    for seeder in demo.app_seeders(["territory", "accounts"]):
        seeder(context)
    assert context.users == {}
    assert not User.objects.exists()


def test_one_demo_login_per_role(seeded):
    expected = {
        "demo-staff": ("municipal_staff", "chihuahua", True, False),
        "demo-directorate": ("directorate_staff", "chihuahua", False, False),
        "demo-guardian": ("guardian", "chihuahua", False, False),
        "demo-lead": ("lead_guardian", "chihuahua", False, False),
        "demo-committee": ("committee_member", "villaflores", False, False),
        "demo-civil": ("civil_employee", "villaflores", False, False),
        "demo-munadmin": ("administrator", "chihuahua", True, False),
        "demo-admin": ("administrator", None, True, True),
    }
    users = {
        u.username: u
        for u in User.objects.filter(username__startswith="demo-").select_related(
            "municipality", "directorate"
        )
    }
    assert set(users) == set(expected)
    for username, (role, slug, is_staff, is_superuser) in expected.items():
        user = users[username]
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert (user.municipality.slug if user.municipality else None) == slug
        assert (user.is_staff, user.is_superuser) == (is_staff, is_superuser)
        assert user.is_demo and user.is_active
        assert user.check_password(DEMO_PASSWORD)
    assert users["demo-directorate"].directorate.name == "Departamento de Parques y Jardines"
    assert users["demo-admin"].is_deployment_admin


def test_seeding_again_puts_the_demo_logins_back(seeded):
    staff = User.objects.get(username="demo-staff")
    staff.set_password("changed-in-the-meantime")
    staff.is_active = False
    staff.save()
    staff.groups.clear()
    staff.groups.add(Group.objects.get(name="guardian"))
    seed_users(seeded)
    staff.refresh_from_db()
    assert staff.check_password(DEMO_PASSWORD)
    assert staff.is_active
    # Its role is back; roles given since (e.g. by another app's seeder) are kept.
    assert set(staff.groups.values_list("name", flat=True)) == {"municipal_staff", "guardian"}
