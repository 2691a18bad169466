import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from committees import services
from committees.documents import requisition_csv, requisition_pdf, requisition_xlsx
from committees.models import Need
from committees.permissions import Participant
from territory.tests.factories import ColoniaFactory

from .factories import (
    CitizenCommitteeFactory,
    CommitteeMemberFactory,
    InstitutionFactory,
    NeedFactory,
    ProgramFactory,
)

STAFF = Participant(is_staff=True)


@pytest.fixture
def requisition(municipality):
    ejido = ColoniaFactory(municipality=municipality, name="Ejido Nueva Independencia")
    ranchería = ColoniaFactory(municipality=municipality, name="Ranchería Los Ángeles")
    committee = CitizenCommitteeFactory(
        municipality=municipality, name="Comité Nueva Independencia", communities=[ejido]
    )
    CommitteeMemberFactory(
        committee=committee,
        full_name="Rosa Hernández Gómez",
        position="president",
        phone="961-555-0199",
    )
    institution = InstitutionFactory(
        municipality=municipality,
        name="Comisión Nacional del Agua",
        acronym="CONAGUA",
        addressee="Director Local de CONAGUA en Chiapas",
    )
    program = ProgramFactory(institution=institution, name="PROAGUA Apartado Rural")
    needs = [
        NeedFactory(
            municipality=municipality,
            colonia=ejido,
            committee=committee,
            status=Need.Status.PRIORITISED,
            priority=1,
            people_affected=340,
            estimated_cost=Decimal("1250000.50"),
            description="Sistema de agua potable con tanque elevado",
        ),
        NeedFactory(
            municipality=municipality,
            colonia=ranchería,
            status=Need.Status.PRIORITISED,
            priority=2,
            people_affected=85,
            estimated_cost=Decimal("98000"),
            category=Need.Category.DRAINAGE,
            description="Letrinas secas",
        ),
    ]
    return services.requisition_create(
        municipality=municipality,
        participant=STAFF,
        institution=institution,
        program=program,
        needs=needs,
        subject="Agua y saneamiento rural",
    )


def test_pdf_is_a_spanish_request_with_the_needs_table(requisition):
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(requisition_pdf(requisition))).pages
    )
    for expected in [
        "Solicitud de apoyo",
        requisition.folio,
        "Comisión Nacional del Agua (CONAGUA)",
        "Programa: PROAGUA Apartado Rural",
        "Ejido Nueva Independencia",
        "Ranchería Los Ángeles",
        "Agua potable",
        "Drenaje",
        "340",
        "$1,250,000.50",
        "$1,348,000.50",  # total
        "425",  # people in total
        "Atentamente",
        "Presidente(a) Municipal",
        "Rosa Hernández Gómez",
    ]:
        assert expected in text, expected
    assert "961-555-0199" not in text


def test_csv_and_xlsx_carry_the_same_rows(requisition):
    rows = list(csv.reader(io.StringIO(requisition_csv(requisition))))
    assert rows[0][:3] == ["Núm.", "Comunidad", "Categoría"]
    assert rows[1][1:7] == [
        "Ejido Nueva Independencia",
        "Agua potable",
        "Sistema de agua potable con tanque elevado",
        "1",
        "340",
        "1250000.50",
    ]
    assert rows[2][1] == "Ranchería Los Ángeles"
    assert len(rows) == 3

    sheet = load_workbook(io.BytesIO(requisition_xlsx(requisition))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[4][1] == "Comunidad"
    assert values[5][1] == "Ejido Nueva Independencia"
    assert values[5][6] == 1250000.5
    assert values[6][5] == 85
