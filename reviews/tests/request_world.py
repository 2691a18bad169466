"""Rows of published reviews built straight from the models, for the tests of the transparency
requests and of the public progress (they do not go through the review workflow)."""

from django.utils import timezone

from accounts.models import Role
from accounts.services import user_create
from contracts.tests.factories import ContractFactory
from guardians.tests.factories import GuardianFactory
from reviews.constants import Answer, ReviewStatus, Section
from reviews.models import (
    ContractReview,
    Observation,
    ReviewAnswer,
    ReviewAssignment,
    ReviewTemplate,
    ReviewTemplateItem,
)

ITEMS = [
    ("bidders-number", Section.TENDER, "¿Cuántas propuestas se recibieron?", "el acta de fallo"),
    ("guarantees", Section.CONTRACT, "¿Hay garantía de cumplimiento?", "la póliza de fianza"),
    ("frequency", Section.OBLIGATIONS, "¿Se fija la frecuencia del servicio?", ""),
]


def staff_of(municipality, username="sindicatura"):
    return user_create(
        username=f"{username}-{municipality.slug}",
        password=None,
        municipality=municipality,
        roles=[Role.MUNICIPAL_STAFF],
        is_staff=True,
    )


def template_of(municipality):
    template = ReviewTemplate.objects.filter(municipality=municipality, is_current=True).first()
    if template:
        return template
    template = ReviewTemplate.objects.create(municipality=municipality, name="Revisión")
    for order, (code, section, text, asked) in enumerate(ITEMS, start=1):
        ReviewTemplateItem.objects.create(
            template=template,
            section=section,
            code=code,
            text=text,
            document_asked=asked,
            order=order,
        )
    return template


def review_of(
    contract,
    *,
    user,
    status=ReviewStatus.PUBLISHED,
    answers=None,
    observations=(),
    guardians=(),
):
    """A review of ``contract``; ``answers`` maps item codes to answers (the rest "yes")."""
    template = template_of(contract.municipality)
    published = status == ReviewStatus.PUBLISHED
    review = ContractReview.objects.create(
        municipality=contract.municipality,
        contract=contract,
        template=template,
        status=status,
        assigned_by=user,
        summary="Revisión del expediente",
        published_at=timezone.now() if published else None,
        published_by=user if published else None,
    )
    answers = answers or {}
    items = {item.code: item for item in template.items.all()}
    ReviewAnswer.objects.bulk_create(
        ReviewAnswer(review=review, item=item, answer=answers.get(code, Answer.YES))
        for code, item in items.items()
    )
    Observation.objects.bulk_create(
        Observation(review=review, item=items.get(code), text=text) for code, text in observations
    )
    for guardian, public in guardians:
        ReviewAssignment.objects.create(review=review, guardian=guardian, name_public=public)
    return review


def contract_with_review(municipality, *, user, **kwargs):
    contract = ContractFactory(municipality=municipality)
    return contract, review_of(contract, user=user, **kwargs)


__all__ = ["GuardianFactory", "contract_with_review", "review_of", "staff_of", "template_of"]
