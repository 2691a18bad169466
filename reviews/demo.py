"""Demo data of the contract reviews: every demo municipality gets the default checklist."""

from .services import seed_review_template


def seed_review_templates(context) -> None:
    for municipality in (context.chihuahua, context.villaflores):
        if municipality is not None:
            seed_review_template(municipality=municipality)
