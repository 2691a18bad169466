"""What the public sees of the citizens' reviews: the progress on the contracts page, each
contract's review status and published observations, the observations across a company's
contracts. Only published reviews show; a reviewer's name only where the guardian consented
(``ReviewAssignment.name_public``). The panels are declared on ``ReviewsConfig``
(``contract_list_panels``, ``contract_panels``, ``company_panels``; see territory.panels)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from contracts.models import Company, Contract
from territory.models import Municipality

from .constants import RequestStatus, ReviewStatus
from .models import ContractReview, Observation, ReviewAssignment, TransparencyRequest


@dataclass(frozen=True)
class Progress:
    reviewed: int
    in_force: int

    @property
    def share(self) -> float:
        return 100 * self.reviewed / self.in_force if self.in_force else 0.0


def review_progress(*, municipality: Municipality) -> Progress:
    """How many of the municipality's contracts in force have a published citizens' review:
    one query."""
    reviewed = ContractReview.objects.filter(contract=OuterRef("pk"), status=ReviewStatus.PUBLISHED)
    figures = (
        Contract.objects.for_municipality(municipality)
        .in_force()
        .order_by()
        .aggregate(
            in_force=Count("pk"),
            reviewed=Count("pk", filter=Q(Exists(reviewed))),
        )
    )
    return Progress(reviewed=figures["reviewed"], in_force=figures["in_force"])


def contract_reviews(*, contract: Contract) -> list[ContractReview]:
    """Every review of the contract (for its status), newest first; the published ones carry
    their observations and the names of the reviewers who agreed to be named. One query, and
    two more only when a review exists."""
    published = Q(review__status=ReviewStatus.PUBLISHED)
    return list(
        ContractReview.objects.filter(contract=contract, municipality_id=contract.municipality_id)
        .only("id", "contract_id", "status", "summary", "published_at")
        .prefetch_related(
            Prefetch(
                "observations",
                queryset=Observation.objects.filter(published)
                .select_related("item")
                .order_by("pk"),
                to_attr="public_observations",
            ),
            Prefetch(
                "assignments",
                queryset=ReviewAssignment.objects.filter(published, name_public=True)
                .select_related("guardian__user")
                .only(
                    "review_id",
                    "guardian__id",
                    "guardian__user__id",
                    "guardian__user__first_name",
                    "guardian__user__last_name",
                )
                .order_by("pk"),
                to_attr="public_reviewers",
            ),
        )
        .order_by("-published_at", "-pk")
    )


def reviewer_names(review: ContractReview) -> list[str]:
    return [
        name
        for assignment in getattr(review, "public_reviewers", ())
        if (name := assignment.guardian.user.get_full_name())
    ]


def review_status(reviews: list[ContractReview]) -> str:
    """``reviewed`` (a review is published), ``in_review`` (assigned, not published yet) or
    ``not_reviewed``."""
    if any(review.status == ReviewStatus.PUBLISHED for review in reviews):
        return "reviewed"
    return "in_review" if reviews else "not_reviewed"


def public_requests(*, contract: Contract) -> list[TransparencyRequest]:
    """The requests filed for the contract's documents (drafts are staff work, not public)."""
    return list(
        TransparencyRequest.objects.for_municipality(contract.municipality_id)
        .filter(contract=contract)
        .exclude(status=RequestStatus.DRAFT)
        .only("id", "contract_id", "documents_asked", "status", "folio", "filed_on", "due_on")
        .order_by("filed_on", "pk")
    )


def company_observations(*, company: Company) -> list[Observation]:
    """The published observations across the company's contracts, newest review first."""
    return list(
        Observation.objects.filter(
            review__status=ReviewStatus.PUBLISHED,
            review__contract__company=company,
            review__municipality_id=company.municipality_id,
        )
        .select_related("item", "review__contract")
        .order_by("-review__published_at", "review_id", "pk")
    )


# --- Panels ------------------------------------------------------------------------------------


def contract_list_progress_panel(*, municipality: Municipality) -> dict:
    return {
        "template": "reviews/panels/progress.html",
        "context": {"progress": review_progress(municipality=municipality)},
    }


def contract_reviews_panel(*, contract: Contract) -> dict:
    reviews = contract_reviews(contract=contract)
    published = [review for review in reviews if review.status == ReviewStatus.PUBLISHED]
    return {
        "template": "reviews/panels/contract_reviews.html",
        "context": {
            "status": review_status(reviews),
            "reviews": [(review, reviewer_names(review)) for review in published],
            "requests": public_requests(contract=contract),
        },
    }


def company_observations_panel(*, company: Company) -> dict:
    return {
        "template": "reviews/panels/company_observations.html",
        "context": {"observations": company_observations(company=company)},
    }
