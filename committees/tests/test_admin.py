"""The admin writes through the services or leaves the rows to the portal pages."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User
from committees.models import Need, NeedStatusChange, WorkProgress

from .factories import (
    AllocationFactory,
    AssignmentFactory,
    CivilEmployeeFactory,
    NeedFactory,
    PublicWorkFactory,
)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def staff_client(client, municipality):
    user = User.objects.create_user(
        username="sindicatura", password="x", is_staff=True, municipality=municipality
    )
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="committees"))
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["allocation", "activity", "need", "forum", "requisition"])
def test_rows_owned_by_a_service_cannot_be_added_in_the_admin(staff_client, model):
    assert staff_client.get(reverse(f"admin:committees_{model}_add")).status_code == 403


def test_allocations_are_read_only_in_the_admin(staff_client, municipality):
    allocation = AllocationFactory(municipality=municipality)
    url = reverse("admin:committees_allocation_change", args=[allocation.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="value"' not in page  # shown, not editable
    staff_client.post(url, {"value": "1", "quantity": "1"})
    allocation.refresh_from_db()
    assert allocation.value != 1
    listing = staff_client.get(reverse("admin:committees_allocation_changelist"))
    assert reverse("committees:allocation_create") in listing.content.decode()


def test_assignments_and_progress_are_listed_not_edited_inline(staff_client, municipality):
    employee = CivilEmployeeFactory(association__municipality=municipality)
    AssignmentFactory(employee=employee)
    page = staff_client.get(
        reverse("admin:committees_civilemployee_change", args=[employee.pk])
    ).content.decode()
    assert 'name="assignment_set-0-colonia"' not in page
    work = PublicWorkFactory(municipality=municipality)
    WorkProgress.objects.create(work=work, reported_on=datetime.date(2025, 1, 1), percent=5)
    page = staff_client.get(
        reverse("admin:committees_publicwork_change", args=[work.pk])
    ).content.decode()
    assert 'name="progress-0-percent"' not in page


def test_need_change_in_the_admin_goes_through_need_update(staff_client, municipality, monkeypatch):
    from committees import services

    need = NeedFactory(municipality=municipality, status=Need.Status.APPROVED)
    calls = []
    original = services.need_update

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(services, "need_update", spy)
    response = staff_client.post(
        reverse("admin:committees_need_change", args=[need.pk]),
        {
            "colonia": need.colonia_id,
            "category": "drainage",
            "description": need.description,
            "people_affected": "300",
            "estimated_cost": "150000.00",
            "priority": "",
            "history-TOTAL_FORMS": "0",
            "history-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    need.refresh_from_db()
    assert (need.category, need.people_affected, need.status) == ("drainage", 300, "approved")
    assert len(calls) == 1
    assert set(calls[0]) == {"need", "participant", "actor", "category", "people_affected"}
    assert calls[0]["actor"].is_staff
    assert calls[0]["participant"].is_staff
    assert not NeedStatusChange.objects.filter(need=need).exists()
