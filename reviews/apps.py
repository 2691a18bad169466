from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """Citizens review the contracts: checklists answered by trained guardians against the
    contract's documents, published observations, and access-to-information requests for
    the documents the review could not find."""

    name = "reviews"
    verbose_name = _("Contract reviews")
