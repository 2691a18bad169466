"""The citizens' reviews in a contract's OCDS release (``opendata.ocds`` calls these).

Each published review is a document of the implementation (``implementation.documents``): the
review on the contract's public page, where its observations are listed. Its observations are
the observations of one metric of the implementation (the metrics extension's
``implementation.metrics``): the metric is the review, each observation its text (``notes``),
the checklist item's code and section (``dimensions``) and what the municipality did with it.
Reviewers are never named here: their consent covers the portal's page only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from .constants import ObservationOutcome, ReviewStatus
from .models import ContractReview, Observation

# Observation outcomes as published (data, in English camelCase as OCDS codes are).
OUTCOME_CODES = {
    ObservationOutcome.NONE: "published",
    ObservationOutcome.FINDING: "findingForTheDirectorate",
    ObservationOutcome.INFORMATION_REQUEST: "transparencyRequest",
}


@dataclass
class PublishedReview:
    id: int
    published_at: datetime.datetime | None
    summary: str
    observations: list[dict] = field(default_factory=list)


def published_reviews_by_contract(
    contract_ids: Iterable[int], *, municipality_id: int
) -> dict[int, list[PublishedReview]]:
    """The published reviews of the contracts with their observations: two queries (one when
    none is published), whatever the number of contracts and reviews."""
    by_contract: dict[int, list[PublishedReview]] = defaultdict(list)
    reviews = {}
    rows = (
        ContractReview.objects.filter(
            municipality_id=municipality_id,
            contract_id__in=list(contract_ids),
            status=ReviewStatus.PUBLISHED,
        )
        .order_by("published_at", "pk")
        .values("pk", "contract_id", "published_at", "summary")
    )
    for row in rows:
        review = PublishedReview(
            id=row["pk"], published_at=row["published_at"], summary=row["summary"]
        )
        reviews[review.id] = review
        by_contract[row["contract_id"]].append(review)
    if reviews:
        observations = (
            Observation.objects.filter(review_id__in=list(reviews))
            .order_by("pk")
            .values("pk", "review_id", "text", "outcome", "item__code", "item__section")
        )
        for observation in observations:
            reviews[observation["review_id"]].observations.append(dict(observation))
    return by_contract


def _published(review: PublishedReview) -> datetime.datetime:
    # A published review always has its date (reviews.services.review_publish sets it).
    return review.published_at or timezone.now()


def _title(review: PublishedReview) -> str:
    day = timezone.localdate(_published(review))
    return f"Revisión documental ciudadana del {day:%d/%m/%Y}"


def review_documents(
    reviews: list[PublishedReview], *, page_url: str, absolute: Callable[[str], str]
) -> list[dict]:
    """``implementation.documents``: each published review, on the contract's page."""
    documents = []
    for review in reviews:
        document = {
            "id": f"citizen-review-{review.id}",
            "documentType": "physicalProgressReport",
            "title": _title(review),
            "url": absolute(f"{page_url}#review-{review.id}"),
            "datePublished": timezone.localtime(_published(review)).isoformat(),
            "format": "text/html",
            "language": "es",
        }
        if review.summary:
            document["description"] = review.summary
        documents.append(document)
    return documents


def review_metrics(reviews: list[PublishedReview]) -> list[dict]:
    """``implementation.metrics``: one per published review, its observations as the metric's
    observations."""
    metrics = []
    for review in reviews:
        observations = []
        for row in review.observations:
            dimensions = {"outcome": OUTCOME_CODES.get(row["outcome"], row["outcome"])}
            if row["item__code"]:
                dimensions["checklistItem"] = row["item__code"]
                dimensions["section"] = row["item__section"]
            observations.append(
                {
                    "id": f"citizen-review-{review.id}-observation-{row['pk']}",
                    "notes": row["text"],
                    "dimensions": dimensions,
                }
            )
        metric: dict[str, object] = {
            "id": f"citizen-review-{review.id}",
            "title": _title(review),
            "description": "Observaciones de la revisión documental del contrato hecha por "
            "Guardianes Ciudadanos capacitados: la licitación, el contrato y sus obligaciones.",
        }
        if observations:
            metric["observations"] = observations
        metrics.append(metric)
    return metrics
