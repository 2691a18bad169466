"""ARCO rights for the planning data (see accounts.privacy.arco): committee and COPLADEM
memberships, the civil-employee record and its activity log, linked to the account or filed
under the person's confirmed e-mail, in the municipality asked. Anonymising keeps the memberships,
needs, forums and allocations (the public record) and replaces the person's name and
contacts."""

from django.db.models import Q

from accounts.privacy.arco import ANONYMISED_NAME

from .models import Activity, CivilEmployee, CommitteeMember, PlanningMember

NEUTRAL = {"phone": "", "email": "", "address": ""}


# The path from each model to its municipality.
MUNICIPALITY_PATHS = {
    CommitteeMember: "committee__municipality",
    PlanningMember: "body__municipality",
    CivilEmployee: "association__municipality",
}


def _by_person(model, subject):
    condition = subject.email_q("email")
    if subject.user is not None:
        condition |= Q(user=subject.user)
    return model.objects.filter(condition, **{MUNICIPALITY_PATHS[model]: subject.municipality})


def _anonymise(model, subject, **values) -> list[int]:
    ids = list(_by_person(model, subject).values_list("pk", flat=True))
    model.objects.filter(pk__in=ids).update(**values)
    return ids


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
        model._meta.label_lower: _anonymise(model, subject, **name, **neutral)
        for model, neutral in [
            (CommitteeMember, NEUTRAL),
            (PlanningMember, NEUTRAL),
            (CivilEmployee, {"phone": "", "email": ""}),
        ]
    }
