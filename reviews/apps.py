from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """Citizens review the contracts: checklists answered by trained guardians against the
    contract's documents, published observations, and access-to-information requests for
    the documents the review could not find."""

    name = "reviews"
    verbose_name = _("Contract reviews")
    # Public progress (reviews.public; territory.panels): the contracts page, each contract,
    # each company.
    contract_list_panels = ["reviews.public.contract_list_progress_panel"]
    contract_panels = ["reviews.public.contract_reviews_panel"]
    company_panels = ["reviews.public.company_observations_panel"]
    demo_seeders = ["reviews.demo.seed_review_templates"]  # core.demo
    workspace_sections = [
        "reviews.workspace.reviews_staff_section",
        "reviews.workspace.reviews_guardian_section",
        "reviews.workspace_requests.requests_section",
    ]
