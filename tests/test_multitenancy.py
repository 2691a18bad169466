"""One deployment, several municipalities: the host name selects one, and nobody sees or changes
another municipality's data, neither on the public pages nor in the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from contracts.models import Company, Contract
from contracts.tests.factories import ContractFactory
from territory.middleware import MunicipalityMiddleware
from territory.models import Municipality, PublicSpace
from territory.tests.factories import (
    DirectorateFactory,
    MunicipalityFactory,
    PublicSpaceFactory,
    ServiceTypeFactory,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
VILLAFLORES_HOST = "vigila.villaflores.gob.mx"


@pytest.fixture
def chihuahua(db):
    return MunicipalityFactory(
        name="Chihuahua", slug="chihuahua", inegi_code="08019", is_default=True
    )


@pytest.fixture
def villaflores(db, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, VILLAFLORES_HOST]
    return MunicipalityFactory(
        name="Villaflores",
        slug="villaflores",
        state="Chiapas",
        inegi_code="07108",
        hosts=f"{VILLAFLORES_HOST}, villaflores.example.org",
        zoom=14,
        contact_email="planeacion@villaflores.example.org",
    )


def selected(host):
    seen = {}

    def view(request):
        seen["municipality"] = request.municipality

    MunicipalityMiddleware(view)(RequestFactory().get("/", HTTP_HOST=host))
    return seen["municipality"]


def staff_of(municipality, username):
    user = User.objects.create_user(
        username=username, password="x", is_staff=True, municipality=municipality
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["accounts", "territory", "contracts"]
        )
    )
    return user


# --- Host selection -------------------------------------------------------------------------


def test_an_explicit_host_name_selects_its_municipality(chihuahua, villaflores, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "VILLAFLORES.EXAMPLE.ORG"]
    assert selected(VILLAFLORES_HOST) == villaflores
    assert selected(f"{VILLAFLORES_HOST}:8000") == villaflores
    assert selected("VILLAFLORES.EXAMPLE.ORG") == villaflores


def test_slug_dot_localhost_selects_the_municipality(chihuahua, villaflores):
    assert selected("villaflores.localhost:8000") == villaflores
    assert selected("chihuahua.localhost") == chihuahua


def test_any_other_host_gets_the_default_municipality(chihuahua, villaflores):
    assert selected("127.0.0.1:8000") == chihuahua
    assert selected("localhost") == chihuahua
    assert selected("unknown.localhost") == chihuahua


def test_each_municipality_presents_itself(client, chihuahua, villaflores):
    html = client.get(reverse("contracts:contract_list"), HTTP_HOST=VILLAFLORES_HOST, **EN)
    html = html.content.decode()
    assert "Villaflores" in html and "planeacion@villaflores.example.org" in html
    assert "Chihuahua" not in html


def test_a_municipality_changed_in_the_admin_is_served_on_its_new_host(
    admin_client, chihuahua, villaflores, django_capture_on_commit_callbacks
):
    assert selected("villaflores-nuevo.localhost") == chihuahua  # cached host map
    data = {
        "name": villaflores.name,
        "slug": villaflores.slug,
        "state": villaflores.state,
        "inegi_code": villaflores.inegi_code,
        "hosts": "villaflores-nuevo.localhost",
        "center": villaflores.center.geojson,
        "zoom": "14",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:territory_municipality_change", args=[villaflores.pk]), data
        )
    assert response.status_code == 302
    assert selected("villaflores-nuevo.localhost") == villaflores


def test_another_process_sees_a_changed_host_within_seconds_without_a_query(
    chihuahua, villaflores, monkeypatch, django_assert_num_queries
):
    """Each process keeps the host map HOSTS_LOCAL_SECONDS: a change made elsewhere (here:
    the shared copy dropped and the row changed, as another process's admin would) is served
    once that time has passed, and until then a request reads neither the cache nor the
    database."""
    from django.core.cache import cache

    from territory import selectors

    now = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: now[0])
    assert selected("villaflores-nuevo.localhost") == chihuahua
    Municipality.objects.filter(pk=villaflores.pk).update(hosts="villaflores-nuevo.localhost")
    cache.delete(selectors.MUNICIPALITY_HOSTS_CACHE_KEY)
    with django_assert_num_queries(0):
        assert selected("villaflores-nuevo.localhost") == chihuahua
    now[0] += selectors.HOSTS_LOCAL_SECONDS + 0.1
    assert selected("villaflores-nuevo.localhost") == villaflores


# --- Public pages ---------------------------------------------------------------------------


def test_public_pages_show_only_the_hosts_municipality(client, chihuahua, villaflores):
    ours = ContractFactory(municipality=chihuahua, number="CUU-001")
    theirs = ContractFactory(municipality=villaflores, number="VF-001")
    list_url = reverse("contracts:contract_list")

    for host, shown, hidden in [
        ("127.0.0.1", ours, theirs),
        ("villaflores.localhost", theirs, ours),
        (VILLAFLORES_HOST, theirs, ours),
    ]:
        html = client.get(list_url, HTTP_HOST=host, **EN).content.decode()
        assert shown.number in html and hidden.number not in html, host
        assert client.get(shown.get_absolute_url(), HTTP_HOST=host).status_code == 200
        assert client.get(hidden.get_absolute_url(), HTTP_HOST=host).status_code == 404
        assert client.get(shown.company.get_absolute_url(), HTTP_HOST=host).status_code == 200
        assert client.get(hidden.company.get_absolute_url(), HTTP_HOST=host).status_code == 404


def test_public_filter_choices_are_the_hosts(client, chihuahua, villaflores):
    ContractFactory(municipality=chihuahua, company__legal_name="Norteña S.A.")
    ContractFactory(municipality=villaflores, company__legal_name="Chiapaneca S.C.")
    html = client.get(
        reverse("contracts:contract_list"), HTTP_HOST="villaflores.localhost", **EN
    ).content.decode()
    assert "Chiapaneca S.C." in html and "Norteña S.A." not in html


# --- Admin ----------------------------------------------------------------------------------


@pytest.fixture
def two_municipalities(client, chihuahua, villaflores):
    """Staff of Chihuahua logged in; each municipality with a contract and a space."""
    staff = staff_of(chihuahua, "cuu")
    staff_of(villaflores, "vf")
    client.force_login(staff)
    return {
        "client": client,
        "ours": ContractFactory(municipality=chihuahua, number="CUU-001"),
        "theirs": ContractFactory(
            municipality=villaflores,
            number="VF-001",
            company__legal_name="Chiapaneca S.C.",
            service_type__name="Limpia Villaflores",
            directorate__name="Dirección de Villaflores",
            spaces=[PublicSpaceFactory(municipality=villaflores, code="VF-0001")],
        ),
        "our_space": PublicSpaceFactory(municipality=chihuahua, code="CUU-0001"),
    }


@pytest.mark.parametrize(
    ("model", "url_name"),
    [
        (Contract, "contracts_contract"),
        (Company, "contracts_company"),
        (PublicSpace, "territory_publicspace"),
        (User, "accounts_user"),
        (Municipality, "territory_municipality"),
    ],
)
def test_admin_changelists_show_only_the_staff_municipality(
    two_municipalities, chihuahua, model, url_name
):
    client = two_municipalities["client"]
    response = client.get(reverse(f"admin:{url_name}_changelist"), **EN)
    assert response.status_code == 200
    rows = list(response.context["cl"].queryset)
    assert rows
    for row in rows:
        owner = row if model is Municipality else row.municipality
        assert owner == chihuahua, row


def test_admin_change_views_refuse_another_municipalitys_objects(two_municipalities, villaflores):
    client = two_municipalities["client"]
    theirs = two_municipalities["theirs"]
    for url in [
        reverse("admin:contracts_contract_change", args=[theirs.pk]),
        reverse("admin:contracts_company_change", args=[theirs.company.pk]),
        reverse("admin:territory_directorate_change", args=[theirs.directorate.pk]),
        reverse("admin:territory_municipality_change", args=[villaflores.pk]),
        reverse("admin:accounts_user_change", args=[User.objects.get(username="vf").pk]),
        reverse("admin:contracts_contract_delete", args=[theirs.pk]),
    ]:
        response = client.get(url, **EN)
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert response["Location"] == reverse("admin:index"), url
    # A change posted anyway changes nothing.
    client.post(
        reverse("admin:contracts_company_change", args=[theirs.company.pk]),
        {"legal_name": "Taken over"},
    )
    theirs.company.refresh_from_db()
    assert theirs.company.legal_name == "Chiapaneca S.C."


def test_admin_choices_and_filters_are_limited_to_the_municipality(two_municipalities):
    client = two_municipalities["client"]
    ours, theirs = two_municipalities["ours"], two_municipalities["theirs"]

    form = client.get(reverse("admin:contracts_contract_add"), **EN).context["adminform"].form
    assert list(form.fields["company"].queryset) == [ours.company]
    assert set(form.fields["service_type"].queryset) == {ours.service_type}
    assert list(form.fields["directorate"].queryset) == [ours.directorate]
    assert two_municipalities["our_space"] in form.fields["spaces"].queryset
    assert theirs.spaces.get() not in form.fields["spaces"].queryset
    assert "municipality" not in form.fields

    html = client.get(reverse("admin:contracts_contract_changelist"), **EN).content.decode()
    assert "Limpia Villaflores" not in html and "Dirección de Villaflores" not in html
    user_form = client.get(reverse("admin:accounts_user_add"), **EN).context["adminform"].form
    assert "municipality" not in user_form.fields


def test_admin_autocomplete_offers_only_the_municipalitys_spaces(two_municipalities):
    client = two_municipalities["client"]
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "contracts",
            "model_name": "contract",
            "field_name": "spaces",
            "term": "0001",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [str(two_municipalities["our_space"])]


def test_admin_cannot_pick_another_municipalitys_rows_by_id(two_municipalities, chihuahua):
    client = two_municipalities["client"]
    theirs = two_municipalities["theirs"]
    response = client.post(
        reverse("admin:contracts_contract_add"),
        {
            "number": "CUU-002",
            "company": theirs.company.pk,
            "service_type": ServiceTypeFactory(municipality=chihuahua).pk,
            "directorate": DirectorateFactory(municipality=chihuahua).pk,
            "procurement_method": "open",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "spaces": [theirs.spaces.get().pk],
            "obligations-TOTAL_FORMS": "0",
            "obligations-INITIAL_FORMS": "0",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
        **EN,
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "company" in errors and "spaces" in errors
    assert not Contract.objects.filter(number="CUU-002").exists()


def test_what_staff_add_belongs_to_their_municipality(two_municipalities, chihuahua):
    client = two_municipalities["client"]
    client.post(reverse("admin:contracts_company_add"), {"legal_name": "Nueva S.A."})
    client.post(
        reverse("admin:accounts_user_add"),
        {"username": "nuevo", "password1": "Vigila-2026!", "password2": "Vigila-2026!"},
    )
    assert Company.objects.get(legal_name="Nueva S.A.").municipality == chihuahua
    assert User.objects.get(username="nuevo").municipality == chihuahua


def test_staff_cannot_make_a_superuser(two_municipalities):
    client = two_municipalities["client"]
    user = User.objects.get(username="cuu")
    form = (
        client.get(reverse("admin:accounts_user_change", args=[user.pk])).context["adminform"].form
    )
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields
    assert "groups" in form.fields and "directorate" in form.fields


def test_staff_cannot_create_municipalities_but_a_deployment_admin_sees_all(
    two_municipalities, admin_client, chihuahua, villaflores
):
    client = two_municipalities["client"]
    assert client.get(reverse("admin:territory_municipality_add")).status_code == 403
    own = client.get(reverse("admin:territory_municipality_change", args=[chihuahua.pk]))
    assert own.status_code == 200
    assert "hosts" not in own.context["adminform"].form.fields  # read-only for staff

    everything = admin_client.get(reverse("admin:contracts_contract_changelist"))
    assert {c.number for c in everything.context["cl"].queryset} == {"CUU-001", "VF-001"}
    municipalities = admin_client.get(reverse("admin:territory_municipality_changelist"))
    assert set(municipalities.context["cl"].queryset) == {chihuahua, villaflores}


def test_staff_bound_to_no_municipality_administer_nothing(client, chihuahua):
    ContractFactory(municipality=chihuahua)
    loose = staff_of(None, "loose")
    client.force_login(loose)
    assert client.get(reverse("admin:contracts_contract_changelist")).status_code == 403
    assert client.get(reverse("admin:contracts_contract_add")).status_code == 403
    index = client.get(reverse("admin:index"), **EN)
    assert index.status_code == 200
    assert index.context["app_list"] == []


# --- Roles in the admin (issue 14, items 5 and 7) ---------------------------------------------


def municipal_admin_of(municipality, username, **extra):
    from accounts.models import Role
    from accounts.services import user_create

    return user_create(
        username=username,
        password=None,
        municipality=municipality,
        roles=[Role.ADMINISTRATOR],
        is_staff=True,
        **extra,
    )


def test_directorate_staff_see_only_their_directorate_in_the_admin_and_no_reporter_contact(
    client, chihuahua
):
    from accounts.models import Role
    from accounts.services import user_create
    from complaints.models import Complaint
    from complaints.tests.factories import REPORTER_EMAIL, REPORTER_PHONE, make_complaint

    parks, lighting = (
        DirectorateFactory(municipality=chihuahua),
        DirectorateFactory(municipality=chihuahua),
    )
    service = ServiceTypeFactory(municipality=chihuahua)
    ours = make_complaint(municipality=chihuahua, service_type=service)
    theirs = make_complaint(municipality=chihuahua, service_type=service)
    Complaint.private_objects.filter(pk=ours.pk).update(directorate=parks)
    Complaint.private_objects.filter(pk=theirs.pk).update(directorate=lighting)
    staff = user_create(
        username="parques",
        password=None,
        municipality=chihuahua,
        directorate=parks,
        roles=[Role.DIRECTORATE_STAFF],
        is_staff=True,
    )
    client.force_login(staff)

    listing = client.get(reverse("admin:complaints_complaint_changelist"), **EN)
    assert listing.status_code == 200
    assert [c.pk for c in listing.context["cl"].queryset] == [ours.pk]
    assert client.get(
        reverse("admin:complaints_complaint_change", args=[theirs.pk]), **EN
    ).status_code in (302, 404)
    page = client.get(reverse("admin:complaints_complaint_change", args=[ours.pk]), **EN)
    html = page.content.decode()
    assert page.status_code == 200
    assert REPORTER_EMAIL not in html and REPORTER_PHONE not in html
    assert "reporter_email" not in html
    # Searching by a reporter's e-mail tells nothing either.
    found = client.get(
        reverse("admin:complaints_complaint_changelist"), {"q": REPORTER_EMAIL}, **EN
    )
    assert list(found.context["cl"].queryset) == []
    followers = client.get(reverse("admin:complaints_complaintfollower_changelist"), **EN)
    assert followers.status_code == 403


def test_admin_of_a_cannot_edit_a_superuser_or_the_staff_of_b(client, chihuahua, villaflores):
    admin_a = municipal_admin_of(chihuahua, "admin-cuu")
    superuser_in_a = User.objects.create_superuser(
        username="root-cuu", password=None, municipality=chihuahua
    )
    staff_b = municipal_admin_of(villaflores, "admin-vf")
    client.force_login(admin_a)
    for target in (superuser_in_a, staff_b):
        change = reverse("admin:accounts_user_change", args=[target.pk])
        response = client.post(change, {"username": "taken", "email": "x@example.org"}, **EN)
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert response["Location"] == reverse("admin:index")
        password = reverse("admin:auth_user_password_change", args=[target.pk])
        assert client.get(password).status_code in (302, 403, 404)
        target.refresh_from_db()
        assert target.username != "taken"
    page = client.get(reverse("admin:accounts_user_change", args=[superuser_in_a.pk]), **EN)
    assert page.status_code == 200  # seen, read-only
    assert "password1" not in page.content.decode()
    assert 'name="email"' not in page.content.decode()


def test_admin_of_a_cannot_change_a_periodic_task(client, chihuahua):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    task = PeriodicTask.objects.create(name="sweep", task="core.tasks.noop", interval=every)
    for user in (
        municipal_admin_of(chihuahua, "admin-cuu"),
        User.objects.create_superuser(username="root-cuu", password=None, municipality=chihuahua),
    ):
        client.force_login(user)
        listing = client.get(reverse("admin:django_celery_beat_periodictask_changelist"), **EN)
        assert listing.status_code == 200
        assert not listing.context["cl"].model_admin.get_actions(listing.wsgi_request)
        change = reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])
        client.post(change, {"name": "taken", "task": "x", "interval": every.pk, "enabled": ""})
        client.post(
            reverse("admin:django_celery_beat_periodictask_changelist"),
            {"action": "disable_tasks", "_selected_action": [task.pk]},
        )
        assert client.get(reverse("admin:django_celery_beat_periodictask_add")).status_code == 403
        task.refresh_from_db()
        assert (task.name, task.enabled) == ("sweep", True)


def test_admin_of_a_sees_no_groups_totp_devices_or_axes_rows_of_b(client, chihuahua, villaflores):
    from axes.models import AccessAttempt, AccessLog
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    staff_a, staff_b = (
        municipal_admin_of(chihuahua, "admin-cuu"),
        municipal_admin_of(villaflores, "admin-vf"),
    )
    Group.objects.create(name="state-auditors")
    for user in (staff_a, staff_b):
        TOTPDevice.objects.create(user=user, name=f"phone of {user.username}")
        AccessAttempt.objects.create(
            username=user.username, ip_address="10.0.0.1", failures_since_start=1
        )
        AccessLog.objects.create(username=user.username, ip_address="10.0.0.1")
    for user in (
        staff_a,
        User.objects.create_superuser(username="root-cuu", password=None, municipality=chihuahua),
    ):
        client.force_login(user)
        for url_name in (
            "otp_totp_totpdevice",
            "axes_accessattempt",
            "axes_accesslog",
            "auth_group",
        ):
            response = client.get(reverse(f"admin:{url_name}_changelist"), **EN)
            if response.status_code == 403:
                continue
            rows = list(response.context["cl"].queryset)
            assert "admin-vf" not in response.content.decode(), url_name
            assert all(getattr(row, "name", "") != "state-auditors" for row in rows)
        device_b = TOTPDevice.objects.get(user=staff_b)
        response = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device_b.pk]))
        assert response.status_code in (302, 403, 404)
        group = Group.objects.get(name="administrator")
        client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "taken"})
        group.refresh_from_db()
        assert group.name == "administrator"


def test_forum_facilitator_choices_are_only_of_the_admins_municipality(
    client, chihuahua, villaflores
):
    from committees.tests.factories import CivilEmployeeFactory, ForumFactory

    ours = CivilEmployeeFactory(association__municipality=chihuahua)
    theirs = CivilEmployeeFactory(association__municipality=villaflores)
    forum = ForumFactory(municipality=chihuahua)
    client.force_login(municipal_admin_of(chihuahua, "admin-cuu"))
    page = client.get(reverse("admin:committees_forum_change", args=[forum.pk]), **EN)
    assert page.status_code == 200
    choices = page.context["adminform"].form.fields["facilitator"].queryset
    assert ours in choices and theirs not in choices
