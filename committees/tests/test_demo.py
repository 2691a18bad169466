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
    assert first[6] == 1
    assert set(
        Need.objects.filter(municipality=villaflores).values_list("status", flat=True)
    ) == set(Need.Status.values)
    assert any(row.flags for row in equity_rows(villaflores))
    member = CommitteeMember.objects.get(user=context.users["demo-committee"])
    assert member.committee.municipality == villaflores

    seed(spaces=12)
    assert counts(villaflores) == first
