import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.services import user_create
from reviews import services
from reviews.models import ReviewTemplate
from territory.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def _staff(municipality, username):
    return user_create(
        username=username,
        password=None,
        municipality=municipality,
        roles=[Role.MUNICIPAL_STAFF],
        is_staff=True,
    )


def test_staff_save_a_checklist_in_the_admin_as_its_next_version(client, municipality):
    first = services.seed_review_template(municipality=municipality)
    other = services.seed_review_template(municipality=MunicipalityFactory())
    client.force_login(_staff(municipality, "sindicatura"))
    listing = client.get(reverse("admin:reviews_reviewtemplate_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [first]
    assert (
        client.get(reverse("admin:reviews_reviewtemplate_change", args=[other.pk])).status_code
        == 302  # not theirs: the admin sends them back to the index
    )
    url = reverse("admin:reviews_reviewtemplate_change", args=[first.pk])
    response = client.post(
        url,
        {
            "name": "Lista 2027",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-order": "10",
            "items-0-section": "tender",
            "items-0-code": "bidders-number",
            "items-0-text": "¿Cuántos licitantes hubo?",
            "items-0-required": "on",
        },
    )
    assert response.status_code == 302, response.context and response.context.get("errors")
    current = ReviewTemplate.objects.for_municipality(municipality).get(is_current=True)
    assert current.version == 2 and current.name == "Lista 2027"
    assert list(current.items.values_list("code", flat=True)) == ["bidders-number"]
    first.refresh_from_db()
    assert not first.is_current and first.items.count() > 1
