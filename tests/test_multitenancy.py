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
