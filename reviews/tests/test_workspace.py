import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.services import user_create
from contracts.tests.factories import ContractFactory
from reviews import services
from reviews.constants import Answer
from reviews.workspace import reviews_guardian_section, reviews_staff_section
from territory.tests.factories import MunicipalityFactory
from workspace.registry import sections_for

from .factories import trained_guardian

pytestmark = pytest.mark.django_db


def _request(rf, user, municipality, roles):
    request = rf.get("/workspace/")
    request.user = user
    request.municipality = municipality
    request.session = {"villaguard_roles": list(roles)}
    return request


def _staff(municipality, username):
    return user_create(
        username=username,
        password=None,
        municipality=municipality,
        roles=[Role.MUNICIPAL_STAFF],
        is_staff=True,
    )


def _submitted(municipality, staff, guardian):
    review = services.review_assign(
        contract=ContractFactory(municipality=municipality), guardians=[guardian], assigned_by=staff
    )
    answers = {i.pk: {"answer": Answer.YES} for i in review.template.items.all()}
    services.review_answers_save(review=review, guardian=guardian, answers=answers, submit=True)
    return review


def test_staff_queue_counts_only_their_municipalitys_submitted_reviews(rf, municipality):
    staff = _staff(municipality, "sindicatura")
    guardian = trained_guardian(municipality)
    _submitted(municipality, staff, guardian)
    services.review_assign(  # a draft: not waiting for staff
        contract=ContractFactory(municipality=municipality), guardians=[guardian], assigned_by=staff
    )
    other = MunicipalityFactory()
    _submitted(other, _staff(other, "otra"), trained_guardian(other))
    request = _request(rf, staff, municipality, [Role.MUNICIPAL_STAFF])
    section = reviews_staff_section(request=request)
    queue = section.queues[0]
    assert queue.key == "reviews_submitted"
    assert queue.tally.read()["count"] == 1
    assert {link.url for link in section.links} >= {
        reverse("reviews:assign"),
        reverse("reviews:list"),
        reverse("admin:reviews_reviewtemplate_changelist"),
    }
    assert reviews_guardian_section(request=request) is None
    with CaptureQueriesContext(connection) as queries:
        sections = sections_for(request)
    counted = next(s for s in sections if s.key == "contract_reviews").queues[0]
    assert counted.count == 1 and len(queries) < 40


def test_a_guardian_sees_their_drafts_to_finish(rf, municipality):
    staff = _staff(municipality, "sindicatura")
    guardian = trained_guardian(municipality)
    colleague = trained_guardian(municipality)
    services.review_assign(
        contract=ContractFactory(municipality=municipality), guardians=[guardian], assigned_by=staff
    )
    _submitted(municipality, staff, guardian)
    services.review_assign(
        contract=ContractFactory(municipality=municipality),
        guardians=[colleague],
        assigned_by=staff,
    )
    request = _request(rf, guardian.user, municipality, [Role.GUARDIAN])
    section = reviews_guardian_section(request=request)
    assert section.queues[0].tally.read()["count"] == 1
    assert reviews_staff_section(request=request) is None
