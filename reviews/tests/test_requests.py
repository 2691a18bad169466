import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF
from pypdf import PdfReader

from contracts.models import ContractDocument
from reviews import requests
from reviews.constants import Answer, RequestStatus
from reviews.models import TransparencyRequest
from reviews.request_pdf import request_pdf
from territory.tests.factories import MunicipalityFactory

from .request_world import contract_with_review, staff_of

pytestmark = pytest.mark.django_db


def a_pdf(name="respuesta.pdf") -> SimpleUploadedFile:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 10, "Poliza de fianza")
    return SimpleUploadedFile(name, bytes(pdf.output()), content_type="application/pdf")


@pytest.fixture
def staff(municipality):
    return staff_of(municipality)


@pytest.fixture
def observation(municipality, staff):
    _contract, review = contract_with_review(
        municipality,
        user=staff,
        answers={"guarantees": Answer.NOT_FOUND, "bidders-number": Answer.NOT_FOUND},
        observations=[("guarantees", "No se encontró la garantía de cumplimiento.")],
    )
    return review.observations.get()


def _drafted_long_ago(request):
    TransparencyRequest.objects.filter(pk=request.pk).update(
        created_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    )
    request.refresh_from_db()
    return request


def test_the_deadline_counts_working_days_without_mexican_holidays():
    # Filed on Friday 18 December 2026: 25 December and 1 January are not counted.
    assert requests.due_date(datetime.date(2026, 12, 18)) == datetime.date(2027, 1, 19)
    # Filed on Tuesday 15 September 2026: 16 September is not counted; extended by 10 more.
    assert requests.due_date(datetime.date(2026, 9, 15)) == datetime.date(2026, 10, 14)
    assert requests.due_date(datetime.date(2026, 9, 15), extended=True) == datetime.date(
        2026, 10, 28
    )


def test_an_observation_drafts_a_request_for_its_document(observation, staff):
    request = requests.draft_request(observation, user=staff)
    contract = observation.review.contract
    assert request.municipality == contract.municipality
    assert request.contract == contract
    assert request.observation == observation
    assert request.status == RequestStatus.DRAFT
    assert request.documents_asked == "la póliza de fianza"
    assert contract.number in request.text
    assert contract.company.legal_name in request.text
    assert "Artículo 6o." in request.legal_basis
    assert "veinte días hábiles" in request.legal_basis
    assert "Ley General de Transparencia y Acceso a la Información Pública" in request.legal_basis
    assert "Estado de Chihuahua" in request.legal_basis


def test_the_keyword_form_r1_calls_drafts_the_same(observation, staff):
    request = requests.draft_request(observation=observation, user=staff)
    assert request.documents_asked == "la póliza de fianza"


def test_a_review_asks_for_every_document_not_found(observation, staff):
    request = requests.draft_request(observation.review, user=staff)
    assert request.observation is None
    assert request.documents_asked.splitlines() == ["el acta de fallo", "la póliza de fianza"]
    assert "1. el acta de fallo\n2. la póliza de fianza" in request.text


def test_outside_chihuahua_only_the_federal_law_is_cited(staff):
    other = MunicipalityFactory(state="Chiapas")
    _contract, review = contract_with_review(
        other, user=staff_of(other), answers={"guarantees": Answer.NOT_FOUND}
    )
    request = requests.draft_request(review, user=staff)
    assert "Chihuahua" not in request.legal_basis
    assert "Ley General de Transparencia" in request.legal_basis


def test_a_document_already_attached_is_refused_and_nothing_is_saved(observation, staff):
    contract = observation.review.contract
    ContractDocument.objects.create(contract=contract, title="La  Póliza de Fianza", file=a_pdf())
    with pytest.raises(ValidationError) as refused:
        requests.draft_request(observation, user=staff)
    assert "documents_asked" in refused.value.message_dict
    assert "póliza de fianza" in refused.value.message_dict["documents_asked"][0].casefold()
    assert not TransparencyRequest.objects.exists()


def test_the_plain_text_and_the_pdf_read_back(observation, staff):
    request = requests.draft_request(observation, user=staff)
    contract = observation.review.contract
    text = requests.request_plain_text(request)
    assert text.startswith(
        f"A la Unidad de Transparencia del Municipio de {contract.municipality.name}"
    )
    assert "Solicitud de acceso a la información pública" in text
    assert "1. la póliza de fianza" in text
    assert "plataformadetransparencia.org.mx" in text

    pdf = PdfReader(io.BytesIO(request_pdf(request)))
    content = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "SOLICITUD DE ACCESO A LA INFORMACIÓN PÚBLICA" in content
    assert f"Unidad de Transparencia del Municipio de {contract.municipality.name}" in content
    assert contract.number in content
    assert "la póliza de fianza" in content
    assert "veinte días hábiles" in content
    assert pdf.metadata.title == "Solicitud de acceso a la información"


def test_filing_sets_the_deadline_and_the_folio_is_unique_per_municipality(observation, staff):
    request = _drafted_long_ago(requests.draft_request(observation, user=staff))
    filed = requests.request_file(
        request=request, folio="080197600012326", filed_on=datetime.date(2026, 9, 15), user=staff
    )
    assert filed.status == RequestStatus.FILED
    assert filed.due_on == datetime.date(2026, 10, 14)

    second = _drafted_long_ago(requests.draft_request(observation.review, user=staff))
    with pytest.raises(ValidationError) as refused:
        requests.request_file(
            request=second,
            folio=" 080197600012326 ",
            filed_on=datetime.date(2026, 9, 16),
            user=staff,
        )
    assert list(refused.value.message_dict) == ["folio"]
    second.refresh_from_db()
    assert (second.folio, second.status, second.due_on) == ("", RequestStatus.DRAFT, None)

    # Another municipality's unit may give the same folio.
    other = MunicipalityFactory()
    _contract, review = contract_with_review(
        other, user=staff_of(other), answers={"guarantees": Answer.NOT_FOUND}
    )
    elsewhere = _drafted_long_ago(requests.draft_request(review, user=staff))
    requests.request_file(
        request=elsewhere,
        folio="080197600012326",
        filed_on=datetime.date(2026, 9, 15),
        user=staff,
    )


def test_a_future_filing_date_is_refused(observation, staff):
    request = requests.draft_request(observation, user=staff)
    with pytest.raises(ValidationError) as refused:
        requests.request_file(
            request=request,
            folio="1",
            filed_on=datetime.date.today() + datetime.timedelta(1),
            user=staff,
        )
    assert list(refused.value.message_dict) == ["filed_on"]


def test_the_answer_attaches_the_document_received_to_the_contract(observation, staff):
    request = _drafted_long_ago(requests.draft_request(observation, user=staff))
    request = requests.request_file(
        request=request, folio="F-1", filed_on=datetime.date(2026, 9, 15), user=staff
    )
    answered = requests.request_answer(
        request=request,
        answered_on=datetime.date(2026, 10, 1),
        answer="Se entrega la póliza.",
        document=a_pdf(),
        document_title="Póliza de fianza de cumplimiento",
        user=staff,
    )
    contract = observation.review.contract
    document = contract.documents.get()
    assert answered.status == RequestStatus.ANSWERED
    assert answered.received_document == document
    assert document.title == "Póliza de fianza de cumplimiento"
    assert document.file.name.endswith(".pdf")


def test_a_bad_answer_changes_nothing(observation, staff):
    request = _drafted_long_ago(requests.draft_request(observation, user=staff))
    request = requests.request_file(
        request=request, folio="F-2", filed_on=datetime.date(2026, 9, 15), user=staff
    )
    contract = observation.review.contract
    ContractDocument.objects.create(contract=contract, title="Acta de fallo", file=a_pdf())
    not_a_pdf = SimpleUploadedFile(
        "fianza.pdf", b"GIF89a not a pdf", content_type="application/pdf"
    )
    cases = [
        ({"document": a_pdf(), "document_title": "acta de FALLO"}, "document_title"),
        ({"document": not_a_pdf, "document_title": "Fianza"}, "document"),
        ({"document": a_pdf(), "document_title": ""}, "document_title"),
        ({"answered_on": datetime.date(2026, 9, 1)}, "answered_on"),
    ]
    for extra, field in cases:
        fields = {"answered_on": datetime.date(2026, 10, 1), "answer": "Respuesta", **extra}
        with pytest.raises(ValidationError) as refused:
            requests.request_answer(request=request, user=staff, **fields)
        assert field in refused.value.message_dict, (extra, refused.value)
    request.refresh_from_db()
    assert request.status == RequestStatus.FILED
    assert request.received_document is None
    assert contract.documents.count() == 1


def test_overdue_requests_are_those_filed_past_their_deadline(observation, staff):
    late = _drafted_long_ago(requests.draft_request(observation, user=staff))
    requests.request_file(request=late, folio="A", filed_on=datetime.date(2026, 9, 15), user=staff)
    on_time = _drafted_long_ago(requests.draft_request(observation.review, user=staff))
    requests.request_file(
        request=on_time, folio="B", filed_on=datetime.date(2026, 10, 12), user=staff
    )
    municipality = observation.review.municipality
    overdue = requests.overdue_requests(
        municipality=municipality, today=datetime.date(2026, 10, 20)
    )
    assert list(overdue) == [late]
    other = MunicipalityFactory()
    assert not requests.overdue_requests(municipality=other, today=datetime.date(2026, 10, 20))
