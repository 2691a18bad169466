import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from accounts.services import user_create
from contracts.tests.factories import ContractFactory
from findings.models import Finding, Outbox
from guardians.models import Topic
from guardians.selectors import trained_for_contract_review
from guardians.tests.factories import GuardianFactory
from reviews import services
from reviews.constants import Answer, ObservationOutcome, ReviewStatus
from reviews.models import ContractReview, ReviewAnswer, ReviewTemplate
from territory.tests.factories import MunicipalityFactory

from .factories import contract_document, trained_guardian

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(municipality):
    return user_create(
        username="sindicatura",
        password=None,
        municipality=municipality,
        roles=[Role.MUNICIPAL_STAFF],
        is_staff=True,
    )


@pytest.fixture
def review(municipality, staff):
    guardian = trained_guardian(municipality)
    contract = ContractFactory(municipality=municipality)
    return services.review_assign(contract=contract, guardians=[guardian], assigned_by=staff)


def _all_answered(review, answer=Answer.YES):
    return {item.pk: {"answer": answer} for item in review.template.items.all()}


def test_the_default_checklist_is_seeded_once_in_spanish(municipality):
    first = services.seed_review_template(municipality=municipality)
    again = services.seed_review_template(municipality=municipality)
    assert first == again
    assert first.version == 1 and first.is_current
    codes = set(first.items.values_list("code", flat=True))
    assert {"procurement-method", "bidders-number", "amount", "guarantees", "frequency"} <= codes
    assert first.items.exclude(document_asked="").count() == first.items.count()
    assert first.items.get(code="amount").text  # stored in the language active when seeded


def test_editing_a_used_template_makes_the_next_version_and_reviews_keep_theirs(
    municipality, review
):
    used = review.template
    items = [
        {"section": "tender", "code": "only-one", "text": "¿Una pregunta?", "document_asked": "x"}
    ]
    current = services.review_template_edit(template=used, name="Lista v2", items=items)
    assert current.pk != used.pk and current.version == used.version + 1 and current.is_current
    used.refresh_from_db()
    assert not used.is_current and used.items.count() > 1
    review.refresh_from_db()
    assert review.template_id == used.pk
    # An unused current version is edited in place.
    again = services.review_template_edit(template=current, name="Lista v2b", items=items)
    assert again.pk == current.pk and again.name == "Lista v2b"
    assert ReviewTemplate.objects.for_municipality(municipality).count() == 2


def test_only_guardians_who_passed_the_contracts_training_are_eligible(municipality, staff):
    passed = trained_guardian(municipality, topic=Topic.SERVICES)
    failed = trained_guardian(municipality, topic=Topic.TENDERS, correct=3)
    other_topic = trained_guardian(municipality, topic=Topic.CHANNELS)
    untrained = GuardianFactory(municipality=municipality)
    elsewhere = trained_guardian(MunicipalityFactory())
    assert list(trained_for_contract_review(municipality)) == [passed]
    contract = ContractFactory(municipality=municipality)
    for guardian in (failed, other_topic, untrained, elsewhere):
        with pytest.raises(ValidationError) as error:
            services.review_assign(contract=contract, guardians=[guardian], assigned_by=staff)
        assert "guardians" in error.value.message_dict
    assert not ContractReview.objects.exists()


def test_only_an_assigned_guardian_saves_the_draft(municipality, review):
    stranger = trained_guardian(municipality)
    with pytest.raises(PermissionDenied):
        services.review_answers_save(review=review, guardian=stranger, answers={})


def test_a_draft_saves_partially_and_submitting_needs_every_required_answer(review):
    guardian = review.assignments.get().guardian
    first = review.template.items.first()
    services.review_answers_save(
        review=review, guardian=guardian, answers={first.pk: {"answer": Answer.NO, "note": "n"}}
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert ReviewAnswer.objects.get(review=review).answer == Answer.NO
    partial = {first.pk: {"answer": Answer.YES}}
    with pytest.raises(ValidationError) as error:
        services.review_answers_save(review=review, guardian=guardian, answers=partial, submit=True)
    missing = [k for k in error.value.message_dict if k.endswith("-answer")]
    assert len(missing) == review.template.items.count() - 1
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert ReviewAnswer.objects.get(review=review).answer == Answer.NO  # nothing saved
    services.review_answers_save(
        review=review, guardian=guardian, answers=_all_answered(review), submit=True
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_at
    with pytest.raises(ValidationError):
        services.review_answers_save(review=review, guardian=guardian, answers={})


def test_a_page_past_the_documents_last_page_is_refused(review):
    guardian = review.assignments.get().guardian
    document = contract_document(review.contract, pages=3)
    assert services.document_page_count(document) == 3
    item = review.template.items.first()
    with pytest.raises(ValidationError) as error:
        services.review_answers_save(
            review=review,
            guardian=guardian,
            answers={item.pk: {"answer": Answer.YES, "document": document, "page": 4}},
        )
    assert list(error.value.message_dict) == [f"{item.pk}-page"]
    services.review_answers_save(
        review=review,
        guardian=guardian,
        answers={item.pk: {"answer": Answer.YES, "document": document, "page": 3}},
    )
    other = contract_document(ContractFactory(municipality=review.municipality))
    with pytest.raises(ValidationError) as error:
        services.review_answers_save(
            review=review,
            guardian=guardian,
            answers={item.pk: {"answer": Answer.YES, "document": other, "page": 1}},
        )
    assert list(error.value.message_dict) == [f"{item.pk}-document"]


def test_discussion_changes_requested_publication_and_a_finding_through_the_outbox(
    review, staff, django_capture_on_commit_callbacks
):
    guardian = review.assignments.get().guardian
    answers = _all_answered(review)
    bidders = review.template.items.get(code="bidders-number")
    answers[bidders.pk] = {"answer": Answer.NOT_FOUND, "note": "No está el acta"}
    services.review_answers_save(review=review, guardian=guardian, answers=answers, submit=True)
    services.review_comment_add(review=review, author=guardian.user, text="Listo")
    services.review_request_changes(review=review, user=staff, text="Revisen la página")
    review.refresh_from_db()
    assert review.status == ReviewStatus.CHANGES_REQUESTED
    services.review_answers_save(review=review, guardian=guardian, answers=answers, submit=True)
    suggestions = services.observation_suggestions(review)
    assert [s["item"] for s in suggestions] == [bidders]
    assert "No está el acta" in suggestions[0]["text"]
    services.review_publish(review=review, user=staff, summary="Resumen", observations=suggestions)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED and review.published_by == staff
    observation = review.observations.get()
    with django_capture_on_commit_callbacks() as callbacks:
        finding = services.observation_to_finding(observation=observation, user=staff)
    assert callbacks, "the outbox's delivery is enqueued after commit"
    assert finding.kind == Finding.Kind.CONTRACT_REVIEW
    assert finding.contract == review.contract
    assert finding.directorate == review.contract.directorate
    assert finding.events.get().note == observation.text
    assert Outbox.objects.filter(finding=finding, event=Outbox.Event.FINDING_RAISED).exists()
    observation.refresh_from_db()
    assert observation.outcome == ObservationOutcome.FINDING and observation.finding == finding
    with pytest.raises(ValidationError):
        services.observation_to_finding(observation=observation, user=staff)


def test_only_a_submitted_review_is_published(review, staff):
    with pytest.raises(ValidationError):
        services.review_publish(review=review, user=staff, summary="", observations=[])


def test_an_observation_becomes_a_transparency_request_for_its_document(review, staff):
    guardian = review.assignments.get().guardian
    answers = _all_answered(review)
    bidders = review.template.items.get(code="bidders-number")
    answers[bidders.pk] = {"answer": Answer.NOT_FOUND}
    services.review_answers_save(review=review, guardian=guardian, answers=answers, submit=True)
    services.review_publish(
        review=review,
        user=staff,
        summary="",
        observations=services.observation_suggestions(review),
    )
    observation = review.observations.get()
    request = services.request_for_observation(observation, user=staff)
    assert request.observation == observation and request.contract == review.contract
    assert bidders.document_asked in request.documents_asked
    observation.refresh_from_db()
    assert observation.outcome == ObservationOutcome.INFORMATION_REQUEST
