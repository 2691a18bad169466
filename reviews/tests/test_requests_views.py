import datetime

import pytest
from django.urls import reverse

from reviews import requests
from reviews.constants import Answer, RequestStatus
from reviews.models import TransparencyRequest
from territory.tests.factories import MunicipalityFactory

from .request_world import contract_with_review, staff_of
from .test_requests import a_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(municipality):
    return staff_of(municipality)


@pytest.fixture
def drafted(municipality, staff):
    _contract, review = contract_with_review(
        municipality, user=staff, answers={"guarantees": Answer.NOT_FOUND}
    )
    request = requests.draft_request(review, user=staff)
    TransparencyRequest.objects.filter(pk=request.pk).update(
        created_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    )
    request.refresh_from_db()
    return request


def _filed(request, staff, folio, filed_on):
    return requests.request_file(request=request, folio=folio, filed_on=filed_on, user=staff)


def test_staff_file_a_request_and_a_taken_folio_is_a_field_error(client, staff, drafted):
    other = requests.draft_request(drafted.contract.reviews.get(), user=staff)
    TransparencyRequest.objects.filter(pk=other.pk).update(created_at=drafted.created_at)
    _filed(other, staff, "FOLIO-1", datetime.date(2026, 9, 15))
    client.force_login(staff)
    url = reverse("transparency:detail", args=[drafted.pk])
    page = client.get(url).content.decode()
    assert "Unidad de Transparencia" in page and "la póliza de fianza" in page

    taken = client.post(
        url, {"action": "file", "file-folio": "FOLIO-1", "file-filed_on": "2026-09-15"}
    )
    assert taken.status_code == 400
    assert "Another request of this municipality has this folio." in taken.content.decode()
    assert 'value="FOLIO-1"' in taken.content.decode()  # what was typed is kept
    drafted.refresh_from_db()
    assert drafted.status == RequestStatus.DRAFT and drafted.folio == ""

    filed = client.post(
        url, {"action": "file", "file-folio": "FOLIO-2", "file-filed_on": "2026-09-15"}
    )
    assert filed.status_code == 302
    drafted.refresh_from_db()
    assert (drafted.folio, drafted.due_on) == ("FOLIO-2", datetime.date(2026, 10, 14))


def test_staff_record_the_answer_with_the_document_received(client, staff, drafted):
    _filed(drafted, staff, "F-9", datetime.date(2026, 9, 15))
    client.force_login(staff)
    url = reverse("transparency:detail", args=[drafted.pk])
    response = client.post(
        url,
        {
            "action": "answer",
            "answer-answered_on": "2026-10-01",
            "answer-answer": "Se entrega la póliza.",
            "answer-document": a_pdf(),
            "answer-document_title": "Póliza de fianza",
        },
    )
    assert response.status_code == 302
    drafted.refresh_from_db()
    assert drafted.status == RequestStatus.ANSWERED
    assert drafted.received_document.contract == drafted.contract
    # The contract's public page lists it with its documents.
    assert "Póliza de fianza" in client.get(drafted.contract.get_absolute_url()).content.decode()


def test_the_pdf_and_the_plain_text_download(client, staff, drafted):
    client.force_login(staff)
    pdf = client.get(reverse("transparency:pdf", args=[drafted.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = client.get(reverse("transparency:text", args=[drafted.pk]))
    assert text["Content-Type"].startswith("text/plain")
    assert "la póliza de fianza" in text.content.decode()


def test_the_overdue_list_and_the_workspace_queue(client, municipality, staff, drafted):
    _filed(drafted, staff, "LATE", datetime.date(2026, 9, 15))
    recent = requests.draft_request(drafted.contract.reviews.get(), user=staff)
    _filed(recent, staff, "RECENT", datetime.date.today())
    other = MunicipalityFactory()
    _contract, review = contract_with_review(
        other, user=staff_of(other), answers={"guarantees": Answer.NOT_FOUND}
    )
    elsewhere = requests.draft_request(review, user=staff)
    TransparencyRequest.objects.filter(pk=elsewhere.pk).update(created_at=drafted.created_at)
    _filed(elsewhere, staff, "ELSEWHERE", datetime.date(2026, 9, 15))

    client.force_login(staff)
    overdue = client.get(reverse("transparency:list") + "?overdue=1").content.decode()
    assert "LATE" in overdue and "RECENT" not in overdue and "ELSEWHERE" not in overdue
    every = client.get(reverse("transparency:list")).content.decode()
    assert "LATE" in every and "RECENT" in every and "ELSEWHERE" not in every
    assert client.get(reverse("transparency:detail", args=[elsewhere.pk])).status_code == 404

    workspace = client.get(reverse("workspace:home"))
    queue = next(
        queue
        for section in workspace.context["sections"]
        for queue in section.queues
        if queue.key == "transparency_requests_waiting"
    )
    assert (queue.count, queue.overdue, queue.oldest) == (2, 1, datetime.date(2026, 10, 14))
    assert queue.url == reverse("transparency:list") + "?overdue=1"


def test_a_guardian_sees_no_request_queue(client, municipality, staff, drafted):
    from reviews.tests.factories import trained_guardian

    guardian = trained_guardian(municipality)
    client.force_login(guardian.user)
    assert client.get(reverse("transparency:list")).status_code == 403
    workspace = client.get(reverse("workspace:home"))
    keys = {section.key for section in workspace.context["sections"]}
    assert "transparency_requests" not in keys
