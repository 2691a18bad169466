"""The import of Chihuahua's published KML files (read from shared/, never copied) and GeoJSON."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from contracts.imports import import_spaces_file
from contracts.models import Company, Contract
from contracts.tests.factories import CompanyFactory, ContractFactory
from territory.imports import SpaceImportError
from territory.models import Directorate, PublicSpace, ServiceArea, ServiceType
from territory.tests.factories import (
    ColoniaFactory,
    DirectorateFactory,
    PublicSpaceFactory,
    ServiceTypeFactory,
    square,
)

DATA = Path(str(settings.SHARED_DIR)) / "data" / "chihuahua"
LOTS = {"11": 77, "12": 62, "13": 76, "14": 85}
GARBAGE = DATA / "garbage-collection-routes.kml"
LIGHTING = DATA / "street-lighting-lifer-del-norte.kml"

pytestmark = pytest.mark.django_db


def lot_file(lot: str) -> Path:
    return DATA / f"green-spaces-lot-{lot}.kml"


def run(municipality, path, **kwargs):
    return import_spaces_file(municipality=municipality, path=path, progress=False, **kwargs)


def snapshot():
    return (
        dict(PublicSpace.objects.values_list("code", "id")),
        set(ServiceArea.objects.values_list("id", "service_type__code", "code")),
        Contract.objects.count(),
        Company.objects.count(),
    )


def ring(*points):
    return [[list(point) for point in points]]


def feature(code, coordinates, geometry_type="Polygon", **properties):
    props = {"code": code, "name": f"Parque {code}", **properties}
    if code is None:
        del props["code"]
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": geometry_type, "coordinates": coordinates},
    }


SQUARE = ring((-106.08, 28.63), (-106.079, 28.63), (-106.079, 28.631), (-106.08, 28.631),
              (-106.08, 28.63))  # fmt: skip
SQUARE_2 = ring((-106.07, 28.63), (-106.069, 28.63), (-106.069, 28.631), (-106.07, 28.631),
                (-106.07, 28.63))  # fmt: skip


def write_geojson(tmp_path, features, **extra) -> Path:
    path = tmp_path / "spaces.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}))
    return path


# --- The real files ------------------------------------------------------------------------


def test_every_real_file_imports_with_its_codes_names_and_counts(municipality):
    reports = {lot: run(municipality, lot_file(lot)) for lot in LOTS}
    garbage = run(municipality, GARBAGE)
    lighting = run(municipality, LIGHTING)

    for lot, count in LOTS.items():
        assert reports[lot].created == count
        codes = set(PublicSpace.objects.filter(code__startswith=f"AC-Z{lot}-").values_list(
            "code", flat=True))  # fmt: skip
        assert codes == {f"AC-Z{lot}-{n:04d}" for n in range(1, count + 1)}
    assert PublicSpace.objects.filter(municipality=municipality).count() == 300
    names = dict(PublicSpace.objects.values_list("code", "name"))
    assert names["AC-Z11-0001"] == "Triángulo 20 de Noviembre y 46a."
    assert names["AC-Z12-0001"] == "Parque Lealtad II"
    assert names["AC-Z13-0001"] == "Zubirán"
    assert names["AC-Z14-0005"] == "Parque Sierra Reyna"
    assert "Charrería" in names.values()  # published with a soft hyphen inside
    assert "Guinea Ecuatorial" in names.values()  # published with a doubled space
    assert PublicSpace.objects.get(code="AC-Z14-0001").kind == PublicSpace.Kind.PARK

    # 227 and 46 placemarks as published; 203 and 39 of them are service areas (the rest are
    # pins, one shape without coordinates and one polygon without a name).
    assert garbage.created == 203 and len(garbage.skipped) == 24 and len(garbage.repaired) == 3
    assert lighting.created == 39 and len(lighting.skipped) == 7 and len(lighting.repaired) == 1
    assert garbage.service_type.category == ServiceType.Category.GARBAGE
    assert lighting.service_type.category == ServiceType.Category.LIGHTING
    assert ServiceArea.objects.filter(service_type__code="garbage").count() == 203
    assert ServiceArea.objects.filter(service_type__code="lighting").count() == 39
    route = ServiceArea.objects.get(service_type__code="garbage", code="A-L128 #2")
    assert route.name == "A-L128, VALLE DEL ARBOL, JESUS DE LA CASAS CADENA"
    assert route.colonias_text == "VALLE DEL ARBOL"
    assert ServiceArea.objects.get(service_type__code="lighting", code="A-L33").colonias_text == (
        "ADRIANA-LOMAS SAN JOSE-QUINTAS QUIJOTE-SAN JOSE Y TORRES DEL REY"
    )
    assert garbage.companies_named == [
        "ANCHO",
        "ASEO URBANO DE CHIHUAHUA",
        "ASEO URBANO ESTRADA",
        "COMERCIAL AUTOMOTOR",
        "DIPACSA",
        "JESUS DE LAS CASAS CADENA",
        "LIFER DEL NORTE",
    ]
    assert lighting.contracts_named == ["CD08-11", "CD09-11"]
    assert lighting.contract is None and lighting.uncovered == 39

    for record in [*PublicSpace.objects.all(), *ServiceArea.objects.all()]:
        assert record.area_m2 > 0, record.code
        assert record.geometry.valid and not record.geometry.hasz, record.code
        assert record.geometry.contains(record.centroid), record.code


@pytest.mark.parametrize(
    "lot, company, amount, start, end",
    [
        ("11", "Servicios Chuviscar S.A. de C.V.", "337000.00", (2021, 2, 25), (2021, 8, 31)),
        ("12", "Constructura Pewis S.A. de C.V.", "313700.00", (2021, 1, 22), (2021, 8, 31)),
    ],
)
def test_lots_11_and_12_give_their_company_amount_and_period(
    municipality, lot, company, amount, start, end
):
    report = run(municipality, lot_file(lot))

    contract = Contract.objects.get(municipality=municipality, number=f"PARTIDA-{lot}")
    assert report.contract == contract and report.contract_created and report.company_created
    assert contract.company.legal_name == company
    assert contract.monthly_amount == Decimal(amount)
    assert contract.amounts_include_vat is True
    assert contract.start_date == datetime.date(*start)
    assert contract.end_date == datetime.date(*end)
    assert contract.lot == lot and contract.title == f"Partida {lot}"
    assert contract.service_type.code == "green-spaces"
    assert contract.directorate.name == "Dirección de Servicios Públicos Municipales"
    assert contract.spaces.count() == LOTS[lot]


def test_lot_11_with_a_contract_number_uses_it(municipality):
    run(municipality, lot_file("11"), contract_number="SA/LP/011/2021")

    contract = Contract.objects.get(number="SA/LP/011/2021")
    assert contract.spaces.count() == 77
    assert not Contract.objects.filter(number="PARTIDA-11").exists()


def test_lot_13_takes_the_contract_of_its_caller(municipality):
    service = ServiceTypeFactory(municipality=municipality, code="green-spaces")
    contract = ContractFactory(
        municipality=municipality, number="SA/LP/013/2021", lot="13", service_type=service
    )

    report = run(municipality, lot_file("13"), contract_number="SA/LP/013/2021")

    assert report.contract == contract and report.uncovered == 0
    assert contract.spaces.count() == 76
    assert set(contract.spaces.values_list("code", flat=True)) == {
        f"AC-Z13-{n:04d}" for n in range(1, 77)
    }


def test_lot_14_without_contract_is_kept_by_the_existing_directorate(municipality):
    service = ServiceTypeFactory(municipality=municipality, code="green-spaces")
    parks = DirectorateFactory(municipality=municipality, name="Dirección de Mantenimiento Urbano")
    parks.services.add(service)

    report = run(municipality, lot_file("14"))

    assert report.contract is None and report.uncovered == 85
    assert report.directorate == parks
    assert PublicSpace.objects.filter(directorate=parks).count() == 85
    assert Directorate.objects.filter(municipality=municipality).count() == 1
    assert not Contract.objects.exists()


def test_a_missing_contract_is_refused_before_writing(municipality):
    with pytest.raises(SpaceImportError, match="SA/LP/999/2021 does not exist"):
        run(municipality, lot_file("13"), contract_number="SA/LP/999/2021")
    assert not PublicSpace.objects.exists()


def test_a_contract_of_another_service_is_refused(municipality):
    ContractFactory(municipality=municipality, number="CD08-11")  # green spaces

    with pytest.raises(SpaceImportError, match="CD08-11 is for"):
        run(municipality, LIGHTING, contract_number="CD08-11")
    assert not ServiceArea.objects.exists()


def test_lighting_areas_take_the_contract_of_their_caller(municipality):
    lighting = ServiceTypeFactory(
        municipality=municipality,
        code="lighting",
        name="Alumbrado",
        category=ServiceType.Category.LIGHTING,
    )
    contract = ContractFactory(
        municipality=municipality,
        number="CD08-11",
        service_type=lighting,
        company=CompanyFactory(municipality=municipality, legal_name="Lifer del Norte"),
    )

    report = run(municipality, LIGHTING, contract_number="CD08-11")

    assert report.contract == contract and report.service_type == lighting
    assert contract.service_areas.count() == 39


def test_one_contract_cannot_cover_areas_of_several_companies(municipality):
    garbage = ServiceTypeFactory(
        municipality=municipality,
        code="garbage",
        name="Basura",
        category=ServiceType.Category.GARBAGE,
    )
    ContractFactory(municipality=municipality, number="CD10-11", service_type=garbage)

    with pytest.raises(SpaceImportError, match="names 7 companies"):
        run(municipality, GARBAGE, contract_number="CD10-11")
    assert not ServiceArea.objects.exists()


def test_reimport_updates_by_code_and_never_duplicates(municipality, tmp_path):
    run(municipality, lot_file("11"))
    run(municipality, GARBAGE)
    before = snapshot()

    again = run(municipality, lot_file("11"))
    garbage_again = run(municipality, GARBAGE)

    assert snapshot() == before
    assert (again.created, again.updated) == (0, 77)
    assert (garbage_again.created, garbage_again.updated) == (0, 203)
    assert not again.contract_created and not again.company_created
    assert Contract.objects.get().spaces.count() == 77

    renamed = tmp_path / "green-spaces-lot-11.kml"
    renamed.write_text(
        lot_file("11").read_text(encoding="utf-8").replace("Parque Estatal", "Parque del Estado"),
        encoding="utf-8",
    )
    run(municipality, renamed)
    assert snapshot() == before
    assert PublicSpace.objects.get(code="AC-Z11-0002").name == "Parque del Estado"


def test_spaces_take_the_colonia_that_contains_them(municipality):
    colonia = ColoniaFactory(municipality=municipality, geometry=square(-106.2, 28.5, 0.3))

    run(municipality, lot_file("12"))

    assert PublicSpace.objects.filter(colonia=colonia).count() == 62


def test_the_service_can_be_given_when_the_file_does_not_tell(municipality, tmp_path):
    unnamed = tmp_path / "areas.kml"
    unnamed.write_bytes(LIGHTING.read_bytes())

    with pytest.raises(SpaceImportError, match="give the service code"):
        run(municipality, unnamed)

    report = run(municipality, unnamed, service_code="lighting")
    assert report.created == 39 and report.service_type.code == "lighting"
    with pytest.raises(SpaceImportError, match="Unknown service “water”"):
        run(municipality, unnamed, service_code="water")


# --- GeoJSON and invalid files -------------------------------------------------------------


def test_a_geojson_file_imports_spaces_with_their_kind(municipality, tmp_path):
    path = write_geojson(
        tmp_path, [feature("VF-001", SQUARE, kind="plaza"), feature("VF-002", SQUARE_2)]
    )

    report = run(municipality, path)

    assert (report.created, report.updated) == (2, 0)
    plaza = PublicSpace.objects.get(code="VF-001")
    assert plaza.kind == PublicSpace.Kind.PLAZA and plaza.name == "Parque VF-001"
    assert PublicSpace.objects.get(code="VF-002").kind == PublicSpace.Kind.PARK  # from the name
    assert 9000 < plaza.area_m2 < 12000  # about 98 m × 111 m


@pytest.mark.parametrize(
    "features, extra, message",
    [
        (
            [feature("VF-001", SQUARE)],
            {"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}},
            "unknown coordinate reference system",
        ),
        ([feature("VF-001", SQUARE), feature(None, SQUARE_2)], {}, "feature 2: no space code"),
        (
            [
                feature("VF-001", SQUARE),
                feature("VF-002", [[-106.0, 28.6], [-106.1, 28.7]], "LineString"),
            ],
            {},
            "feature 2: the geometry is a LineString",
        ),  # fmt: skip
        (
            [feature("VF-002", [[[-106.0, 28.6], [-106.1, 28.7]]]), feature("VF-001", SQUARE)],
            {},
            "feature 1: the geometry cannot be read",
        ),
        (
            [
                feature("VF-001", SQUARE),
                feature("VF-002", ring((28.6, -200), (28.7, -200), (28.7, -201), (28.6, -200))),
            ],
            {},
            "feature 2: the coordinates are outside",
        ),  # fmt: skip
        (
            [feature("VF-001", SQUARE), feature("VF-001", SQUARE_2)],
            {},
            "feature 2: code VF-001 repeats feature 1",
        ),
        (
            [feature("VF-001", SQUARE), feature("VF-002", SQUARE_2, kind="lake")],
            {},
            "feature 2: unknown kind",
        ),
    ],
    ids=["unknown-crs", "no-code", "linestring", "two-points", "bounds", "repeated", "kind"],
)
def test_an_invalid_geojson_writes_nothing(municipality, tmp_path, features, extra, message):
    PublicSpaceFactory(municipality=municipality, code="VF-001", name="Antes")
    before = snapshot()
    path = write_geojson(tmp_path, features, **extra)

    with pytest.raises(SpaceImportError, match=message):
        run(municipality, path)

    assert snapshot() == before
    assert PublicSpace.objects.get(code="VF-001").name == "Antes"


def test_every_problem_is_listed_by_feature_number(municipality, tmp_path):
    path = write_geojson(
        tmp_path,
        [feature(None, SQUARE), feature("VF-002", SQUARE_2), feature("VF-003", [], "Point")],
    )

    with pytest.raises(SpaceImportError) as raised:
        run(municipality, path)

    assert [line.split(":")[0] for line in raised.value.problems] == ["feature 1", "feature 3"]
    assert not PublicSpace.objects.exists()


def test_a_kml_placemark_without_its_space_code_is_refused(municipality, tmp_path):
    text = lot_file("13").read_text(encoding="utf-8")
    broken = tmp_path / "lot-13.kml"
    broken.write_text(
        text.replace("<description>AC-Z13-0076</description>", "<description></description>"),
        encoding="utf-8",
    )

    with pytest.raises(SpaceImportError, match="feature 76: no space code"):
        run(municipality, broken)
    assert not PublicSpace.objects.exists()


def test_a_file_that_is_not_kml_or_geojson_is_refused(municipality, tmp_path):
    path = tmp_path / "spaces.geojson"
    path.write_text("{not json")

    with pytest.raises(SpaceImportError, match="not valid GeoJSON"):
        run(municipality, path)


# --- The command ---------------------------------------------------------------------------


def test_the_command_imports_and_summarises(municipality, capsys):
    call_command("import_spaces", str(lot_file("11")), "--no-progress")

    output = capsys.readouterr().out
    assert "77 spaces created, 0 updated" in output
    assert "Contract PARTIDA-11 (created), company Servicios Chuviscar S.A. de C.V." in output
    assert PublicSpace.objects.count() == 77


def test_the_command_reports_uncovered_areas_and_skipped_pins(municipality, capsys):
    call_command("import_spaces", str(LIGHTING), "--municipality", municipality.slug)

    output = capsys.readouterr().out
    assert "39 areas created" in output
    assert "39 not covered by any contract: Dirección de Alumbrado Público" in output
    assert "CD08-11, CD09-11" in output
    assert "7 features skipped" in output


def test_the_command_shows_a_progress_bar_when_asked(municipality, capsys):
    call_command("import_spaces", str(lot_file("12")), "--progress")

    assert "62/62" in capsys.readouterr().err


def test_the_command_errors(municipality, tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        call_command("import_spaces", str(tmp_path / "missing.kml"))
    with pytest.raises(CommandError, match="No municipality with slug “nowhere”"):
        call_command("import_spaces", str(lot_file("13")), "--municipality", "nowhere")
    with pytest.raises(CommandError, match="Contract X-1 does not exist"):
        call_command("import_spaces", str(lot_file("13")), "--contract", "X-1")
    path = write_geojson(tmp_path, [feature("VF-001", SQUARE), feature(None, SQUARE_2)])
    with pytest.raises(CommandError, match="feature 2: no space code"):
        call_command("import_spaces", str(path))
    assert not PublicSpace.objects.exists()
