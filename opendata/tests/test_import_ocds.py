import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from contracts.models import Company, Contract, Obligation
from opendata.services import OcdsImportError, ocds_package_import

pytestmark = pytest.mark.django_db


def exported(client, world) -> dict:
    url = reverse("opendata:contract_ocds", kwargs={"pk": world.contract.pk})
    return client.get(url).json()


def write(tmp_path, package) -> str:
    path = tmp_path / "package.json"
    path.write_text(json.dumps(package), encoding="utf-8")
    return str(path)


def state():
    return (
        sorted(Contract.objects.values_list("number", "title", "total_amount", "company_id")),
        Company.objects.count(),
        Obligation.objects.count(),
        sorted(Contract.spaces.through.objects.values_list("contract_id", "publicspace_id")),
    )


def test_reimporting_an_exported_package_changes_nothing(client, world, tmp_path):
    package = exported(client, world)
    before = state()

    out = StringIO()
    call_command("import_ocds", write(tmp_path, package), stdout=out)

    assert "0 contracts created, 1 updated" in out.getvalue()
    assert state() == before
    world.contract.refresh_from_db()
    assert world.contract.lot  # kept: OCDS has no lot


def test_a_new_release_creates_its_contract_matching_company_spaces_and_obligations(client, world):
    package = exported(client, world)
    release = package["releases"][0]
    contract = release["contracts"][0]
    contract["id"] = "SA/LP/099/2026"
    contract["title"] = "Mantenimiento de camellones"
    contract["value"] = {"amount": 1500000.5, "currency": "MXN"}
    contract["items"].append({"id": world.spaces[2].code})
    contract["items"].append({"id": "XX-NO-EXISTE"})
    release["tender"]["procurementMethod"] = "direct"

    report = ocds_package_import(municipality=world.municipality, package=package)

    new = Contract.objects.get(number="SA/LP/099/2026")
    assert report.created == ["SA/LP/099/2026"]
    assert report.unknown_items == {"SA/LP/099/2026": ["XX-NO-EXISTE"]}
    assert new.company == world.company  # by RFC, no second company
    assert Company.objects.count() == 1
    assert new.directorate == world.parks
    assert new.procurement_method == "direct"
    assert str(new.total_amount) == "1500000.50"
    assert (new.start_date, new.end_date) == (world.contract.start_date, world.contract.end_date)
    assert sorted(new.spaces.values_list("code", flat=True)) == ["AC-0", "AC-1", "AC-2"]
    assert sorted(new.obligations.values_list("task", "frequency_days", "response_time_hours")) == [
        ("Atención de reportes", None, 48),
        ("Corte de pasto", 15, None),
    ]

    again = ocds_package_import(municipality=world.municipality, package=package)
    assert again.updated == ["SA/LP/099/2026"] and again.created == []
    assert new.obligations.count() == 2


def test_a_broken_file_is_refused_whole_with_an_error_per_release(client, world, tmp_path):
    good = exported(client, world)["releases"][0]
    good["contracts"][0]["id"] = "SA/LP/100/2026"
    no_period = json.loads(json.dumps(good))
    no_period["ocid"] = "ocds-test-no-period"
    no_period["contracts"][0]["id"] = "SA/LP/101/2026"
    del no_period["contracts"][0]["period"]
    del no_period["awards"][0]["contractPeriod"]
    dollars = json.loads(json.dumps(good))
    dollars["ocid"] = "ocds-test-dollars"
    dollars["contracts"][0]["id"] = "SA/LP/102/2026"
    dollars["contracts"][0]["value"]["currency"] = "USD"
    bad_rfc = json.loads(json.dumps(good))
    bad_rfc["ocid"] = "ocds-test-rfc"
    bad_rfc["contracts"][0]["id"] = "SA/LP/103/2026"
    bad_rfc["parties"][2]["identifier"] = {"scheme": "MX-RFC", "id": "NOT-AN-RFC"}
    bad_rfc["parties"][2]["name"] = "Otra Empresa SA"
    before = state()

    with pytest.raises(OcdsImportError) as refused:
        ocds_package_import(
            municipality=world.municipality,
            package={"releases": [good, no_period, dollars, bad_rfc]},
        )

    errors = refused.value.errors
    assert len(errors) == 3
    assert "ocds-test-no-period" in errors[0] and "start date is missing" in errors[0]
    assert "ocds-test-dollars" in errors[1] and "USD" in errors[1]
    assert "ocds-test-rfc" in errors[2] and "RFC" in errors[2]
    assert state() == before  # the good release was rolled back too

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_ocds", write(tmp_path, {"releases": [good, dollars]}))
    assert state() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ("[]", "not an OCDS release package"),
        ('{"releases": []}', "has no releases"),
    ],
)
def test_unreadable_files_are_refused(world, tmp_path, content, message):
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_ocds", str(path), "--municipality", world.municipality.slug)


def test_an_unknown_municipality_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="No municipality"):
        call_command("import_ocds", write(tmp_path, {}), "--municipality", "atlantida")
