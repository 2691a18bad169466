"""Requisition folios: one per municipality and year, never reused, never given twice."""

import contextlib
import threading

import pytest
from django.db import connection
from django.utils import timezone

from committees import services
from committees.models import Need, Requisition
from committees.permissions import Participant
from territory.tests.factories import MunicipalityFactory

from .factories import InstitutionFactory, NeedFactory

STAFF = Participant(is_staff=True)


def _create(municipality, institution):
    need = NeedFactory(municipality=municipality, status=Need.Status.PRIORITISED, priority=1)
    return services.requisition_create(
        municipality=municipality,
        participant=STAFF,
        institution=institution,
        needs=[need],
        subject="Agua potable",
    )


def _prefix() -> str:
    return f"REQ-{timezone.localdate().year}-"


@pytest.mark.django_db
def test_a_requisition_created_after_a_deletion_gets_a_new_folio(municipality):
    institution = InstitutionFactory(municipality=municipality)
    first, second = _create(municipality, institution), _create(municipality, institution)
    first.delete()

    third = _create(municipality, institution)

    assert [second.folio, third.folio] == [f"{_prefix()}0002", f"{_prefix()}0003"]


@pytest.mark.django_db
def test_folios_continue_from_the_highest_existing_folio(municipality):
    institution = InstitutionFactory(municipality=municipality)
    # Requisitions numbered before the sequence existed (the demo data, older versions).
    for number in (1, 7):
        Requisition.objects.create(
            municipality=municipality,
            folio=f"{_prefix()}{number:04d}",
            institution=institution,
            subject="Anterior",
        )
    Requisition.objects.create(
        municipality=municipality, folio="REQ-2001-0099", institution=institution, subject="Old"
    )

    assert _create(municipality, institution).folio == f"{_prefix()}0008"
    assert _create(municipality, institution).folio == f"{_prefix()}0009"


@pytest.mark.django_db
def test_each_municipality_numbers_its_own_requisitions(municipality):
    other = MunicipalityFactory()
    here = _create(municipality, InstitutionFactory(municipality=municipality))
    there = _create(other, InstitutionFactory(municipality=other))
    assert here.folio == there.folio == f"{_prefix()}0001"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_of_the_year", [True, False], ids=["first", "after-a-deletion"])
def test_two_requisitions_created_at_once_get_two_folios(
    municipality, monkeypatch, first_of_the_year
):
    """Two staff users at once, each in their own connection and transaction: with count + 1
    both read the same count and the second INSERT fails on the unique folio. Both for the
    year's first folio (no sequence row yet) and after a deletion left a gap."""
    institution = InstitutionFactory(municipality=municipality)
    needs = [
        NeedFactory(municipality=municipality, status=Need.Status.PRIORITISED, priority=1)
        for _ in range(2)
    ]
    if not first_of_the_year:
        _create(municipality, institution).delete()
    expected = ["0001", "0002"] if first_of_the_year else ["0002", "0003"]
    barrier = threading.Barrier(2)
    real_create = Requisition.objects.create

    def create_after_both_numbered(**kwargs):
        # Both threads have their folio before either inserts: the widest window there is.
        # With the lock, the other thread waits on it instead: the barrier breaks, and it
        # numbers after this one commits.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        return real_create(**kwargs)

    monkeypatch.setattr(Requisition.objects, "create", create_after_both_numbered)
    folios, errors = [], []

    def create(need):
        try:
            requisition = services.requisition_create(
                municipality=municipality,
                participant=STAFF,
                institution=institution,
                needs=[need],
                subject="Agua potable",
            )
            folios.append(requisition.folio)
        except Exception as error:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(need,)) for need in needs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sorted(folios) == [f"{_prefix()}{number}" for number in expected]
    assert Requisition.objects.filter(municipality=municipality).count() == 2
