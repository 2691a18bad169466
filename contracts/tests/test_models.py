import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from contracts import selectors
from contracts.forms import CompanyForm, ContractForm, ObligationForm
from contracts.models import Company, Contract, ContractDocument, Obligation
from contracts.tests.factories import CompanyFactory, ContractFactory
from territory.tests.factories import PublicSpaceFactory

TODAY = datetime.date(2026, 3, 15)
DAY = datetime.timedelta(days=1)
PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


# --- RFC ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rfc",
    [
        "SCH210101AB1",  # company: 3 letters, date, homoclave
        "ÑAB991231XY9",  # Ñ is a letter of the RFC
        "A&B050229Z1A",  # & appears in company names; the check digit may be A
        "PEGJ800101H20",  # person: 4 letters
        "GOMA751231AB9",
    ],
)
def test_valid_rfcs_of_companies_and_persons_pass(municipality, rfc):
    company = Company(municipality=municipality, legal_name="Servicios S.A.", rfc=rfc)
    company.full_clean()


@pytest.mark.parametrize(
    "rfc",
    [
        "SC210101AB1",  # 2 letters
        "SCHAB210101AB1",  # 5 letters
        "SCH211301AB1",  # month 13
        "SCH210132AB1",  # day 32
        "SCH210100AB1",  # day 00
        "SCH210101AB",  # homoclave too short
        "SCH210101ABZ",  # check digit is a digit or A
        "sch210101ab1",  # lower case is not the format (forms and services capitalise it)
        "SCH-210101-AB1",
        "PEGJ800101H2",  # person missing a character
    ],
)
def test_invalid_rfcs_are_refused(municipality, rfc):
    company = Company(municipality=municipality, legal_name="Servicios S.A.", rfc=rfc)
    with pytest.raises(ValidationError) as error:
        company.full_clean()
    assert "rfc" in error.value.message_dict


def test_company_form_capitalises_the_rfc(municipality):
    form = CompanyForm(
        data={
            "municipality": municipality.pk,
            "legal_name": "Jardines S.C.",
            "rfc": " jno210101ab1 ",
        }
    )
    assert form.is_valid(), form.errors
    assert form.save().rfc == "JNO210101AB1"


def test_the_rfc_is_unique_within_a_municipality_only(db):
    first = CompanyFactory(rfc="JNO210101AB1")
    CompanyFactory(rfc="JNO210101AB1")  # another municipality may know the same company
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyFactory(municipality=first.municipality, rfc="JNO210101AB1")


# --- Status and amounts ---------------------------------------------------------------------


def test_status_is_derived_from_the_dates():
    contract = Contract(start_date=TODAY, end_date=TODAY + 30 * DAY)
    assert contract.status_on(TODAY - DAY) == Contract.Status.PLANNED
    assert contract.status_on(TODAY) == Contract.Status.ACTIVE
    assert contract.status_on(TODAY + 30 * DAY) == Contract.Status.ACTIVE
    assert contract.status_on(TODAY + 31 * DAY) == Contract.Status.ENDED


def test_status_today_and_its_label(db):
    today = datetime.date.today()
    assert Contract(start_date=today + DAY, end_date=today + 9 * DAY).status == "planned"
    ended = Contract(start_date=today - 9 * DAY, end_date=today - DAY)
    assert ended.status == "ended"
    assert ended.get_status_display() == Contract.Status.ENDED.label


@pytest.mark.parametrize("status", ["planned", "active", "ended"])
def test_with_status_agrees_with_status_on(municipality, status):
    contracts = [
        ContractFactory(municipality=municipality, start_date=start, end_date=end)
        for start, end in [
            (TODAY + DAY, TODAY + 90 * DAY),
            (TODAY - 10 * DAY, TODAY),
            (TODAY, TODAY + 10 * DAY),
            (TODAY - 90 * DAY, TODAY - DAY),
        ]
    ]
    expected = {c.pk for c in contracts if c.status_on(TODAY) == status}
    assert expected
    assert set(Contract.objects.with_status(status, TODAY).values_list("pk", flat=True)) == (
        expected
    )
    assert not Contract.objects.with_status("bogus", TODAY).exists()


def test_a_contract_cannot_end_before_it_starts(municipality):
    form = ContractForm(data={"start_date": "2026-03-15", "end_date": "2026-03-01"})
    assert not form.is_valid()
    assert "The contract cannot end before it starts." in form.errors["end_date"]
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(municipality=municipality, start_date=TODAY, end_date=TODAY - DAY)


def test_amounts_with_vat_quoted_either_way():
    with_vat = Contract(monthly_amount=Decimal("337000.00"), total_amount=None)
    assert with_vat.monthly_amount_with_vat == Decimal("337000.00")
    assert with_vat.total_amount_with_vat is None
    before_vat = Contract(
        monthly_amount=Decimal("100000.00"),
        total_amount=Decimal("1234.56"),
        amounts_include_vat=False,
    )
    assert before_vat.monthly_amount_with_vat == Decimal("116000.00")
    assert before_vat.total_amount_with_vat == Decimal("1432.09")  # 1,432.0896 rounded


def test_contract_amounts_shows_both_sides_of_vat():
    rows = selectors.contract_amounts(
        contract=Contract(monthly_amount=Decimal("337000.00"), total_amount=None)
    )
    assert [(r.without_vat, r.with_vat) for r in rows] == [
        (Decimal("290517.24"), Decimal("337000.00")),
        (None, None),
    ]
    rows = selectors.contract_amounts(
        contract=Contract(monthly_amount=Decimal("100.00"), amounts_include_vat=False)
    )
    assert (rows[0].without_vat, rows[0].with_vat) == (Decimal("100.00"), Decimal("116.00"))


def test_contract_totals_add_up_vat_included(municipality):
    spaces = PublicSpaceFactory.create_batch(2, municipality=municipality)
    company = CompanyFactory(municipality=municipality)
    ContractFactory(
        municipality=municipality,
        company=company,
        monthly_amount=Decimal("100.00"),
        total_amount=None,
        amounts_include_vat=False,
        spaces=spaces,
    )
    ContractFactory(
        municipality=municipality,
        company=company,
        monthly_amount=None,
        total_amount=Decimal("50.00"),
        spaces=spaces[:1],
    )
    totals = selectors.contract_totals(selectors.company_contracts(company=company))
    assert totals.monthly_with_vat == Decimal("116.00")
    assert totals.total_with_vat == Decimal("50.00")
    assert totals.space_count == 3
    assert list(selectors.company_spaces(company=company)) == spaces


# --- Documents and obligations --------------------------------------------------------------


def test_a_pdf_document_is_accepted(municipality):
    contract = ContractFactory(municipality=municipality)
    document = ContractDocument(
        contract=contract,
        title="Contrato",
        file=SimpleUploadedFile("contrato.pdf", PDF_BYTES, "application/pdf"),
    )
    document.full_clean()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("contrato.pdf", b"MZ\x90\x00 this is an executable"),  # named .pdf, is not one
        ("contrato.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),  # an image renamed
        ("contrato.pdf", b" " * 2048 + b"%PDF-1.4"),  # no PDF header where readers look
        ("contrato.docx", PDF_BYTES),  # a PDF must also be named .pdf
    ],
)
def test_a_non_pdf_is_refused_even_if_named_pdf(municipality, name, content):
    contract = ContractFactory(municipality=municipality)
    document = ContractDocument(
        contract=contract, title="Contrato", file=SimpleUploadedFile(name, content)
    )
    with pytest.raises(ValidationError) as error:
        document.full_clean()
    assert "file" in error.value.message_dict


def test_an_obligation_has_a_frequency_or_a_response_time(municipality):
    contract = ContractFactory(municipality=municipality)
    form = ObligationForm(data={"contract": contract.pk, "task": "Corte de pasto"})
    assert not form.is_valid()
    with pytest.raises(IntegrityError), transaction.atomic():
        Obligation.objects.create(contract=contract, task="Corte de pasto")
    ok = ObligationForm(
        data={"contract": contract.pk, "task": "Luminarias", "response_time_hours": 48}
    )
    assert ok.is_valid(), ok.errors
