"""The admin for municipal staff: every page of every model opens, search works, and what is
saved through it is valid and in the staff member's municipality."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from contracts.models import Company, Contract, ContractDocument
from contracts.tests.factories import CompanyFactory, ContractFactory, ObligationFactory
from territory.tests.factories import (
    ColoniaFactory,
    DirectorateFactory,
    MunicipalityFactory,
    PublicSpaceFactory,
    ServiceAreaFactory,
    ServiceTypeFactory,
    square,
)

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ADMIN_APPS = {"accounts", "territory", "contracts"}
PDF = b"%PDF-1.4\n%%EOF\n"


def staff_of(municipality, username="sindicatura"):
    """A municipal staff user with every permission on the portal's own models."""
    user = User.objects.create_user(
        username=username, password="x", is_staff=True, municipality=municipality
    )
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
    return user


def registered_models():
    return sorted(
        (m for m in admin.site._registry if m._meta.app_label in ADMIN_APPS),
        key=lambda m: m._meta.label,
    )


def one_of_each(municipality, staff):
    """One row of every model the admin registers for these apps, in ``municipality``."""
    contract = ContractFactory(municipality=municipality, number="SA/LP/011/2026")
    from accounts.models import ArcoRequest

    return {
        "accounts.User": staff,
        "accounts.ArcoRequest": ArcoRequest.objects.create(
            municipality=municipality, user=staff, kind=ArcoRequest.Kind.ACCESS
        ),
        "territory.Municipality": municipality,
        "territory.ServiceType": contract.service_type,
        "territory.Directorate": contract.directorate,
        "territory.Colonia": ColoniaFactory(municipality=municipality, name="Centro"),
        "territory.PublicSpace": PublicSpaceFactory(
            municipality=municipality, geometry=square(-106.09, 28.62)
        ),
        "territory.ServiceArea": ServiceAreaFactory(municipality=municipality),
        "contracts.Company": contract.company,
        "contracts.Contract": contract,
        "contracts.Obligation": ObligationFactory(contract=contract),
        "contracts.ContractDocument": ContractDocument.objects.create(
            contract=contract,
            title="Contrato",
            file=SimpleUploadedFile("contrato.pdf", PDF, "application/pdf"),
        ),
    }


NOT_ADDED_BY_STAFF = {"territory.Municipality", "accounts.ArcoRequest"}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff_client(client, municipality):
    staff = staff_of(municipality)
    client.force_login(staff)
    client.staff = staff
    return client


def test_every_model_of_the_portal_is_registered_with_search_and_filters():
    labels = {m._meta.label for m in registered_models()}
    assert labels == {
        "accounts.User",
        "accounts.ArcoRequest",
        "territory.Municipality",
        "territory.ServiceType",
        "territory.Directorate",
        "territory.Colonia",
        "territory.PublicSpace",
        "territory.ServiceArea",
        "contracts.Company",
        "contracts.Contract",
        "contracts.Obligation",
        "contracts.ContractDocument",
    }
    for model in registered_models():
        model_admin = admin.site._registry[model]
        assert model_admin.search_fields, model
        assert model_admin.list_filter, model


def test_every_admin_page_opens_for_municipal_staff(staff_client, municipality):
    objects = one_of_each(municipality, staff_client.staff)
    assert set(objects) == {m._meta.label for m in registered_models()}
    for model in registered_models():
        obj = objects[model._meta.label]
        changelist = staff_client.get(admin_url(model, "changelist"), **EN)
        assert changelist.status_code == 200, model
        assert obj.pk in [row.pk for row in changelist.context["cl"].result_list], model
        change = staff_client.get(admin_url(model, "change", obj.pk), **EN)
        assert change.status_code == 200, model
        add = staff_client.get(admin_url(model, "add"), **EN)
        # Only a deployment-wide superuser creates municipalities; ARCO requests come from
        # the people themselves, never from the admin.
        expected = 403 if model._meta.label in NOT_ADDED_BY_STAFF else 200
        assert add.status_code == expected, model


def test_every_admin_page_opens_for_a_deployment_admin(admin_client, municipality):
    objects = one_of_each(municipality, User.objects.get(username="admin"))
    for model in registered_models():
        obj = objects[model._meta.label]
        urls = [admin_url(model, "changelist"), admin_url(model, "change", obj.pk)]
        if model._meta.label != "accounts.ArcoRequest":
            urls.append(admin_url(model, "add"))
        for url in urls:
            assert admin_client.get(url, **EN).status_code == 200, url


@pytest.mark.parametrize(
    ("label", "query", "expected"),
    [
        ("contracts.Contract", "011/2026", "SA/LP/011/2026"),
        ("contracts.Contract", "jardines", "SA/LP/011/2026"),  # by company
        ("contracts.Company", "JNO210101", "Jardines del Norte"),  # by RFC
        ("contracts.Obligation", "pasto", "Corte de pasto"),
        ("contracts.ContractDocument", "contrato", "Contrato"),
        ("territory.PublicSpace", "AC-Z11", "AC-Z11-"),
        ("territory.PublicSpace", "centro", "AC-Z11-"),  # by colonia
        ("territory.Colonia", "centro", "Centro"),
        ("territory.ServiceArea", "A-L", "A-L"),
        ("territory.ServiceType", "green", "green-spaces"),
        ("territory.Directorate", "direcci", "Dirección"),
        ("territory.Municipality", "municipio", "Municipio"),
        ("accounts.User", "sindic", "sindicatura"),
    ],
)
def test_search_finds_rows(staff_client, municipality, label, query, expected):
    objects = one_of_each(municipality, staff_client.staff)
    Company.objects.filter(pk=objects["contracts.Company"].pk).update(
        legal_name="Jardines del Norte", rfc="JNO210101AB1"
    )
    model = next(m for m in registered_models() if m._meta.label == label)

    found = staff_client.get(admin_url(model, "changelist"), {"q": query}, **EN)
    missed = staff_client.get(admin_url(model, "changelist"), {"q": "zzzz-nothing"}, **EN)

    assert found.status_code == 200
    assert found.context["cl"].result_count == 1
    assert expected in found.content.decode()
    assert missed.context["cl"].result_count == 0


def test_contract_is_added_with_obligations_documents_and_covered_spaces(
    staff_client, municipality
):
    company = CompanyFactory(municipality=municipality)
    service = ServiceTypeFactory(municipality=municipality)
    directorate = DirectorateFactory(municipality=municipality)
    spaces = PublicSpaceFactory.create_batch(3, municipality=municipality)
    data = {
        "number": "SA/LP/099/2026",
        "lot": "11",
        "title": "Mantenimiento de áreas verdes",
        "company": company.pk,
        "service_type": service.pk,
        "directorate": directorate.pk,
        "procurement_method": "open",
        "monthly_amount": "337000.00",
        "total_amount": "2022000.00",
        "amounts_include_vat": "on",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "spaces": [s.pk for s in spaces[:2]],
        "obligations-TOTAL_FORMS": "1",
        "obligations-INITIAL_FORMS": "0",
        "obligations-0-task": "Corte de pasto",
        "obligations-0-frequency_days": "15",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-0-title": "Contrato firmado",
        "documents-0-file": SimpleUploadedFile("contrato.pdf", PDF, "application/pdf"),
    }

    response = staff_client.post(admin_url(Contract, "add"), data, **EN)

    assert response.status_code == 302, response.context["adminform"].form.errors
    contract = Contract.objects.get(number="SA/LP/099/2026")
    assert contract.municipality == municipality
    assert set(contract.spaces.all()) == set(spaces[:2])
    assert [o.task for o in contract.obligations.all()] == ["Corte de pasto"]
    assert contract.documents.get().title == "Contrato firmado"


def test_the_contract_form_refuses_a_fake_pdf_and_obligations_without_timing(
    staff_client, municipality
):
    contract = ContractFactory(municipality=municipality)
    data = {
        "number": contract.number,
        "company": contract.company.pk,
        "service_type": contract.service_type.pk,
        "directorate": contract.directorate.pk,
        "procurement_method": "open",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "obligations-TOTAL_FORMS": "1",
        "obligations-INITIAL_FORMS": "0",
        "obligations-0-task": "Corte de pasto",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-0-title": "Contrato",
        "documents-0-file": SimpleUploadedFile("contrato.pdf", b"MZ not a pdf"),
    }

    response = staff_client.post(admin_url(Contract, "change", contract.pk), data, **EN)

    assert response.status_code == 200
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    assert "The file is not a PDF document." in str(formsets["documents"].errors)
    assert "how often the task is due" in str(formsets["obligations"].errors)
    assert not contract.documents.exists()


def test_company_admin_shows_the_rfc_and_capitalises_it(staff_client, municipality):
    response = staff_client.post(
        admin_url(Company, "add"),
        {"legal_name": "Jardines del Norte S.A. de C.V.", "rfc": "jno210101ab1"},
        **EN,
    )
    assert response.status_code == 302
    company = Company.objects.get()
    assert (company.rfc, company.municipality) == ("JNO210101AB1", municipality)
    assert "JNO210101AB1" in staff_client.get(admin_url(Company, "changelist")).content.decode()


def test_a_duplicate_in_the_municipality_is_a_form_error_not_a_crash(staff_client, municipality):
    CompanyFactory(municipality=municipality, legal_name="Jardines S.C.")
    response = staff_client.post(admin_url(Company, "add"), {"legal_name": "Jardines S.C."}, **EN)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Company.objects.count() == 1


def test_covered_spaces_use_autocomplete_not_a_giant_select():
    contract_admin = admin.site._registry[Contract]
    assert {"spaces", "service_areas", "company"} <= set(contract_admin.autocomplete_fields)


def test_admin_index_shows_the_key_counts_of_the_staff_municipality(staff_client, municipality):
    PublicSpaceFactory.create_batch(3, municipality=municipality)
    other = MunicipalityFactory(name="Villaflores")
    PublicSpaceFactory.create_batch(5, municipality=other)
    ContractFactory(
        municipality=municipality,
        start_date=datetime.date.today() - datetime.timedelta(days=1),
    )

    response = staff_client.get(reverse("admin:index"), **EN)

    html = response.content.decode()
    counts = dict(response.context["portal_counts"])
    assert counts["Public spaces"] == 3
    assert counts["Contracts in force"] == 1
    assert f"{municipality.name} in figures" in html
    assert "<title>Site administration | VillaGuard</title>" in html or "VillaGuard" in html
    assert "Portal administration" in html


def test_admin_index_of_a_deployment_admin_counts_every_municipality(admin_client, municipality):
    PublicSpaceFactory.create_batch(2, municipality=municipality)
    PublicSpaceFactory.create_batch(3, municipality=MunicipalityFactory())
    response = admin_client.get(reverse("admin:index"), **EN)
    assert dict(response.context["portal_counts"])["Public spaces"] == 5
    assert "All municipalities in figures" in response.content.decode()


@pytest.mark.parametrize("rows", [10, 200])
def test_contract_changelist_query_count_is_constant(
    staff_client, municipality, django_assert_num_queries, rows
):
    companies = CompanyFactory.create_batch(10, municipality=municipality)
    for n in range(rows):
        ContractFactory(municipality=municipality, company=companies[n % 10])
    url = admin_url(Contract, "changelist")
    staff_client.get(url)  # warm the session and the host map
    with django_assert_num_queries(14):
        response = staff_client.get(url)
    assert len(response.context["cl"].result_list) == min(rows, 100)
