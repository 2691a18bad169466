"""``manage.py seed_demo`` (core): its options, output and refusals, and the apps' seeders run
through their AppConfig. What each app seeds is tested in its own ``tests/test_demo.py``."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from accounts.demo import DEMO_USERS
from accounts.models import User
from contracts.models import Contract
from core import demo
from territory.models import Municipality, PublicSpace, ServiceArea

pytestmark = pytest.mark.django_db

SMALL = ["--spaces", "6"]  # invented spaces, besides the 300 published ones
DEMO_USERNAMES = [spec.username for spec in DEMO_USERS]
ALL_SEEDERS = demo.app_seeders
CITY = ["territory", "accounts", "contracts"]  # the apps that seed the city and its logins


@pytest.fixture(autouse=True)
def _city_only(monkeypatch):
    """The programs' seeders (AppConfig.demo_seeders) are left out, except where a test puts
    them back: these tests are about the city, its contracts and logins, and stay fast."""
    monkeypatch.setattr(demo, "app_seeders", lambda: ALL_SEEDERS(CITY))


def seed_demo(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed_demo(*SMALL, "--allow-demo-users")


def row_counts() -> dict[str, int]:
    """Rows of every table, many-to-many tables included (the apps' own seeders too)."""
    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_running_twice_leaves_the_same_rows(monkeypatch):
    monkeypatch.setattr(demo, "app_seeders", ALL_SEEDERS)  # every app's demo data
    seed_demo(*SMALL, "--allow-demo-users")
    first = row_counts()
    spaces = dict(PublicSpace.objects.values_list("code", "geometry"))
    seed_demo(*SMALL, "--allow-demo-users")
    assert row_counts() == first
    assert dict(PublicSpace.objects.values_list("code", "geometry")) == spaces
    assert first["territory_publicspace"] == 306
    assert first["territory_servicearea"] == 242
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_USERNAMES)


def test_prints_what_each_app_loaded_in_layer_order(seeded):
    summary = [line.strip() for line in seeded.splitlines() if line.startswith("  ")]
    assert summary == [
        "Municipalities: 2",
        "Colonias and localities: 186",
        "Public spaces: 306",
        "Service areas: 242",
        "Companies: 11",
        "Contracts: 14",
    ]


def test_prints_the_logins_as_a_table(seeded):
    lines = seeded.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("demo-"))
    assert set(lines[first - 1]) == {"-", " "}
    rows = lines[first : first + len(DEMO_USERS)]
    assert [row.split()[0] for row in rows] == DEMO_USERNAMES
    assert "Municipal staff" in rows[0] and "Chihuahua" in rows[0]
    assert "Villaflores" in rows[4]
    assert "villaguard-demo" in seeded


@override_settings(DEBUG=False, ALLOW_DEMO_USERS=False)
def test_without_debug_it_refuses_to_create_demo_logins():
    with pytest.raises(CommandError, match="--allow-demo-users"):
        seed_demo(*SMALL)
    assert not User.objects.exists()
    assert not Municipality.objects.exists()


@override_settings(DEBUG=False, ALLOW_DEMO_USERS=False)
def test_allow_demo_users_creates_them_and_says_how_to_enable_them():
    output = seed_demo(*SMALL, "--allow-demo-users")
    assert User.objects.filter(username__in=DEMO_USERNAMES, is_demo=True).count() == len(
        DEMO_USERNAMES
    )
    assert "ALLOW_DEMO_USERS=true" in output


@override_settings(DEBUG=False, ALLOW_DEMO_USERS=True)
def test_no_note_when_demo_logins_are_enabled():
    output = seed_demo(*SMALL, "--allow-demo-users")
    assert "ALLOW_DEMO_USERS=true" not in output


@override_settings(DEBUG=True)
def test_with_debug_no_flag_is_needed():
    seed_demo(*SMALL)
    assert User.objects.filter(username__in=DEMO_USERNAMES, is_demo=True).count() == len(
        DEMO_USERNAMES
    )


@override_settings(DEBUG=False)
def test_no_users_loads_only_the_data(monkeypatch):
    monkeypatch.setattr(demo, "app_seeders", ALL_SEEDERS)
    output = seed_demo(*SMALL, "--no-users")
    assert PublicSpace.objects.count() == 306
    # The apps' seeders may add people (guardians), but nobody can log in.
    assert not any(user.has_usable_password() for user in User.objects.all())
    assert "villaguard-demo" not in output


def test_print_logins_only_prints():
    assert "No demo logins" in seed_demo("--print-logins")
    assert not Municipality.objects.exists()
    seed_demo(*SMALL, "--allow-demo-users")
    counts = row_counts()
    output = seed_demo("--print-logins")
    assert row_counts() == counts
    assert "demo-admin" in output
    assert "Public spaces" not in output


def test_too_few_spaces_is_refused():
    with pytest.raises(CommandError, match="at least"):
        seed_demo("--spaces", "-1", "--allow-demo-users")


def test_apps_add_their_seeders_through_their_app_config(monkeypatch):
    monkeypatch.setattr(demo, "app_seeders", ALL_SEEDERS)
    for app_config in apps.get_app_configs():
        if app_config.label not in CITY:
            monkeypatch.setattr(app_config, "demo_seeders", [], raising=False)
    calls = []

    def seed_guardians(context):
        calls.append((context.chihuahua.slug, len(context.colonias), sorted(context.users)))
        assert context.random("guardians").random() == context.random("guardians").random()

    monkeypatch.setattr(
        apps.get_app_config("guardians"), "demo_seeders", [seed_guardians], raising=False
    )
    seed_demo(*SMALL, "--allow-demo-users")
    assert calls == [("chihuahua", 164, sorted(DEMO_USERNAMES))]


def test_the_real_city_with_the_contracts_its_files_state(seeded):
    chihuahua = Municipality.objects.get(slug="chihuahua")
    spaces = PublicSpace.objects.filter(municipality=chihuahua)
    assert spaces.filter(code__startswith="AC-Z").count() == 300
    assert spaces.get(code="AC-Z13-0001").name == "Zubirán"
    areas = ServiceArea.objects.filter(municipality=chihuahua)
    assert areas.filter(service_type__code="garbage").count() == 203  # of 227 placemarks
    assert areas.filter(service_type__code="lighting").count() == 39  # of 46 placemarks

    # Lot 11 as its placemarks state it: company, monthly amount with VAT, period, 77 spaces.
    published = Contract.objects.get(municipality=chihuahua, number="PARTIDA-11")
    assert published.company.legal_name == "Servicios Chuviscar S.A. de C.V."
    assert published.monthly_amount == Decimal("337000.00") and published.amounts_include_vat
    assert (published.start_date, published.end_date) == (
        datetime.date(2021, 2, 25),
        datetime.date(2021, 8, 31),
    )
    assert published.spaces.count() == 77 and published.lot == "11"
    lot_12 = Contract.objects.get(municipality=chihuahua, number="PARTIDA-12")
    assert lot_12.monthly_amount == Decimal("313700.00") and lot_12.spaces.count() == 62

    # Its period is over: the demo's contract in force is marked as invented.
    today = timezone.localdate()
    in_force = Contract.objects.filter(municipality=chihuahua).in_force(today)
    assert not in_force.filter(number__startswith="PARTIDA-").exists()
    assert all(c.number.startswith("DEMO-") for c in in_force)
    lot_11 = in_force.get(number=f"DEMO-AV-011/{today.year}")
    assert lot_11.company == published.company and lot_11.monthly_amount == Decimal("337000.00")
    assert "ficticio" in lot_11.description
    # Lots 13 and 14 name no company: a company the name marks as the demo's own.
    lot_13 = in_force.get(number=f"DEMO-AV-013/{today.year}")
    assert lot_13.company.legal_name == "Empresa ficticia de demostración (partida 13)"
    assert lot_13.spaces.count() == 76

    # Every published space and area is under a contract in force; one per contractor.
    assert spaces.filter(code__startswith="AC-Z", contracts__in=in_force).distinct().count() == 300
    assert areas.filter(contracts__in=in_force).distinct().count() == 242
    garbage = in_force.filter(service_type__code="garbage")
    assert garbage.count() == 7
    assert set(garbage.values_list("company__legal_name", flat=True)) >= {"DIPACSA", "ANCHO"}
    lighting = in_force.get(service_type__code="lighting")
    assert lighting.company.legal_name == "LIFER DEL NORTE"
    assert "CD08-11, CD09-11" in lighting.description
