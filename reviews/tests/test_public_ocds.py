import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.tests.factories import ContractFactory
from guardians.tests.factories import GuardianFactory, UserFactory
from opendata.tests.ocds_schema import assert_valid_package
from reviews.constants import ReviewStatus
from reviews.models import Observation
from territory.tests.factories import MunicipalityFactory

from .request_world import review_of, staff_of

pytestmark = pytest.mark.django_db


def _package(client, contract=None):
    url = (
        reverse("opendata:contract_ocds", kwargs={"pk": contract.pk})
        if contract
        else reverse("opendata:contracts_ocds")
    )
    response = client.get(url)
    assert response.status_code == 200
    return response.json()


def test_published_reviews_are_implementation_documents_and_metrics(client, municipality):
    staff = staff_of(municipality)
    contract = ContractFactory(municipality=municipality)
    named = GuardianFactory(
        municipality=municipality,
        user=UserFactory(municipality=municipality, first_name="Rosa", last_name="Chávez"),
    )
    review = review_of(
        contract,
        user=staff,
        observations=[
            ("guarantees", "No se encontró la póliza de fianza."),
            (None, "El contrato no fija penas convencionales."),
        ],
        guardians=[(named, True)],
    )
    Observation.objects.filter(review=review, item__isnull=True).update(outcome="finding")
    review_of(contract, user=staff, status=ReviewStatus.SUBMITTED, observations=[(None, "Oculta")])

    package = _package(client, contract)
    assert_valid_package(package)
    implementation = package["releases"][0]["contracts"][0]["implementation"]
    [document] = implementation["documents"]
    assert document["id"] == f"citizen-review-{review.pk}"
    assert document["url"].endswith(f"{contract.get_absolute_url()}#review-{review.pk}")
    assert document["description"] == "Revisión del expediente"
    [metric] = implementation["metrics"]
    assert [o["notes"] for o in metric["observations"]] == [
        "No se encontró la póliza de fianza.",
        "El contrato no fija penas convencionales.",
    ]
    assert metric["observations"][0]["dimensions"] == {
        "outcome": "published",
        "checklistItem": "guarantees",
        "section": "contract",
    }
    assert metric["observations"][1]["dimensions"] == {"outcome": "findingForTheDirectorate"}
    text = json.dumps(package, ensure_ascii=False)
    assert "Oculta" not in text and "Rosa" not in text and "Chávez" not in text


def test_another_municipalitys_reviews_never_show(client, municipality):
    contract = ContractFactory(municipality=municipality)
    other = MunicipalityFactory()
    review_of(
        ContractFactory(municipality=other),
        user=staff_of(other),
        observations=[(None, "De otro municipio")],
    )
    package = _package(client)
    assert_valid_package(package)
    assert "De otro municipio" not in json.dumps(package, ensure_ascii=False)
    assert "documents" not in package["releases"][0]["contracts"][0]["implementation"]
    assert package["releases"][0]["ocid"].endswith(f"-{contract.pk}")


def test_the_package_costs_the_same_queries_with_more_reviews(client, municipality):
    staff = staff_of(municipality)
    review_of(ContractFactory(municipality=municipality), user=staff, observations=[(None, "A")])
    url = reverse("opendata:contracts_ocds")
    client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for number in range(4):
        contract = ContractFactory(municipality=municipality)
        review_of(contract, user=staff, observations=[(None, f"B{number}"), ("frequency", "C")])
        review_of(contract, user=staff, observations=[(None, f"D{number}")])
    assert queries() == few
    assert_valid_package(_package(client))
