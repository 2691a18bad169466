"""One municipality with a little of everything, and one user per role, for the tests that walk
every route (``tests/test_access_matrix.py``) and look for personal data on public pages
(``tests/test_personal_data.py``)."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Role
from accounts.privacy.arco import complaint_request_token, email_confirmation_token
from accounts.services import user_create
from committees import services as committee_services
from committees.models import Need
from committees.permissions import Participant
from committees.tests.factories import (
    AgreementFactory,
    AllocationFactory,
    CitizenCommitteeFactory,
    ForumFactory,
    InstitutionFactory,
    NeedFactory,
    PlanningCommitteeFactory,
    ProgramFactory,
    PublicWorkFactory,
    make_civil_employee_user,
    make_committee_member_user,
)
from complaints import services as complaint_services
from complaints.tests.factories import make_complaint
from findings.models import Finding
from findings.tests.world import build_world
from guardians import services as guardian_services
from guardians.models import Evaluation, Question, QuestionChoice, Topic, TrainingSession
from guardians.tests.factories import GuardianApplicationFactory
from territory.tests.factories import ColoniaFactory

ROLES = ["anonymous", "authenticated", *Role.values]


def _add_role(user, role):
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def build_access_world(municipality):
    """The findings world (spaces, contract, company, directorates, guardians) plus a
    complaint, a committee with a member, a civil employee, a forum, needs, a requisition, an
    allocation, a public work, a training session, a visit, an application, a card and
    findings; ``w.users`` maps each role (and ``authenticated``, a user with no role) to a
    user."""
    w = build_world(municipality)
    w.card = w.file(**{"grass-cut": "no", "litter-removed": "no"})
    w.other_card = w.file(guardian=w.lead, space=w.spaces[1])
    w.finding = Finding.objects.create(
        municipality=municipality,
        kind="unreported",
        severity=2,
        service_type=w.green,
        space=w.spaces[0],
        item_code="grass-cut",
        item_text="Grass cut",
        directorate=w.parks,
        contract=w.contract,
        company=w.company,
        period_start=w.today,
        period_end=w.today,
        response_hours=48,
        due_at="2026-01-02T00:00Z",
        created_at="2026-01-01T00:00Z",
        updated_at="2026-01-01T00:00Z",
    )
    w.complaint = make_complaint(
        municipality=municipality,
        service_type=w.green,
        lon=-106.089,
        lat=28.62,
        colonia=w.colonia,
    )
    w.follower, _created = complaint_services.complaint_follow(
        complaint=w.complaint, email="follower@example.org"
    )
    w.community = ColoniaFactory(municipality=municipality, name="Ejido Nuevo")
    w.committee = CitizenCommitteeFactory(municipality=municipality, communities=[w.community])
    w.forum = ForumFactory(municipality=municipality, colonia=w.community, committee=w.committee)
    w.need = NeedFactory(municipality=municipality, colonia=w.community, committee=w.committee)
    w.prioritised = NeedFactory(
        municipality=municipality, colonia=w.community, status=Need.Status.PRIORITISED
    )
    w.institution = InstitutionFactory(municipality=municipality)
    w.program = ProgramFactory(institution=w.institution)
    w.requisition = committee_services.requisition_create(
        municipality=municipality,
        participant=Participant(is_staff=True),
        institution=w.institution,
        program=w.program,
        needs=[w.prioritised],
        subject="Agua potable",
    )
    w.work = PublicWorkFactory(municipality=municipality)
    w.agreement = AgreementFactory(
        session__body=PlanningCommitteeFactory(municipality=municipality),
        due_on=w.today,
    )
    w.certificate = committee_services.certificate_issue(
        committee=CitizenCommitteeFactory(
            municipality=municipality, registration_number="CPC-1", registered_on=w.today
        ),
        participant=Participant(is_staff=True),
    )
    w.allocation = AllocationFactory(
        municipality=municipality,
        colonia=w.community,
        committee=w.committee,
        value=Decimal("5000.00"),
    )
    w.session = TrainingSession.objects.create(
        municipality=municipality, title="Capacitación", date="2024-05-01"
    )
    question = Question.objects.create(
        municipality=municipality, topic=Topic.INSTITUTIONS, text="Pregunta"
    )
    QuestionChoice.objects.create(question=question, text="Correcta", is_correct=True)
    for kind in ("pre", "post"):
        Evaluation.objects.create(session=w.session, kind=kind).questions.set([question])
    w.visit = guardian_services.visit_create(
        municipality=municipality,
        date=w.today - datetime.timedelta(days=3),
        colonia=w.colonia,
        people_contacted=12,
        spaces=w.spaces[:1],
    )
    w.planned_visit = guardian_services.visit_plan(
        municipality=municipality, date=w.today + datetime.timedelta(days=3), colonia=w.colonia
    )
    w.application = GuardianApplicationFactory(municipality=municipality, colonia=w.colonia)

    member = make_committee_member_user(committee=w.committee, username="committee-member")
    civil = make_civil_employee_user(
        municipality=municipality, communities=[w.community], username="civil-employee"
    )
    w.civil_employee = civil.civil_employee
    w.assignment = w.civil_employee.assignment_set.first()
    w.users = {
        "authenticated": user_create(
            username="plain-user", password=None, municipality=municipality
        ),
        Role.GUARDIAN: _add_role(w.guardian.user, Role.GUARDIAN),
        Role.LEAD_GUARDIAN: _add_role(w.lead.user, Role.LEAD_GUARDIAN),
        Role.COMMITTEE_MEMBER: member,
        Role.CIVIL_EMPLOYEE: civil,
        Role.DIRECTORATE_STAFF: user_create(
            username="directorate-staff",
            password=None,
            municipality=municipality,
            directorate=w.parks,
            roles=[Role.DIRECTORATE_STAFF],
        ),
        Role.MUNICIPAL_STAFF: user_create(
            username="municipal-staff",
            password=None,
            municipality=municipality,
            roles=[Role.MUNICIPAL_STAFF],
            is_staff=True,
        ),
        Role.ADMINISTRATOR: user_create(
            username="administrator",
            password=None,
            municipality=municipality,
            roles=[Role.ADMINISTRATOR],
            is_staff=True,
        ),
    }
    return w


def route_kwargs(w) -> dict[str, dict]:
    """URL kwargs for every route that takes some, from the world's objects."""
    guardian_user = w.users[Role.GUARDIAN]
    return {
        "territory:space_detail": {"code": w.spaces[0].code},
        "territory:area_detail": {"pk": w.area.pk},
        "territory:colonia_detail": {"pk": w.colonia.pk},
        "territory:layer_geojson": {"key": "complaints"},
        "workspace:statistics:detail": {"key": "complaints"},
        "workspace:statistics:csv": {"key": "complaints"},
        "media": {
            "path": default_storage.save("contracts/documents/matrix.pdf", ContentFile(b"%PDF-1.4"))
        },
        "contracts:contract_detail": {"pk": w.contract.pk},
        "contracts:company_detail": {"pk": w.company.pk},
        "guardians:welcome": {
            "uidb64": urlsafe_base64_encode(force_bytes(guardian_user.pk)),
            "token": default_token_generator.make_token(guardian_user),
        },
        "privacy:email_confirm": {
            "token": email_confirmation_token(
                user=w.users["authenticated"], municipality=w.municipality
            )
        },
        "privacy:complaint_request_confirm": {
            "token": complaint_request_token(
                municipality=w.municipality,
                complaint_code=w.complaint.code,
                email=w.complaint.reporter_email,
                kind="access",
            )
        },
        "guardians:application_review": {"pk": w.application.pk},
        "guardians:visit_detail": {"pk": w.visit.pk},
        "guardians:card_detail": {"pk": w.card.pk},
        "guardians:card_review": {"pk": w.card.pk},
        "guardians:training_detail": {"pk": w.session.pk},
        "guardians:training_report": {"pk": w.session.pk},
        "guardians:evaluation_take": {"pk": w.session.pk, "kind": "pre"},
        "guardians:visit_done": {"pk": w.planned_visit.pk},
        "guardians:visit_brief": {"token": w.planned_visit.brief_token},
        "guardians:training_attendance": {"pk": w.session.pk},
        "complaints:inbox_detail": {"code": w.complaint.code},
        "complaints:detail": {"code": w.complaint.code},
        "complaints:follow": {"code": w.complaint.code},
        "complaints:unfollow": {"code": w.complaint.code, "token": w.follower.token},
        "complaints:open311_discovery": {"fmt": "json"},
        "complaints:open311_services": {"fmt": "json"},
        "complaints:open311_service": {"code": w.green.code, "fmt": "json"},
        "complaints:open311_requests": {"fmt": "json"},
        "complaints:open311_request": {"code": w.complaint.code, "fmt": "json"},
        "complaints:open311_token": {"token": str(w.complaint.token), "fmt": "json"},
        "committees:committee_detail": {"pk": w.committee.pk},
        "committees:forum_detail": {"pk": w.forum.pk},
        "committees:need_detail": {"pk": w.need.pk},
        "committees:need_edit": {"pk": w.need.pk},
        "committees:need_status": {"pk": w.need.pk},
        "committees:assignment_end": {"pk": w.assignment.pk},
        "committees:work_progress": {"pk": w.work.pk},
        "committees:forum_close": {"pk": w.forum.pk},
        "committees:agreement_done": {"pk": w.agreement.pk},
        "committees:committee_register": {"pk": w.committee.pk},
        "committees:certificate_issue": {"pk": w.committee.pk},
        "committees:certificate_pdf": {"pk": w.certificate.pk},
        "committees:certificate_verify": {"code": w.certificate.code},
        "committees:allocation_history": {"pk": w.allocation.pk},
        "committees:requisition_detail": {"pk": w.requisition.pk},
        "committees:requisition_submit": {"pk": w.requisition.pk},
        "committees:requisition_answer": {"pk": w.requisition.pk},
        "committees:requisition_document": {"pk": w.requisition.pk, "fmt": "pdf"},
        "findings:detail": {"pk": w.finding.pk},
        "findings:act": {"pk": w.finding.pk},
        "opendata:dataset_csv": {"slug": "spaces"},
        "opendata:contract_ocds": {"pk": w.contract.pk},
        **_alerts_route_kwargs(w),
        **_reviews_route_kwargs(w),
        **_transparency_route_kwargs(w),
    }


def _reviews_route_kwargs(w) -> dict[str, dict]:
    """A contract review assigned to the world's guardian and lead guardian, with an
    observation (its outcome routes want a confirmation, so an empty POST changes nothing)."""
    from reviews.models import ContractReview, Observation, ReviewAssignment
    from reviews.services import seed_review_template

    review = ContractReview.objects.create(
        municipality=w.municipality,
        contract=w.contract,
        template=seed_review_template(municipality=w.municipality),
        assigned_by=w.users[Role.MUNICIPAL_STAFF],
    )
    for guardian in (w.guardian, w.lead):
        ReviewAssignment.objects.create(review=review, guardian=guardian)
    observation = Observation.objects.create(review=review, text="Falta el acta de fallo")
    by_review = {"pk": review.pk}
    return {
        "reviews:detail": by_review,
        "reviews:comment": by_review,
        "reviews:changes": by_review,
        "reviews:publish": by_review,
        "reviews:observation_finding": {"pk": observation.pk},
        "reviews:observation_request": {"pk": observation.pk},
    }


def _transparency_route_kwargs(w) -> dict[str, dict]:
    """A drafted transparency request for the world's contract."""
    from reviews.models import TransparencyRequest

    request = TransparencyRequest.objects.create(
        municipality=w.municipality,
        contract=w.contract,
        documents_asked="el acta de fallo",
        text="Solicito el acta de fallo.",
        legal_basis="Artículo 6o. constitucional",
        created_by=w.users[Role.MUNICIPAL_STAFF],
    )
    by_request = {"pk": request.pk}
    return {
        "transparency:detail": by_request,
        "transparency:pdf": by_request,
        "transparency:text": by_request,
    }


def _alerts_route_kwargs(w) -> dict[str, dict]:
    """The follow links (double opt-in), a subscription's unsubscribe links, the feeds and
    the reporter's "Has it been fixed?" page."""
    from django.utils import timezone

    from alerts.models import Subscription
    from alerts.selectors import space_place
    from alerts.services import subscription_request
    from complaints.models import FixedQuestion
    from core.tokens import token_make

    space = w.spaces[0]
    subscription = Subscription.objects.create(
        municipality=w.municipality,
        email="alerts-matrix@example.org",
        kind="space",
        space=space,
        confirmed_at=timezone.now(),
    )
    question, _created = FixedQuestion.objects.get_or_create(
        complaint=w.complaint, defaults={"created_at": timezone.now(), "email_pending": False}
    )
    return {
        "complaints:follow_confirm": {
            "code": w.complaint.code,
            "token": complaint_services.complaint_follow_request(
                complaint=w.complaint, email="matrix-follower@example.org"
            ),
        },
        "complaints:fixed_answer": {
            "token": token_make({"q": question.pk}, salt=complaint_services.FIXED_QUESTION_SALT)
        },
        "alerts:follow_space": {"code": space.code},
        "alerts:follow_area": {"pk": w.area.pk},
        "alerts:follow_colonia": {"pk": w.colonia.pk},
        "alerts:confirm": {
            "token": subscription_request(
                place=space_place(municipality=w.municipality, code=space.code),
                email="matrix-follower@example.org",
            )
        },
        "alerts:unsubscribe": {"token": subscription.token},
        "alerts:unsubscribe_all": {"token": subscription.token},
        "alerts:space_feed": {"code": space.code},
        "alerts:area_feed": {"pk": w.area.pk},
        "alerts:colonia_feed": {"pk": w.colonia.pk},
        "alerts:colonia_service_feed": {"pk": w.colonia.pk, "service": w.green.code},
    }
