"""Reads of the contract reviews, scoped to the request's municipality."""

from django.db.models import QuerySet

from guardians.models import Guardian
from territory.models import Municipality

from .constants import ReviewStatus
from .models import ContractReview

EDITABLE = (ReviewStatus.DRAFT, ReviewStatus.CHANGES_REQUESTED)


def reviews_for(
    *, municipality: Municipality, guardian: Guardian | None = None, staff: bool = False
) -> QuerySet[ContractReview]:
    """The reviews a user may open: staff every review of the municipality, a guardian the
    ones assigned to them."""
    reviews = ContractReview.objects.for_municipality(municipality).select_related(
        "contract__company", "template"
    )
    if staff:
        return reviews
    if guardian is None:
        return reviews.none()
    return reviews.filter(assignments__guardian=guardian)


def submitted_reviews(*, municipality: Municipality) -> QuerySet[ContractReview]:
    return ContractReview.objects.for_municipality(municipality).filter(
        status=ReviewStatus.SUBMITTED
    )


def drafts_of(*, guardian: Guardian) -> QuerySet[ContractReview]:
    return ContractReview.objects.filter(
        municipality_id=guardian.municipality_id,
        assignments__guardian=guardian,
        status__in=EDITABLE,
    )


def published_reviews_of(*, contract) -> QuerySet[ContractReview]:
    """What the public sees of a contract's reviews: the published ones, their observations
    and only the reviewers who agreed to be named."""
    return (
        ContractReview.objects.filter(contract=contract, status=ReviewStatus.PUBLISHED)
        .prefetch_related("observations")
        .order_by("-published_at")
    )
