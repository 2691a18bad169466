"""ARCO rights for the guardians' data (see accounts.privacy.arco): the guardian profile, the
applications that made it or were sent with the person's confirmed e-mail, the cards they filed
and their training attempts, in the municipality asked. Anonymising keeps the cards and
attempts (the public record) and blanks the contact data."""

from django.db.models import Q

from accounts.privacy.arco import ANONYMISED_NAME

from .models import (
    Card,
    EvaluationAttempt,
    Guardian,
    GuardianApplication,
    TrainingAttendance,
    Visit,
)


def _applications(subject):
    condition = subject.email_q("email")
    if subject.user is not None:
        condition |= Q(guardian__user=subject.user)
    return GuardianApplication.private_objects.filter(condition, municipality=subject.municipality)


def _guardian(subject):
    if subject.user is None:
        return None
    return (
        Guardian.private_objects.filter(user=subject.user, municipality=subject.municipality)
        .select_related("colonia")
        .first()
    )


def export(subject) -> dict:
    data = {}
    guardian = _guardian(subject)
    if guardian is not None:
        data["guardian"] = {
            "colonia": str(guardian.colonia),
            "phone": guardian.phone,
            "status": guardian.status,
            "is_lead": guardian.is_lead,
        }
        data["cards"] = [
            {
                "id": card.pk,
                "space": str(card.space) if card.space_id else None,
                "service": str(card.service_type),
                "observed_on": card.observed_on.isoformat(),
                "failure_count": card.failure_count,
                "review_status": card.review_status,
            }
            for card in Card.objects.filter(guardian=guardian).select_related(
                "space", "service_type"
            )
        ]
        data["training_attempts"] = [
            {
                "session": str(attempt.evaluation.session),
                "kind": attempt.evaluation.kind,
                "correct": attempt.correct,
                "total": attempt.total,
                "submitted_at": attempt.submitted_at.isoformat(),
            }
            for attempt in EvaluationAttempt.objects.filter(guardian=guardian).select_related(
                "evaluation__session"
            )
        ]
        data["training_attendance"] = [
            str(row.session)
            for row in TrainingAttendance.objects.filter(guardian=guardian).select_related(
                "session"
            )
        ]
        data["visits_invited"] = [
            str(visit) for visit in Visit.objects.filter(guardians_invited=guardian)
        ]
    applications = [
        {
            "full_name": a.full_name,
            "email": a.email,
            "phone": a.phone,
            "motivation": a.motivation,
            "status": a.status,
            "privacy_accepted_at": a.privacy_accepted_at.isoformat(),
        }
        for a in _applications(subject)
    ]
    if applications:
        data["applications"] = applications
    return data


def anonymise(subject) -> dict:
    """Blanks the guardian's phone and the applications' name, contact and motivation; the
    cards they filed and their attempts stay."""
    guardians = []
    guardian = _guardian(subject)
    if guardian is not None:
        Guardian.private_objects.filter(pk=guardian.pk).update(phone="")
        guardians = [guardian.pk]
    applications = list(_applications(subject).values_list("pk", flat=True))
    GuardianApplication.private_objects.filter(pk__in=applications).update(
        full_name=str(ANONYMISED_NAME), email="", phone="", motivation=""
    )
    return {
        Guardian._meta.label_lower: guardians,
        GuardianApplication._meta.label_lower: applications,
    }
