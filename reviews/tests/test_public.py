import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.tests.factories import CompanyFactory, ContractFactory
from guardians.tests.factories import GuardianFactory, UserFactory
from reviews import public
from reviews.constants import ReviewStatus
from territory.tests.factories import MunicipalityFactory

from .request_world import review_of, staff_of

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def staff(municipality):
    return staff_of(municipality)


def _guardian(municipality, first, last):
    user = UserFactory(municipality=municipality, first_name=first, last_name=last)
    return GuardianFactory(municipality=municipality, user=user)


def _ended(municipality):
    return ContractFactory(
        municipality=municipality,
        start_date=TODAY - datetime.timedelta(days=400),
        end_date=TODAY - datetime.timedelta(days=30),
    )


def test_the_contracts_page_counts_the_contracts_in_force_reviewed(client, municipality, staff):
    reviewed = ContractFactory(municipality=municipality)
    review_of(reviewed, user=staff)
    review_of(reviewed, user=staff)  # a second review counts the contract once
    review_of(ContractFactory(municipality=municipality), user=staff, status=ReviewStatus.DRAFT)
    ContractFactory(municipality=municipality)
    review_of(_ended(municipality), user=staff)  # no longer in force
    other = MunicipalityFactory()
    review_of(ContractFactory(municipality=other), user=staff_of(other))

    assert public.review_progress(municipality=municipality) == public.Progress(1, 3)
    assert public.review_progress(municipality=other) == public.Progress(1, 1)
    page = client.get(reverse("contracts:contract_list")).content.decode()
    assert "1 of 3 contracts in force reviewed by citizens" in page
    assert 'max="3" value="1"' in page


def test_a_contract_shows_its_published_review_and_only_consenting_names(
    client, municipality, staff
):
    contract = ContractFactory(municipality=municipality)
    named = _guardian(municipality, "Rosa", "Chávez")
    unnamed = _guardian(municipality, "Pedro", "Secreto")
    review = review_of(
        contract,
        user=staff,
        observations=[("guarantees", "No se encontró la póliza de fianza.")],
        guardians=[(named, True), (unnamed, False)],
    )
    review_of(
        contract,
        user=staff,
        status=ReviewStatus.SUBMITTED,
        observations=[("frequency", "Observación en borrador")],
        guardians=[(unnamed, True)],
    )
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "Reviewed by citizens" in page
    assert f'id="review-{review.pk}"' in page
    assert "No se encontró la póliza de fianza." in page
    assert "Rosa Chávez" in page
    assert "Pedro" not in page and "Secreto" not in page
    assert "Observación en borrador" not in page


def test_a_contract_under_review_says_so_and_shows_nothing_of_it(client, municipality, staff):
    contract = ContractFactory(municipality=municipality)
    review_of(contract, user=staff, status=ReviewStatus.DRAFT, observations=[(None, "Borrador")])
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "Citizens are reviewing this contract" in page
    assert "Borrador" not in page
    fresh = ContractFactory(municipality=municipality)
    assert "Not reviewed by citizens yet" in client.get(fresh.get_absolute_url()).content.decode()


def test_the_company_page_gathers_the_observations_of_its_contracts(client, municipality, staff):
    company = CompanyFactory(municipality=municipality)
    first = ContractFactory(municipality=municipality, company=company)
    second = ContractFactory(municipality=municipality, company=company)
    review_of(first, user=staff, observations=[(None, "Primera observación")])
    review_of(second, user=staff, observations=[("guarantees", "Segunda observación")])
    review_of(second, user=staff, status=ReviewStatus.DRAFT, observations=[(None, "Oculta")])
    review_of(
        ContractFactory(municipality=municipality), user=staff, observations=[(None, "Ajena")]
    )
    page = client.get(company.get_absolute_url()).content.decode()
    assert "Primera observación" in page and "Segunda observación" in page
    assert f"Contract {first.number}" in page
    assert "Oculta" not in page and "Ajena" not in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_public_pages_cost_the_same_queries_at_two_sizes(client, municipality, staff):
    company = CompanyFactory(municipality=municipality)
    contract = ContractFactory(municipality=municipality, company=company)
    guardian = _guardian(municipality, "Rosa", "Chávez")
    review_of(contract, user=staff, observations=[(None, "Una")], guardians=[(guardian, True)])
    urls = [
        reverse("contracts:contract_list"),
        contract.get_absolute_url(),
        company.get_absolute_url(),
    ]
    _queries(client, urls[0])  # warm the host map and the caches
    small = [_queries(client, url) for url in urls]
    for number in range(4):
        more = ContractFactory(municipality=municipality, company=company)
        review_of(
            more,
            user=staff,
            observations=[(None, f"Otra {number}"), ("guarantees", "Fianza")],
            guardians=[(_guardian(municipality, "Ana", f"Ruiz {number}"), True)],
        )
        review_of(
            contract,
            user=staff,
            observations=[(None, f"Más {number}"), ("frequency", "Frecuencia")],
            guardians=[(_guardian(municipality, "Luis", f"Soto {number}"), True)],
        )
    large = [_queries(client, url) for url in urls]
    assert large == small
