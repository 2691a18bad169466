import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.services import user_create
from contracts.tests.factories import ContractFactory
from findings.models import Finding
from reviews import services
from reviews.constants import Answer, ObservationOutcome, ReviewStatus
from reviews.models import ContractReview, ReviewAnswer
from territory.tests.factories import MunicipalityFactory

from .factories import contract_document, trained_guardian

pytestmark = pytest.mark.django_db


def _staff(municipality, username="sindicatura"):
    return user_create(
        username=username,
        password=None,
        municipality=municipality,
        roles=[Role.MUNICIPAL_STAFF],
        is_staff=True,
    )


@pytest.fixture
def staff(municipality):
    return _staff(municipality)


@pytest.fixture
def guardian(municipality):
    return trained_guardian(municipality)


@pytest.fixture
def review(municipality, staff, guardian):
    contract = ContractFactory(municipality=municipality)
    return services.review_assign(contract=contract, guardians=[guardian], assigned_by=staff)


def _post_answers(review, answer=Answer.YES, **extra):
    data = {}
    for item in review.template.items.all():
        data[f"{item.pk}-answer"] = answer
    data.update(extra)
    return data


def test_staff_assign_a_trained_guardian_by_the_form(client, municipality, staff, guardian):
    contract = ContractFactory(municipality=municipality)
    untrained = trained_guardian(municipality, correct=1)
    client.force_login(staff)
    page = client.get(reverse("reviews:assign")).content.decode()
    assert f'value="{guardian.pk}"' in page and f'value="{untrained.pk}"' not in page
    response = client.post(
        reverse("reviews:assign"), {"contract": contract.pk, "guardians": [untrained.pk]}
    )
    assert response.status_code == 200 and "guardians" in response.context["form"].errors
    assert not ContractReview.objects.exists()
    response = client.post(
        reverse("reviews:assign"), {"contract": contract.pk, "guardians": [guardian.pk]}
    )
    review = ContractReview.objects.get()
    assert response.status_code == 302 and review.assignments.get().guardian == guardian


def test_only_assigned_guardians_open_and_edit_the_draft(client, municipality, review, guardian):
    url = reverse("reviews:detail", kwargs={"pk": review.pk})
    colleague = trained_guardian(municipality)
    client.force_login(colleague.user)
    assert client.get(url).status_code == 404
    assert client.post(url, _post_answers(review)).status_code == 404
    assert url not in client.get(reverse("reviews:list")).content.decode()
    client.force_login(guardian.user)
    assert client.get(url).status_code == 200
    assert url in client.get(reverse("reviews:list")).content.decode()
    assert client.post(url, _post_answers(review, save="1")).status_code == 302
    assert ReviewAnswer.objects.filter(review=review).count() == review.template.items.count()
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT


def test_submitting_with_unanswered_items_shows_per_field_errors_and_keeps_the_input(
    client, review, guardian
):
    client.force_login(guardian.user)
    url = reverse("reviews:detail", kwargs={"pk": review.pk})
    first = review.template.items.first()
    response = client.post(
        url, {f"{first.pk}-answer": Answer.NO, f"{first.pk}-note": "Typed note", "submit": "1"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert len(form.errors) == review.template.items.count() - 1
    assert "Typed note" in response.content.decode()
    assert not ReviewAnswer.objects.exists()
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT


def test_a_page_past_the_end_of_the_document_is_a_field_error(client, review, guardian):
    document = contract_document(review.contract, pages=2)
    first = review.template.items.first()
    client.force_login(guardian.user)
    url = reverse("reviews:detail", kwargs={"pk": review.pk})
    response = client.post(
        url,
        _post_answers(
            review, **{f"{first.pk}-document": document.pk, f"{first.pk}-page": 9, "save": "1"}
        ),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [f"{first.pk}-page"]
    assert not ReviewAnswer.objects.exists()


def test_guardians_cannot_publish_staff_do_and_turn_an_observation_into_a_finding(
    client, review, guardian, staff, django_capture_on_commit_callbacks
):
    client.force_login(guardian.user)
    detail = reverse("reviews:detail", kwargs={"pk": review.pk})
    bidders = review.template.items.get(code="bidders-number")
    data = _post_answers(review, submit="1", **{f"{bidders.pk}-answer": Answer.NOT_FOUND})
    assert client.post(detail, data).status_code == 302
    publish = reverse("reviews:publish", kwargs={"pk": review.pk})
    assert client.get(publish).status_code == 403
    client.post(reverse("reviews:comment", kwargs={"pk": review.pk}), {"text": "¿Algo más?"})
    assert review.comments.count() == 1

    client.force_login(staff)
    page = client.get(publish)
    assert page.status_code == 200
    initial = page.context["formset"].initial
    assert [row["item"] for row in initial] == [bidders.pk]
    post = {
        "summary": "Revisión ciudadana",
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-item": bidders.pk,
        "form-0-text": initial[0]["text"],
    }
    assert client.post(publish, post).status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    observation = review.observations.get()
    url = reverse("reviews:observation_finding", kwargs={"pk": observation.pk})
    assert client.post(url, {}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"confirm": "True"}).status_code == 302
    observation.refresh_from_db()
    assert observation.outcome == ObservationOutcome.FINDING
    assert Finding.objects.get(kind=Finding.Kind.CONTRACT_REVIEW).contract == review.contract


def test_staff_request_changes_and_the_draft_goes_back_to_the_guardian(
    client, review, guardian, staff
):
    services.review_answers_save(
        review=review,
        guardian=guardian,
        answers={i.pk: {"answer": Answer.YES} for i in review.template.items.all()},
        submit=True,
    )
    client.force_login(staff)
    client.post(reverse("reviews:changes", kwargs={"pk": review.pk}), {"text": "Falta la página"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.CHANGES_REQUESTED
    client.force_login(guardian.user)
    page = client.get(reverse("reviews:detail", kwargs={"pk": review.pk}))
    assert page.context["form"] is not None and "Falta la página" in page.content.decode()


def test_another_municipalitys_staff_never_see_the_reviews(client, review):
    other = _staff(MunicipalityFactory(), username="otra-sindicatura")
    elsewhere_review = services.review_assign(
        contract=ContractFactory(municipality=other.municipality),
        guardians=[trained_guardian(other.municipality)],
        assigned_by=other,
    )
    client.force_login(other)
    # Their own site (request.municipality) is theirs: this municipality's review is not there.
    assert client.get(reverse("reviews:detail", kwargs={"pk": review.pk})).status_code in (
        403,
        404,
    )
    assert elsewhere_review.pk != review.pk


def test_the_list_costs_constant_queries(client, municipality, staff, guardian):
    client.force_login(staff)
    url = reverse("reviews:list")
    client.get(url)  # warms the session's role cache
    counts = []
    for size in (2, 20):
        while ContractReview.objects.count() < size:
            services.review_assign(
                contract=ContractFactory(municipality=municipality),
                guardians=[guardian],
                assigned_by=staff,
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_guardian_consents_to_be_named_on_the_answer_form(client, review, guardian):
    client.force_login(guardian.user)
    url = reverse("reviews:detail", kwargs={"pk": review.pk})
    client.post(url, _post_answers(review, save="1"))
    assert not review.assignments.get().name_public
    client.post(url, _post_answers(review, submit="1", name_public="on"))
    assert review.assignments.get().name_public
