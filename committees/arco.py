"""ARCO rights for the planning data (see accounts.arco): committee and COPLADEM memberships,
the civil-employee record and its activity log. Anonymising keeps the memberships, needs,
forums and allocations (the public record) and replaces the person's name and contacts."""

from django.db.models import Q

from accounts.arco import ANONYMISED_NAME

from .models import Activity, CivilEmployee, CommitteeMember, PlanningMember

NEUTRAL = {"phone": "", "email": "", "address": ""}


def _by_person(model, subject):
    condition = Q(pk__in=[])
    if subject.user is not None:
        condition |= Q(user=subject.user)
    if subject.emails:
        condition |= Q(email__in=subject.emails)
    return model.objects.filter(condition)


def export(subject) -> dict:
    data = {}
    committees = [
        {
            "committee": str(m.committee),
            "full_name": m.full_name,
            "position": m.position,
            "phone": m.phone,
            "email": m.email,
            "address": m.address,
            "designated_on": m.designated_on.isoformat(),
            "ceased_on": m.ceased_on.isoformat() if m.ceased_on else None,
        }
        for m in _by_person(CommitteeMember, subject).select_related("committee")
    ]
    if committees:
        data["committee_memberships"] = committees
    planning = [
        {
            "body": str(m.body),
            "full_name": m.full_name,
            "position": m.position,
            "phone": m.phone,
            "email": m.email,
            "address": m.address,
        }
        for m in _by_person(PlanningMember, subject).select_related("body")
    ]
    if planning:
        data["planning_memberships"] = planning
    employees = list(_by_person(CivilEmployee, subject).select_related("association"))
    if employees:
        data["civil_employee"] = [
            {
                "association": str(e.association),
                "full_name": e.full_name,
                "phone": e.phone,
                "email": e.email,
                "hired_on": e.hired_on.isoformat(),
                "activities": [
                    {
                        "done_on": a.done_on.isoformat(),
                        "kind": a.kind,
                        "description": a.description,
                        "people_reached": a.people_reached,
                    }
                    for a in Activity.objects.filter(employee=e)
                ],
            }
            for e in employees
        ]
    return data


def anonymise(subject) -> dict:
    name = {"full_name": str(ANONYMISED_NAME)}
    return {
        "committee_members": _by_person(CommitteeMember, subject).update(**name, **NEUTRAL),
        "planning_members": _by_person(PlanningMember, subject).update(**name, **NEUTRAL),
        "civil_employees": _by_person(CivilEmployee, subject).update(**name, phone="", email=""),
    }
