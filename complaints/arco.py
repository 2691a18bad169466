"""ARCO rights for complaints (see accounts.privacy.arco): the complaints reported with the person's
confirmed e-mail (or proved by tracking code) and the complaints they follow, in the
municipality asked. Anonymising keeps the complaints (the public record) and blanks the
reporter's contact; follower rows are removed."""

from django.db.models import Q

from accounts.privacy.arco import ANONYMISED_NAME

from .models import Complaint, ComplaintFollower, FixedQuestion


def code_matches(*, municipality, code: str, email: str) -> bool:
    """Whether the complaint with this tracking code was reported with this e-mail (ARCO
    requests by someone without an account, accounts.arco.complaint_request_send)."""
    return Complaint.private_objects.filter(
        municipality=municipality, code=code, reporter_email__iexact=email
    ).exists()


def _complaints(subject):
    condition = subject.email_q("reporter_email")
    if subject.complaint_codes:
        condition |= Q(code__in=subject.complaint_codes)
    return Complaint.private_objects.filter(condition, municipality=subject.municipality)


def _followers(subject):
    return ComplaintFollower.objects.filter(
        subject.email_q("email"), complaint__municipality=subject.municipality
    )


def _fixed_answer(complaint) -> dict:
    question = getattr(complaint, "fixed_question", None)
    if question is None or question.answered_at is None:
        return {}
    return {"fixed_answer": question.fixed, "fixed_comment": question.comment}


def export(subject) -> dict:
    data = {}
    complaints = [
        {
            "code": c.code,
            "service": str(c.service_type),
            "description": c.description,
            "address": c.address,
            "status": c.status,
            "reporter_name": c.reporter_name,
            "reporter_email": c.reporter_email,
            "reporter_phone": c.reporter_phone,
            "created_at": c.created_at.isoformat(),
            **_fixed_answer(c),
        }
        for c in _complaints(subject).select_related("service_type", "fixed_question")
    ]
    if complaints:
        data["complaints"] = complaints
    following = [
        {"complaint": f.complaint.code, "email": f.email, "since": f.created_at.isoformat()}
        for f in _followers(subject).select_related("complaint")
    ]
    if following:
        data["following"] = following
    return data


def anonymise(subject) -> dict:
    complaints = list(_complaints(subject).values_list("pk", flat=True))
    Complaint.private_objects.filter(pk__in=complaints).update(
        reporter_name=str(ANONYMISED_NAME), reporter_email="", reporter_phone=""
    )
    # The reporter's own words on "Has it been fixed?" go with their contact; the answer stays.
    FixedQuestion.objects.filter(complaint_id__in=complaints).update(comment="")
    followers = list(_followers(subject).values_list("pk", flat=True))
    ComplaintFollower.objects.filter(pk__in=followers).delete()
    return {
        Complaint._meta.label_lower: complaints,
        ComplaintFollower._meta.label_lower: followers,
    }
