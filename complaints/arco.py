"""ARCO rights for complaints (see accounts.arco): the complaints reported with the person's
e-mail (or proved by tracking code) and the complaints they follow. Anonymising keeps the
complaints (the public record) and blanks the reporter's contact; follower rows are removed."""

from django.db.models import Q

from accounts.arco import ANONYMISED_NAME

from .models import Complaint, ComplaintFollower


def _complaints(subject):
    condition = Q(pk__in=[])
    if subject.emails:
        condition |= Q(reporter_email__in=subject.emails)
    if subject.complaint_codes:
        condition |= Q(code__in=subject.complaint_codes)
    return Complaint.private_objects.filter(condition)


def _followers(subject):
    if not subject.emails:
        return ComplaintFollower.objects.none()
    return ComplaintFollower.objects.filter(email__in=subject.emails)


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
        }
        for c in _complaints(subject).select_related("service_type")
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
    complaints = _complaints(subject).update(
        reporter_name=str(ANONYMISED_NAME), reporter_email="", reporter_phone=""
    )
    followers, _by_model = _followers(subject).delete()
    return {"complaints": complaints, "followers": followers}
