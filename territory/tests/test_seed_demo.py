import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from contracts.models import RFC_PATTERN, Company, Contract
from territory import demo
from territory.geometry import area_m2
from territory.models import Colonia, Directorate, Municipality, PublicSpace, ServiceType
from territory.services import colonia_for_point

pytestmark = pytest.mark.django_db

SMALL = ["--spaces", "60"]
DEMO_USERNAMES = [spec.username for spec in demo.DEMO_USERS]
ALL_SEEDERS = demo.app_seeders


@pytest.fixture(autouse=True)
def _core_steps_only(monkeypatch):
    """The other apps' seeders (AppConfig.demo_seeders) are left out, except where a test puts
    them back: these tests are about the core steps, and stay fast."""
    monkeypatch.setattr(demo, "app_seeders", list)


def seed_demo(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed_demo(*SMALL, "--allow-demo-users")


@pytest.fixture
def chihuahua(seeded):
    return Municipality.objects.get(slug="chihuahua")


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
    assert first["territory_publicspace"] == 60
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_USERNAMES)


def test_default_seed_has_over_a_thousand_spaces_about_ninety_per_lot():
    demo.seed(with_users=False)
    assert PublicSpace.objects.count() == demo.DEFAULT_SPACE_COUNT >= 1000
    for contract in Contract.objects.filter(service_type__code=demo.GREEN):
        assert 85 <= contract.spaces.count() <= 95


def test_the_chihuahua_municipality(chihuahua):
    assert chihuahua.name == "Chihuahua"
    assert chihuahua.state == "Chihuahua"
    assert chihuahua.inegi_code == "08019"
    assert chihuahua.is_default
    assert not chihuahua.is_rural
    assert chihuahua.host_list == ["chihuahua.localhost"]
    assert chihuahua.center.distance(demo.Point(-106.08, 28.63)) < 0.01


def test_about_fifty_colonias_with_polygons_and_populations(chihuahua):
    colonias = Colonia.objects.filter(municipality=chihuahua)
    assert 45 <= colonias.count() <= 60
    assert {"Centro", "Santa Rita", "Cerro de la Cruz", "Riberas de Sacramento"} <= set(
        colonias.values_list("name", flat=True)
    )
    for colonia in colonias:
        assert colonia.geometry is not None and colonia.geometry.valid
        assert colonia.population > 0
    # They tile the city: no two overlap.
    polygons = [c.geometry for c in colonias]
    for index, polygon in enumerate(polygons):
        for other in polygons[index + 1 :]:
            assert polygon.intersection(other).area < 1e-12


def test_every_space_lies_inside_its_colonia_with_derived_area_and_centroid(chihuahua):
    spaces = PublicSpace.objects.filter(municipality=chihuahua).select_related("colonia")
    assert spaces.count() == 60
    for space in spaces:
        assert space.geometry.valid
        assert space.colonia is not None
        assert space.colonia.geometry.contains(space.geometry)
        assert colonia_for_point(municipality=chihuahua, point=space.centroid) == space.colonia
        assert space.centroid.within(space.geometry)
        assert space.area_m2 == pytest.approx(area_m2(space.geometry))
        assert 100 < space.area_m2 < 15_000
        assert re.fullmatch(r"AC-(Z(1[1-9]|2[01])|PJ)-\d{4}", space.code)
        assert space.name.split()[0] in {
            "Parque",
            "Jardín",
            "Camellón",
            "Triángulo",
            "Plaza",
            "Plazuela",
            "Unidad",
            "Cancha",
        }
    assert set(spaces.values_list("kind", flat=True)) >= {"park", "garden", "median"}


def test_eleven_maintenance_contracts_in_force_with_eleven_companies(chihuahua):
    today = timezone.localdate()
    contracts = Contract.objects.filter(municipality=chihuahua, service_type__code=demo.GREEN)
    assert contracts.count() == 11
    assert contracts.active_on(today).count() == 11
    assert sorted(int(c.lot) for c in contracts) == list(range(11, 22))
    assert len({c.company_id for c in contracts}) == 11
    assert len({c.procurement_method for c in contracts}) > 1
    for contract in contracts:
        assert re.fullmatch(RFC_PATTERN, contract.company.rfc)
        assert contract.company.legal_name.endswith("S.A. de C.V.")
        assert 250_000 <= contract.monthly_amount <= 450_000
        assert contract.amounts_include_vat
        assert contract.spaces.exists()
        assert contract.directorate.name == "Departamento de Parques y Jardines"
        obligations = {
            (o.frequency_days, o.response_time_hours) for o in contract.obligations.all()
        }
        assert obligations == {(15, None), (7, None), (3, None), (90, None), (None, 72)}
    # No space is covered twice; the rest are kept by the directorate itself.
    covered = PublicSpace.objects.filter(contracts__in=contracts)
    assert covered.count() == covered.distinct().count()
    kept = PublicSpace.objects.filter(municipality=chihuahua, contracts=None)
    assert kept.exists()
    assert all(space.directorate.name == "Departamento de Parques y Jardines" for space in kept)


def test_two_lighting_contracts_and_a_garbage_contract_over_service_areas(chihuahua):
    today = timezone.localdate()
    lighting = Contract.objects.filter(municipality=chihuahua, service_type__code=demo.LIGHTING)
    assert lighting.count() == 2
    assert lighting.active_on(today).count() == 2
    for contract in lighting:
        assert contract.service_areas.exists()
        assert contract.obligations.filter(response_time_hours=48).exists()
    assert not set(lighting[0].service_areas.all()) & set(lighting[1].service_areas.all())

    garbage = Contract.objects.get(municipality=chihuahua, service_type__code=demo.GARBAGE)
    assert garbage.status == Contract.Status.ACTIVE
    routes = garbage.service_areas.all()
    assert routes.count() >= 10
    assert all(route.geometry.valid and route.area_m2 > 1_000_000 for route in routes)
    assert Company.objects.filter(municipality=chihuahua).count() == 13


def test_directorates_and_their_services(chihuahua):
    directorates = {d.name: d for d in Directorate.objects.filter(municipality=chihuahua)}
    assert set(directorates) == {
        "Dirección de Servicios Públicos Municipales",
        "Departamento de Parques y Jardines",
        "Departamento de Aseo Urbano",
        "Departamento de Alumbrado Público",
    }
    for directorate in directorates.values():
        assert directorate.email.endswith("@demo.villaguard.mx")
    general = directorates["Dirección de Servicios Públicos Municipales"]
    assert {s.category for s in general.services.all()} == {"green_spaces", "garbage", "lighting"}
    parks = directorates["Departamento de Parques y Jardines"]
    assert [s.code for s in parks.services.all()] == [demo.GREEN]
    assert ServiceType.objects.filter(municipality=chihuahua).count() == 3


def test_villaflores_with_its_localities(seeded):
    villaflores = Municipality.objects.get(slug="villaflores")
    assert villaflores.inegi_code == "07108"
    assert villaflores.state == "Chiapas"
    assert villaflores.is_rural and not villaflores.is_default
    assert villaflores.host_list == ["villaflores.localhost"]
    localities = Colonia.objects.filter(municipality=villaflores, kind=Colonia.Kind.LOCALITY)
    assert localities.count() >= 15
    assert {"Villaflores", "Jesús María Garza", "Cristóbal Obregón", "Nueva Independencia"} <= set(
        localities.values_list("name", flat=True)
    )
    for locality in localities:
        assert locality.location is not None and locality.geometry is None
        assert 15.8 < locality.location.y < 16.7 and -93.8 < locality.location.x < -92.9
        assert locality.population > 0
        assert locality.is_rural == (locality.name != "Villaflores")
    seat = localities.get(name="Villaflores")
    assert seat.population == 40_000
    assert seat.inegi_locality_code == "071080001"
    urban = Colonia.objects.filter(municipality=villaflores, kind=Colonia.Kind.COLONIA)
    assert urban.count() >= 4
    assert all(not c.is_rural and c.geometry is not None for c in urban)
    assert urban.filter(geometry__intersects=seat.location).exists()


def test_one_demo_login_per_role(seeded):
    expected = {
        "demo-staff": ("municipal_staff", "chihuahua", True, False),
        "demo-directorate": ("directorate_staff", "chihuahua", False, False),
        "demo-guardian": ("guardian", "chihuahua", False, False),
        "demo-lead": ("lead_guardian", "chihuahua", False, False),
        "demo-committee": ("committee_member", "villaflores", False, False),
        "demo-civil": ("civil_employee", "villaflores", False, False),
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
        assert user.check_password(demo.DEMO_PASSWORD)
    assert users["demo-directorate"].directorate.name == "Departamento de Parques y Jardines"
    assert users["demo-admin"].is_deployment_admin


def test_prints_the_logins_as_a_table(seeded):
    lines = seeded.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("demo-"))
    assert set(lines[first - 1]) == {"-", " "}
    rows = lines[first : first + len(demo.DEMO_USERS)]
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
    assert User.objects.filter(username__in=DEMO_USERNAMES, is_demo=True).count() == 7
    assert "ALLOW_DEMO_USERS=true" in output


@override_settings(DEBUG=False, ALLOW_DEMO_USERS=True)
def test_no_note_when_demo_logins_are_enabled():
    output = seed_demo(*SMALL, "--allow-demo-users")
    assert "ALLOW_DEMO_USERS=true" not in output


@override_settings(DEBUG=True)
def test_with_debug_no_flag_is_needed():
    seed_demo(*SMALL)
    assert User.objects.filter(username__in=DEMO_USERNAMES, is_demo=True).count() == 7


@override_settings(DEBUG=False)
def test_no_users_loads_only_the_data(monkeypatch):
    monkeypatch.setattr(demo, "app_seeders", ALL_SEEDERS)
    output = seed_demo(*SMALL, "--no-users")
    assert PublicSpace.objects.count() == 60
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
        seed_demo("--spaces", "5", "--allow-demo-users")


def test_an_existing_default_municipality_stays_the_default(municipality):
    seed_demo(*SMALL, "--no-users")
    municipality.refresh_from_db()
    assert municipality.is_default
    assert not Municipality.objects.get(slug="chihuahua").is_default


def test_apps_add_their_seeders_through_their_app_config(monkeypatch):
    monkeypatch.setattr(demo, "app_seeders", ALL_SEEDERS)
    for app_config in apps.get_app_configs():
        monkeypatch.setattr(app_config, "demo_seeders", [], raising=False)
    calls = []

    def seed_guardians(context):
        calls.append((context.chihuahua.slug, len(context.colonias), sorted(context.users)))
        assert context.random("guardians").random() == context.random("guardians").random()

    monkeypatch.setattr(
        apps.get_app_config("guardians"), "demo_seeders", [seed_guardians], raising=False
    )
    seed_demo(*SMALL, "--allow-demo-users")
    assert calls == [("chihuahua", 52, sorted(DEMO_USERNAMES))]


def test_seeding_again_puts_the_demo_logins_back(seeded):
    staff = User.objects.get(username="demo-staff")
    staff.set_password("changed-in-the-meantime")
    staff.is_active = False
    staff.save()
    staff.groups.clear()
    staff.groups.add(Group.objects.get(name="guardian"))
    seed_demo(*SMALL, "--allow-demo-users")
    staff.refresh_from_db()
    assert staff.check_password(demo.DEMO_PASSWORD)
    assert staff.is_active
    # Its role is back; roles given since (e.g. by another app's seeder) are kept.
    assert set(staff.groups.values_list("name", flat=True)) == {"municipal_staff", "guardian"}
