"""Access-to-information requests (solicitudes de acceso a la información) for the documents a
citizens' review did not find in a contract's file.

The portal drafts the request (addressed to the municipality's Unidad de Transparencia, with
its legal basis and the exact documents asked for); staff file it on the Plataforma Nacional de
Transparencia and record its folio and filing date, which starts the legal deadline (20 working
days, extendable by 10: Ley General de Transparencia y Acceso a la Información Pública), then
the answer and the document received, which is attached to the contract.

The request goes to a Mexican authority, so its text is always Spanish whatever the language of
the interface (as ``committees.documents``); the messages to staff are translatable.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract
from contracts.services import contract_document_add
from core.working_days import add_working_days

from .constants import Answer, RequestStatus
from .models import ContractReview, Observation, ReviewTemplateItem, TransparencyRequest

# The Ley General de Transparencia y Acceso a la Información Pública: the answer within 20
# working days of the filing, extendable once by 10 more with reasons. The law of 2015 was
# replaced by the one published on 20 March 2025, which renumbered its articles: the request
# names the laws, not article numbers, so it stays right across renumberings (the
# municipality's legal staff should still read the text once before the first filing).
ANSWER_DAYS = 20
EXTENSION_DAYS = 10
PLATFORM_URL = "https://www.plataformadetransparencia.org.mx/"

FEDERAL_BASIS = (
    "Artículo 6o., apartado A, de la Constitución Política de los Estados Unidos Mexicanos "
    "(derecho de acceso a la información); Ley General de Transparencia y Acceso a la "
    "Información Pública vigente, en lo relativo a la presentación y el trámite de las "
    "solicitudes de acceso (plazo de respuesta de veinte días hábiles, ampliable por diez días "
    "más) y a las obligaciones de transparencia sobre los procedimientos de adjudicación "
    "directa, invitación restringida y licitación, y los contratos celebrados."
)
STATE_BASIS = {
    "chihuahua": (
        "Ley de Transparencia y Acceso a la Información Pública del Estado de Chihuahua, en lo "
        "relativo al procedimiento de acceso a la información ante los sujetos obligados "
        "municipales."
    ),
}


def _plain(text: str) -> str:
    """Lower case, no accents, single spaces: to compare document names as people write them."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.casefold().split())


def legal_basis(*, state: str) -> str:
    state_law = STATE_BASIS.get(_plain(state))
    return FEDERAL_BASIS + (f"\n{state_law}" if state_law else "")


def transparency_unit(contract: Contract) -> str:
    return f"Unidad de Transparencia del Municipio de {contract.municipality.name}"


def _items_asked(
    *, observation: Observation | None, review: ContractReview | None
) -> tuple[ContractReview, list[str]]:
    """The review and the documents it asks for: the observation's item's, or every item the
    review answered "not found"."""
    if observation is not None:
        review = observation.review
        item = observation.item
        asked = [item.document_asked or item.text] if item else [observation.text]
        return review, asked
    assert review is not None
    items = ReviewTemplateItem.objects.filter(
        pk__in=review.answers.filter(answer=Answer.NOT_FOUND).values("item_id")
    ).order_by("order", "pk")
    return review, [item.document_asked or item.text for item in items]


def _already_attached(contract: Contract, documents: Iterable[str]) -> list[str]:
    titles = {_plain(title) for title in contract.documents.values_list("title", flat=True)}
    return [document for document in documents if _plain(document) in titles]


def request_body(*, contract: Contract, documents: list[str]) -> str:
    """The request's text: what is asked, of which contract."""
    company = contract.company.legal_name
    about = f"el contrato número {contract.number}"
    if contract.title:
        about += f", «{contract.title}»"
    lines = [
        f"Solicito, en copia simple y en versión electrónica, los siguientes documentos de "
        f"{about}, celebrado por el Municipio de {contract.municipality.name} con {company}, "
        f"vigente del {contract.start_date:%d/%m/%Y} al {contract.end_date:%d/%m/%Y}:",
        "",
        *(f"{number}. {document}" for number, document in enumerate(documents, start=1)),
        "",
        "Los documentos no se encontraron en el expediente público del contrato durante la "
        "revisión documental ciudadana. Solicito que se entreguen por medios electrónicos a "
        "través de la Plataforma Nacional de Transparencia.",
    ]
    return "\n".join(lines)


@transaction.atomic
def draft_request(
    source: Observation | ContractReview | None = None,
    /,
    *,
    user: Any,
    observation: Observation | None = None,
    review: ContractReview | None = None,
    documents: list[str] | None = None,
) -> TransparencyRequest:
    """Drafts the request for the documents an observation (or every "not found" item of a
    review) asks for. ``documents`` replaces the list (staff may edit it). A document the
    contract already has is refused (on ``documents_asked``), and nothing is saved."""
    if isinstance(source, Observation):
        observation = source
    elif isinstance(source, ContractReview):
        review = source
    if observation is None and review is None:
        raise TypeError("draft_request needs an observation or a review")
    review, asked = _items_asked(observation=observation, review=review)
    if documents is not None:
        asked = documents
    asked = list(dict.fromkeys(d.strip() for d in asked if d and d.strip()))
    if not asked:
        raise ValidationError(
            {"documents_asked": _("Name at least one document that the review did not find.")}
        )
    contract = Contract.objects.select_related("company", "municipality").get(pk=review.contract_id)
    attached = _already_attached(contract, asked)
    if attached:
        raise ValidationError(
            {
                "documents_asked": _(
                    "The contract already has this document: %(documents)s. Ask only for "
                    "what is missing."
                )
                % {"documents": "; ".join(attached)}
            }
        )
    return TransparencyRequest.objects.create(
        municipality_id=contract.municipality_id,
        contract=contract,
        observation=observation,
        documents_asked="\n".join(asked),
        text=request_body(contract=contract, documents=asked),
        legal_basis=legal_basis(state=contract.municipality.state),
        created_by=user,
    )


def due_date(filed_on: datetime.date, *, extended: bool = False) -> datetime.date:
    """The legal deadline of a request filed on ``filed_on``: 20 working days (30 when the
    unit extended it), Mexican federal holidays excluded."""
    return add_working_days(filed_on, ANSWER_DAYS + (EXTENSION_DAYS if extended else 0))


@transaction.atomic
def request_file(
    *, request: TransparencyRequest, folio: str, filed_on: datetime.date, user: Any
) -> TransparencyRequest:
    """Records the filing on the platform: its folio (unique in the municipality) and date,
    which set the legal deadline."""
    request = TransparencyRequest.objects.select_for_update().get(pk=request.pk)
    folio = folio.strip()
    errors = {}
    if not folio:
        errors["folio"] = _("Write the folio the platform gave the request.")
    elif (
        TransparencyRequest.objects.filter(municipality_id=request.municipality_id, folio=folio)
        .exclude(pk=request.pk)
        .exists()
    ):
        errors["folio"] = _("Another request of this municipality has this folio.")
    if filed_on > timezone.localdate():
        errors["filed_on"] = _("The filing date cannot be in the future.")
    elif filed_on < timezone.localdate(request.created_at):
        errors["filed_on"] = _("The request was filed after it was drafted.")
    if request.status == RequestStatus.ANSWERED:
        errors["folio"] = _("This request is already answered.")
    if errors:
        raise ValidationError(errors)
    request.folio = folio
    request.filed_on = filed_on
    request.due_on = due_date(filed_on)
    request.status = RequestStatus.FILED
    request.save(update_fields=["folio", "filed_on", "due_on", "status"])
    return request


@transaction.atomic
def request_extend(*, request: TransparencyRequest, user: Any) -> TransparencyRequest:
    """The unit extended the deadline by 10 working days (as the general law allows)."""
    request = TransparencyRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.FILED or request.filed_on is None:
        raise ValidationError(_("Only a filed request waiting for its answer can be extended."))
    request.due_on = due_date(request.filed_on, extended=True)
    request.save(update_fields=["due_on"])
    return request


@transaction.atomic
def request_answer(
    *,
    request: TransparencyRequest,
    answered_on: datetime.date,
    answer: str,
    user: Any,
    document=None,
    document_title: str = "",
) -> TransparencyRequest:
    """Records the answer; the document received (a PDF) is attached to the contract."""
    request = TransparencyRequest.objects.select_for_update().get(pk=request.pk)
    errors: dict[str, str] = {}
    if request.status != RequestStatus.FILED or request.filed_on is None:
        errors["answer"] = _("Record the folio and filing date before the answer.")
    elif answered_on < request.filed_on:
        errors["answered_on"] = _("The answer cannot come before the filing.")
    if answered_on > timezone.localdate():
        errors["answered_on"] = _("The answer date cannot be in the future.")
    if not answer.strip() and document is None:
        errors["answer"] = _("Write what the unit answered, or attach the document received.")
    title = document_title.strip()
    if document is not None:
        if not title:
            errors["document_title"] = _("Give the document received a title.")
        elif _already_attached(request.contract, [title]):
            errors["document_title"] = _("The contract already has a document with this title.")
    if errors:
        raise ValidationError(errors)
    if document is not None:
        try:
            received = contract_document_add(
                contract=request.contract, title=title, file=document, actor=user
            )
        except ValidationError as invalid:
            raise ValidationError({"document": invalid.messages}) from invalid
        request.received_document = received
    request.answer = answer.strip()
    request.answered_on = answered_on
    request.status = RequestStatus.ANSWERED
    request.save(update_fields=["answer", "answered_on", "status", "received_document"])
    return request


# --- Reads -------------------------------------------------------------------------------------


def requests_of(*, municipality) -> QuerySet[TransparencyRequest]:
    return TransparencyRequest.objects.for_municipality(municipality).select_related(
        "contract", "contract__company", "received_document"
    )


def overdue_requests(*, municipality, today: datetime.date | None = None):
    """Filed requests whose legal deadline has passed without an answer, oldest due first."""
    today = today or timezone.localdate()
    return (
        requests_of(municipality=municipality)
        .filter(status=RequestStatus.FILED, due_on__lt=today)
        .order_by("due_on", "pk")
    )


def request_plain_text(request: TransparencyRequest) -> str:
    """The whole request as plain text, to paste into the platform's form."""
    contract = request.contract
    municipality = contract.municipality
    lines = [
        f"A la {transparency_unit(contract)}, {municipality.state}",
        "",
        "Asunto: Solicitud de acceso a la información pública",
        "",
        request.text,
        "",
        "Fundamento legal:",
        request.legal_basis,
        "",
        f"Se presenta a través de la Plataforma Nacional de Transparencia ({PLATFORM_URL}).",
    ]
    if request.folio:
        lines += ["", f"Folio: {request.folio}"]
    return "\n".join(lines) + "\n"
