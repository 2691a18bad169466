import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.imports import import_spaces_file
from contracts.models import Contract, ContractDocument
from contracts.services import contract_add_coverage, contract_upsert
from contracts.tests.factories import ContractFactory, ObligationFactory
from findings.models import Finding
from findings.services import finding_resolve, findings_reconcile
from opendata import ocds
from territory.tests.factories import MunicipalityFactory, PublicSpaceFactory, square

from .ocds_schema import assert_valid_package, merge_patch

pytestmark = pytest.mark.django_db

DATA = Path(str(settings.SHARED_DIR)) / "data" / "chihuahua"


def get_package(client, contract=None, **params):
    url = (
        reverse("opendata:contract_ocds", kwargs={"pk": contract.pk})
        if contract
        else reverse("opendata:contracts_ocds")
    )
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return response.json()


def milestones_by_id(release):
    return {m["id"]: m for m in release["contracts"][0]["implementation"]["milestones"]}


def test_merge_patch_follows_rfc_7386():
    target = {"a": {"b": 1, "c": 2}, "d": [1, 2], "e": 1}
    patch = {"a": {"b": None, "x": {"y": 3}}, "d": [3], "e": None}
    assert merge_patch(target, patch) == {"a": {"c": 2, "x": {"y": 3}}, "d": [3]}
    assert target == {"a": {"b": 1, "c": 2}, "d": [1, 2], "e": 1}  # left untouched


def test_a_contract_release_carries_sites_obligations_delivery_and_failures(client, world):
    ok = world.file(space=world.spaces[1])
    failed = world.file(space=world.spaces[0], **{"grass-cut": "no"})
    findings_reconcile(municipality=world.municipality)
    finding = Finding.objects.get(space=world.spaces[0])
    ContractDocument.objects.create(
        contract=world.contract,
        title="Contrato firmado",
        file=SimpleUploadedFile("contrato.pdf", b"%PDF-1.4\n%%EOF\n"),
    )

    package = get_package(client, world.contract)

    assert_valid_package(package)
    assert package["version"] == "1.1"
    assert package["uri"] == f"http://testserver/contracts/{world.contract.pk}/ocds.json"
    assert sorted(package["extensions"]) == sorted(ocds.EXTENSIONS.values())
    assert len(package["extensions"]) == len(list(Path(ocds_dir()).glob("*.meta.json")))
    [release] = package["releases"]
    inegi = world.municipality.inegi_code
    assert release["ocid"] == f"ocds-villaguard-{inegi}-{world.contract.pk}"
    assert release["id"].startswith(release["ocid"] + "-")
    roles = {party["roles"][0]: party for party in release["parties"]}
    assert roles["buyer"]["name"] == world.municipality.name
    assert roles["procuringEntity"]["name"] == "Parques y Jardines"
    assert roles["supplier"]["identifier"] == {
        "scheme": "MX-RFC",
        "id": world.company.rfc,
        "legalName": "Jardines del Norte SA",
    }
    assert release["tender"]["procurementMethod"] == "open"
    assert release["tender"]["procurementMethodDetails"] == "Licitación pública"
    assert release["awards"][0]["suppliers"][0]["id"] == roles["supplier"]["id"]
    contract = release["contracts"][0]
    assert contract["value"] == {"amount": 2022000.0, "currency": "MXN"}
    assert "include VAT" in contract["description"]
    assert contract["period"]["startDate"].startswith(world.contract.start_date.isoformat())
    assert contract["surveillanceMechanisms"] == ["citizenComptroller"]
    assert [item["id"] for item in contract["items"]] == ["AC-0", "AC-1"]
    geometry = contract["items"][0]["deliveryLocation"]["geometry"]
    assert geometry["type"] == "MultiPolygon"
    longitude, latitude = geometry["coordinates"][0][0][0]
    assert (round(longitude, 3), round(latitude, 3)) == (-106.09, 28.62)  # longitude first
    metrics = {metric["title"]: metric for metric in contract["agreedMetrics"]}
    assert metrics["Corte de pasto"]["observations"][0]["measure"] == 15
    assert metrics["Atención de reportes"]["observations"][0]["unit"] == {"name": "hours"}
    implementation = contract["implementation"]
    assert implementation["status"] == "ongoing"
    milestones = milestones_by_id(release)
    assert milestones[f"AC-1-{ok.observed_on:%Y-%m}"]["status"] == "met"
    assert milestones[f"AC-0-{failed.observed_on:%Y-%m}"]["status"] == "notMet"
    # The third park is not covered by the contract; months without cards are left out.
    assert len(milestones) == len({(m.split("-")[1], m[-7:]) for m in milestones})
    assert not any(m.startswith("AC-2") for m in milestones)
    failures = {failure["id"]: failure for failure in implementation["performanceFailures"]}
    assert set(failures) == {
        f"finding-{pk}"
        for pk in Finding.objects.filter(contract=world.contract).values_list("pk", flat=True)
    }
    assert failures[f"finding-{finding.pk}"]["category"].startswith("Unreported failure")
    assert "AC-0" in failures[f"finding-{finding.pk}"]["category"]
    documents = {document["id"]: document for document in contract["documents"]}
    assert documents[f"document-{ContractDocument.objects.get().pk}"]["url"].startswith(
        "http://testserver/media/"
    )
    assert documents["portal-page"]["url"] == (f"http://testserver/contracts/{world.contract.pk}/")

    # Once fixed, the month only partially met the contract.
    finding_resolve(finding=finding, user=world.parks_staff, note="Cortado")
    release = get_package(client, world.contract)["releases"][0]
    assert milestones_by_id(release)[f"AC-0-{failed.observed_on:%Y-%m}"]["status"] == (
        "partiallyMet"
    )


def ocds_dir():
    return Path(str(settings.SHARED_DIR)) / "standards" / "ocds"


def test_a_failing_card_without_finding_partially_meets_the_month(client, world):
    card = world.file(space=world.spaces[1], **{"litter-removed": "no"})
    assert card.failure_count == 1  # not reconciled: no finding yet

    release = get_package(client, world.contract)["releases"][0]

    assert milestones_by_id(release)[f"AC-1-{card.observed_on:%Y-%m}"]["status"] == ("partiallyMet")
    failures = release["contracts"][0]["implementation"].get("performanceFailures", [])
    assert not any("AC-1" in failure["category"] for failure in failures)


def test_the_ocid_prefix_is_read_when_the_release_is_built(client, world):
    with override_settings(OCDS_OCID_PREFIX="ocds-zz9y8x"):
        release = get_package(client, world.contract)["releases"][0]
    assert release["ocid"] == (f"ocds-zz9y8x-{world.municipality.inegi_code}-{world.contract.pk}")


def test_a_change_shows_in_the_next_release_with_a_new_id_and_date(client, world):
    first = get_package(client, world.contract)["releases"][0]
    assert get_package(client, world.contract)["releases"][0]["id"] == first["id"]  # stable

    contract = world.contract
    contract_upsert(
        municipality=contract.municipality,
        number=contract.number,
        company=contract.company,
        service_type=contract.service_type,
        directorate=contract.directorate,
        start_date=contract.start_date,
        end_date=contract.end_date,
        title="Mantenimiento de áreas verdes, lote 11 (modificado)",
        monthly_amount=contract.monthly_amount,
        total_amount=contract.total_amount,
    )
    second = get_package(client, world.contract)["releases"][0]
    assert second["contracts"][0]["title"] == "Mantenimiento de áreas verdes, lote 11 (modificado)"
    assert second["id"] != first["id"]
    assert second["date"] > first["date"]

    contract_add_coverage(contract=contract, spaces=[world.spaces[2]])
    third = get_package(client, world.contract)["releases"][0]
    assert len(third["contracts"][0]["items"]) == 3
    assert (third["id"] != second["id"]) and third["date"] > second["date"]

    world.file(space=world.spaces[0], **{"grass-cut": "no"})
    findings_reconcile(municipality=world.municipality)
    fourth = get_package(client, world.contract)["releases"][0]
    assert (fourth["id"] != third["id"]) and fourth["date"] > third["date"]


def test_contracts_of_another_municipality_are_not_published(client, world):
    other = ContractFactory(municipality=MunicipalityFactory())
    response = client.get(reverse("opendata:contract_ocds", kwargs={"pk": other.pk}))
    assert response.status_code == 404
    releases = get_package(client)["releases"]
    assert [r["contracts"][0]["id"] for r in releases] == [world.contract.number]


def test_the_package_is_paginated_with_links(client, municipality, monkeypatch):
    monkeypatch.setattr("opendata.selectors.OCDS_PAGE_SIZE", 2)
    contracts = ContractFactory.create_batch(3, municipality=municipality)

    first = get_package(client)
    second = get_package(client, page=2)

    assert [r["contracts"][0]["id"] for r in first["releases"] + second["releases"]] == [
        c.number for c in contracts
    ]
    assert first["links"] == {"next": "http://testserver/contracts/ocds.json?page=2"}
    assert second["links"] == {"prev": "http://testserver/contracts/ocds.json?page=1"}
    assert second["uri"] == "http://testserver/contracts/ocds.json?page=2"
    assert_valid_package(first)
    assert_valid_package(second)
    for page in ("3", "0", "abc"):
        assert client.get(reverse("opendata:contracts_ocds"), {"page": page}).status_code == 404


def build_contracts(municipality, *, contracts: int, spaces: int, guardian_world):
    """Contracts of the world's green service, each over its own spaces with a card on each."""
    w = guardian_world
    built = []
    for n in range(contracts):
        sites = [
            PublicSpaceFactory(
                municipality=municipality,
                code=f"Q{contracts}-{n}-{s}",
                geometry=square(-106.09 + s * 0.002, 28.60 + n * 0.002),
            )
            for s in range(spaces)
        ]
        contract = ContractFactory(
            municipality=municipality,
            service_type=w.green,
            directorate=w.parks,
            start_date=w.today - datetime.timedelta(days=90),
            spaces=sites,
        )
        ObligationFactory(contract=contract)
        for index, site in enumerate(sites):
            w.file(space=site, days_ago=2, **({"grass-cut": "no"} if index % 2 else {}))
        built.append(contract)
    findings_reconcile(municipality=municipality)
    return built


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queries_stay_constant_with_more_contracts_and_sites(client, world):
    url = reverse("opendata:contracts_ocds")
    Contract.objects.all().delete()
    few = build_contracts(world.municipality, contracts=1, spaces=1, guardian_world=world)
    get_package(client)  # the host's municipality is cached after the first request
    few_queries = count_queries(client, url)
    few_one = count_queries(client, reverse("opendata:contract_ocds", kwargs={"pk": few[0].pk}))

    many = build_contracts(world.municipality, contracts=6, spaces=5, guardian_world=world)
    package = get_package(client)
    assert len(package["releases"]) == 7
    assert sum(len(r["contracts"][0]["items"]) for r in package["releases"]) == 31
    assert count_queries(client, url) == few_queries
    assert (
        count_queries(client, reverse("opendata:contract_ocds", kwargs={"pk": many[0].pk}))
        == few_one
    )
    assert few_queries <= 12


def test_releases_of_the_real_chihuahua_lots_validate(client, municipality):
    for lot in ("11", "12"):
        import_spaces_file(
            municipality=municipality, path=DATA / f"green-spaces-lot-{lot}.kml", progress=False
        )

    package = get_package(client)

    assert_valid_package(package)
    items = {r["contracts"][0]["id"]: r["contracts"][0]["items"] for r in package["releases"]}
    assert sorted(len(i) for i in items.values()) == [62, 77]
    for release in package["releases"]:
        first = release["contracts"][0]["items"][0]["deliveryLocation"]["geometry"]
        longitude, latitude = first["coordinates"][0][0][0]
        assert -107 < longitude < -105 and 28 < latitude < 29.5
        supplier = release["parties"][2]
        assert supplier["roles"] == ["supplier"] and supplier["name"]


def test_releases_of_the_demo_city_validate(client):
    from core import demo

    context = demo.seed(spaces=60, with_users=False)  # with the guardians' and findings' seeders
    assert Finding.objects.exists()

    package = client.get(reverse("opendata:contracts_ocds"), HTTP_HOST="chihuahua.localhost").json()

    assert_valid_package(package)
    assert (
        len(package["releases"]) == Contract.objects.filter(municipality=context.chihuahua).count()
    )
    statuses = {
        milestone["status"]
        for release in package["releases"]
        for milestone in release["contracts"][0]["implementation"].get("milestones", [])
    }
    assert statuses  # the demo's cards give delivery milestones
