import pytest

from committees.models import (
    Allocation,
    CitizenCommittee,
    CommitteeMember,
    Forum,
    Need,
    PublicWork,
    Requisition,
)
from committees.selectors import equity_rows


@pytest.mark.django_db
def test_seed_demo_fills_villaflores_and_runs_twice_without_duplicates():
    from core.demo import seed

    def counts(municipality):
        return [
            model.objects.filter(**{path: municipality}).count()
            for model, path in [
                (CitizenCommittee, "municipality"),
                (CommitteeMember, "committee__municipality"),
                (Forum, "municipality"),
                (Need, "municipality"),
                (Requisition, "municipality"),
                (Allocation, "municipality"),
                (PublicWork, "municipality"),
            ]
        ]

    context = seed(spaces=12)
    villaflores = context.villaflores
    first = counts(villaflores)
    assert first[0] == 20
    assert first[3] == 60
    assert first[4] >= 3
    assert first[6] == 2  # the road (committee) and the court (civil association)
    assert set(
        Need.objects.filter(municipality=villaflores).values_list("status", flat=True)
    ) == set(Need.Status.values)
    assert any(row.flags for row in equity_rows(villaflores))
    member = CommitteeMember.objects.get(user=context.users["demo-committee"])
    assert member.committee.municipality == villaflores

    workflows = _workflow_counts(villaflores)
    assert workflows == {"forums_to_close": 2, "agreements_due": 2, "certificates": 1}
    assert PublicWork.objects.filter(
        municipality=villaflores, executing_committee=member.committee
    ).exists()

    seed(spaces=12)
    assert counts(villaflores) == first
    assert _workflow_counts(villaflores) == workflows


def _workflow_counts(municipality):
    from committees.models import RegistrationCertificate
    from committees.permissions import Participant
    from committees.selectors import agreements_due_summary, forums_to_close

    return {
        "forums_to_close": forums_to_close(municipality, Participant(is_staff=True)).count(),
        "agreements_due": agreements_due_summary(municipality)["count"],
        "certificates": RegistrationCertificate.objects.filter(
            municipality=municipality, revoked_at__isnull=True
        ).count(),
    }
