"""A company's contact person, e-mail and phone are published only when the company made them
public (Company.contact_public); staff of its municipality always see them."""

import pytest
from django.urls import reverse

from accounts.models import Role
from committees.tests.factories import make_user
from contracts.tests.factories import CompanyFactory, ContractFactory
from opendata.tests.ocds_schema import assert_valid_package
from territory.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

CONTACT = {
    "contact_name": "Ana Pérez Ruiz",
    "email": "ana.perez@example.org",
    "phone": "614 555 0199",
}


def _shown(html: str) -> list[str]:
    return [value for value in CONTACT.values() if value in html]


def _public_surfaces(client, contract) -> dict[str, str]:
    """Every public page and download that carries the company: its page, the contract's, the
    contracts list, the OCDS packages and the open-data CSV."""
    urls = {
        "company page": contract.company.get_absolute_url(),
        "contract page": contract.get_absolute_url(),
        "contract list": reverse("contracts:contract_list"),
        "OCDS package": reverse("opendata:contract_ocds", kwargs={"pk": contract.pk}),
        "OCDS list": reverse("opendata:contracts_ocds"),
        "open-data CSV": reverse("opendata:dataset_csv", kwargs={"slug": "contracts"}),
    }
    bodies = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        content = b"".join(response.streaming_content) if response.streaming else response.content
        bodies[name] = content.decode()
    return bodies


def test_a_companys_contact_is_not_published_unless_marked_public(client, municipality):
    contract = ContractFactory(
        municipality=municipality, company=CompanyFactory(municipality=municipality, **CONTACT)
    )

    for name, body in _public_surfaces(client, contract).items():
        assert _shown(body) == [], name


def test_a_contact_marked_public_is_on_the_company_page_and_in_ocds(client, municipality):
    company = CompanyFactory(municipality=municipality, contact_public=True, **CONTACT)
    contract = ContractFactory(municipality=municipality, company=company)

    bodies = _public_surfaces(client, contract)

    assert _shown(bodies["company page"]) == list(CONTACT.values())
    package = client.get(reverse("opendata:contract_ocds", kwargs={"pk": contract.pk})).json()
    assert_valid_package(package)
    supplier = next(
        party for party in package["releases"][0]["parties"] if "supplier" in party["roles"]
    )
    assert supplier["contactPoint"] == {
        "name": CONTACT["contact_name"],
        "email": CONTACT["email"],
        "telephone": CONTACT["phone"],
    }


@pytest.mark.parametrize("role", [Role.MUNICIPAL_STAFF, Role.DIRECTORATE_STAFF, Role.ADMINISTRATOR])
def test_staff_of_the_municipality_see_a_contact_that_is_not_public(client, municipality, role):
    company = CompanyFactory(municipality=municipality, **CONTACT)
    client.force_login(make_user(municipality=municipality, role=role))

    html = client.get(company.get_absolute_url()).content.decode()

    assert _shown(html) == list(CONTACT.values())


def test_staff_of_another_municipality_and_citizens_do_not_see_it(client, municipality):
    company = CompanyFactory(municipality=municipality, **CONTACT)
    for user in (
        make_user(municipality=MunicipalityFactory(), role=Role.MUNICIPAL_STAFF),
        make_user(municipality=municipality, role=Role.GUARDIAN),
    ):
        client.force_login(user)
        assert _shown(client.get(company.get_absolute_url()).content.decode()) == []
