"""Writes of the citizens' contract reviews: the versioned checklist, the assignment, the
guardians' answers (draft and submission), the discussion, publication with its observations,
and an observation's outcome (a finding for the directorate, or a transparency request)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from contracts.models import Contract, ContractDocument
from findings.services import finding_raise_for_contract
from guardians.models import Guardian
from guardians.selectors import trained_for_contract_review
from territory.models import Municipality

from .checklist import DEFAULT_ITEMS, DEFAULT_NAME
from .constants import Answer, ObservationOutcome, ReviewStatus
from .models import (
    ContractReview,
    Observation,
    ReviewAnswer,
    ReviewAssignment,
    ReviewComment,
    ReviewTemplate,
    ReviewTemplateItem,
    TransparencyRequest,
)
from .requests import draft_request

EDITABLE = (ReviewStatus.DRAFT, ReviewStatus.CHANGES_REQUESTED)
ITEM_FIELDS = ("section", "code", "text", "help_text", "document_asked", "required")


# --- The checklist -----------------------------------------------------------------------------


@transaction.atomic
def review_template_version_save(*, template: ReviewTemplate) -> ReviewTemplate:
    """Saves an unsaved template as the next (current) version of its municipality's checklist.
    Earlier versions stay untouched, so the reviews made with them keep their questions."""
    Municipality.objects.select_for_update().filter(pk=template.municipality_id).first()
    previous = ReviewTemplate.objects.filter(municipality_id=template.municipality_id)
    template.version = (previous.aggregate(v=Max("version"))["v"] or 0) + 1
    previous.filter(is_current=True).update(is_current=False)
    template.is_current = True
    template.save()
    return template


def _item_rows(template: ReviewTemplate, items: Iterable[dict]) -> list[ReviewTemplateItem]:
    rows = []
    for order, fields in enumerate(items, start=1):
        fields = {
            name: str(value) if isinstance(value, Promise) else value
            for name, value in fields.items()
            if name in ITEM_FIELDS
        }
        item = ReviewTemplateItem(template=template, order=order * 10, **fields)
        item.full_clean(exclude=["template"], validate_unique=False)
        rows.append(item)
    codes = [row.code for row in rows]
    if len(codes) != len(set(codes)):
        raise ValidationError(_("Two items have the same code."))
    return rows


@transaction.atomic
def review_template_create(
    *, municipality: Municipality, name: str, items: Iterable[dict]
) -> ReviewTemplate:
    """A new version of the municipality's checklist, with its items (dicts of item fields)."""
    template = review_template_version_save(
        template=ReviewTemplate(municipality=municipality, name=name)
    )
    ReviewTemplateItem.objects.bulk_create(_item_rows(template, items))
    return template


def template_in_use(template: ReviewTemplate) -> bool:
    return ContractReview.objects.filter(template=template).exists()


@transaction.atomic
def review_template_edit(
    *, template: ReviewTemplate, name: str, items: Iterable[dict]
) -> ReviewTemplate:
    """Edits the checklist: in place while no review uses it, else as the next version (the
    reviews keep theirs). Returns the template now current."""
    items = list(items)
    if template_in_use(template) or not template.is_current:
        return review_template_create(municipality=template.municipality, name=name, items=items)
    rows = _item_rows(template, items)
    template.name = name
    template.save(update_fields=["name"])
    template.items.all().delete()
    ReviewTemplateItem.objects.bulk_create(rows)
    return template


def current_template(*, municipality: Municipality) -> ReviewTemplate | None:
    return ReviewTemplate.objects.for_municipality(municipality).filter(is_current=True).first()


@transaction.atomic
def seed_review_template(*, municipality: Municipality) -> ReviewTemplate:
    """The default checklist (``reviews.checklist``) in the active language (Spanish unless
    one is active), unless the municipality has one already. Idempotent."""
    existing = current_template(municipality=municipality)
    if existing is not None:
        return existing
    with translation.override(translation.get_language() or "es-mx"):
        return review_template_create(
            municipality=municipality, name=str(DEFAULT_NAME), items=DEFAULT_ITEMS
        )


# --- Assignment --------------------------------------------------------------------------------


@transaction.atomic
def review_assign(
    *, contract: Contract, guardians: Iterable[Guardian], assigned_by: Any
) -> ContractReview:
    """A review of ``contract`` by trained guardians, with the current checklist."""
    guardians = list(guardians)
    if not guardians:
        raise ValidationError({"guardians": _("Choose at least one guardian.")})
    municipality = contract.municipality
    trained = set(
        trained_for_contract_review(municipality)
        .filter(pk__in=[g.pk for g in guardians])
        .values_list("pk", flat=True)
    )
    if any(g.pk not in trained for g in guardians):
        raise ValidationError(
            {"guardians": _("Only guardians trained on contracts or tenders can review.")}
        )
    template = seed_review_template(municipality=municipality)
    review = ContractReview.objects.create(
        municipality=municipality, contract=contract, template=template, assigned_by=assigned_by
    )
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(review=review, guardian=g) for g in guardians
    )
    return review


def is_assigned(review: ContractReview, guardian: Guardian | None) -> bool:
    return guardian is not None and review.assignments.filter(guardian=guardian).exists()


# --- Answers -----------------------------------------------------------------------------------


def document_page_count(document: ContractDocument) -> int | None:
    """Pages of a contract's PDF (pypdf), or None when they cannot be counted (a missing or
    damaged file: the page is then not checked)."""
    try:
        with document.file.open("rb") as handle:
            return len(PdfReader(handle).pages)
    except (OSError, ValueError, PdfReadError):
        return None


def check_answer(*, review: ContractReview, fields: dict, prefix: str = "") -> dict[str, str]:
    """Errors of one answer's document and page, by field name."""
    errors: dict[str, str] = {}
    document = fields.get("document")
    page = fields.get("page")
    if document is not None and document.contract_id != review.contract_id:
        errors[f"{prefix}document"] = _("Choose a document of this contract.")
    elif page and document is None:
        errors[f"{prefix}document"] = _("Say which document the page is in.")
    elif page and document is not None:
        pages = document_page_count(document)
        if pages is not None and page > pages:
            errors[f"{prefix}page"] = _(
                "The document has %(pages)d pages; page %(page)d does not exist."
            ) % {"pages": pages, "page": page}
    return errors


@transaction.atomic
def review_answers_save(
    *,
    review: ContractReview,
    guardian: Guardian,
    answers: dict[int, dict],
    submit: bool = False,
    name_public: bool | None = None,
) -> ContractReview:
    """Saves the guardian's answers (item id → answer, note, document, page) as the draft;
    ``submit`` also sends the review to staff, only if every required item is answered
    (else a ValidationError by field, ``answer_<item id>``, and nothing saved)."""
    review = ContractReview.objects.select_for_update().get(pk=review.pk)
    if not is_assigned(review, guardian):
        raise PermissionDenied
    if review.status not in EDITABLE:
        raise ValidationError(_("This review is no longer a draft."))
    items = {item.pk: item for item in review.template.items.all()}
    errors: dict[str, str] = {}
    for item_id, fields in answers.items():
        if item_id not in items:
            raise ValidationError(_("An answer is not of this review's checklist."))
        errors.update(check_answer(review=review, fields=fields, prefix=f"{item_id}-"))
    if submit:
        for item in items.values():
            if item.required and not answers.get(item.pk, {}).get("answer"):
                errors[f"{item.pk}-answer"] = _("Answer this question before submitting.")
    if errors:
        raise ValidationError(errors)
    existing = {a.item_id: a for a in review.answers.all()}
    for item_id, fields in answers.items():
        row = existing.get(item_id) or ReviewAnswer(review=review, item_id=item_id)
        row.answer = fields.get("answer") or ""
        row.note = fields.get("note") or ""
        row.document = fields.get("document")
        row.page = fields.get("page")
        row.save()
    if name_public is not None:
        review.assignments.filter(guardian=guardian).update(name_public=name_public)
    if submit:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = timezone.now()
        review.save(update_fields=["status", "submitted_at"])
    return review


# --- Discussion and publication ----------------------------------------------------------------


def review_comment_add(*, review: ContractReview, author: Any, text: str) -> ReviewComment:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the comment.")})
    if review.status == ReviewStatus.PUBLISHED:
        raise ValidationError(_("The review is published; the discussion is closed."))
    return ReviewComment.objects.create(review=review, author=author, text=text)


@transaction.atomic
def review_request_changes(*, review: ContractReview, user: Any, text: str) -> ContractReview:
    """Staff send a submitted review back to the guardians, saying what to change."""
    review = ContractReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted review can go back to its reviewers."))
    review_comment_add(review=review, author=user, text=text)
    review.status = ReviewStatus.CHANGES_REQUESTED
    review.save(update_fields=["status"])
    return review


@transaction.atomic
def review_publish(
    *, review: ContractReview, user: Any, summary: str, observations: list[dict]
) -> ContractReview:
    """Publishes a submitted review with its observations (dicts of ``item`` and ``text``;
    empty texts are skipped)."""
    review = ContractReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted review can be published."))
    item_ids = set(review.template.items.values_list("pk", flat=True))
    rows = []
    for fields in observations:
        text = (fields.get("text") or "").strip()
        if not text:
            continue
        item = fields.get("item")
        if item is not None and item.pk not in item_ids:
            raise ValidationError(_("An observation is not of this review's checklist."))
        rows.append(Observation(review=review, item=item, text=text))
    Observation.objects.bulk_create(rows)
    review.summary = (summary or "").strip()
    review.status = ReviewStatus.PUBLISHED
    review.published_at = timezone.now()
    review.published_by = user
    review.save(update_fields=["summary", "status", "published_at", "published_by"])
    return review


def observation_suggestions(review: ContractReview) -> list[dict]:
    """Every "no" or "not found" answer, as a suggested observation."""
    suggestions = []
    answers = review.answers.filter(answer__in=[Answer.NO, Answer.NOT_FOUND]).select_related("item")
    for answer in answers:
        text = answer.item.text
        if answer.answer == Answer.NOT_FOUND:
            text = _("Not found in the documents: %(question)s") % {"question": text}
        else:
            text = _("No: %(question)s") % {"question": text}
        if answer.note:
            text = f"{text} — {answer.note}"
        suggestions.append({"item": answer.item, "text": text})
    return suggestions


# --- An observation's outcome ------------------------------------------------------------------


@transaction.atomic
def observation_to_finding(*, observation: Observation, user: Any):
    """The observation becomes a finding for the contract's directorate (findings' workflow
    and outbox)."""
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    review = observation.review
    if review.status != ReviewStatus.PUBLISHED:
        raise ValidationError(_("Publish the review first."))
    if observation.outcome != ObservationOutcome.NONE:
        raise ValidationError(_("This observation was already acted upon."))
    item = observation.item
    finding = finding_raise_for_contract(
        contract=review.contract,
        item_code=item.code if item else "review",
        item_text=item.text if item else observation.text[:300],
        note=observation.text,
        user=user,
    )
    observation.finding = finding
    observation.outcome = ObservationOutcome.FINDING
    observation.save(update_fields=["finding", "outcome"])
    return finding


def request_for_observation(observation: Observation, *, user: Any) -> TransparencyRequest:
    """A transparency request (``reviews.requests.draft_request``) for the documents an
    observation did not find; the observation records the outcome."""
    with transaction.atomic():
        request = draft_request(observation, user=user)
        Observation.objects.filter(pk=observation.pk).update(
            outcome=ObservationOutcome.INFORMATION_REQUEST
        )
    return request
