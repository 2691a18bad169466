"""Role and user changes, and complaint edits in the admin, are in the audit trail (issue 14,
item 4), without password hashes or reporters' contact data."""

import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import user_create, user_set_roles, user_update
from audit.models import AuditEntry
from territory.tests.factories import DirectorateFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db


def entries_about(instance):
    return list(
        AuditEntry.objects.filter(
            object_type=instance._meta.label_lower, object_id=str(instance.pk)
        ).order_by("sequence")
    )


def test_role_and_user_changes_through_the_services_are_audited(municipality):
    administrator = user_create(
        username="admin-mun", password=None, municipality=municipality, is_staff=True
    )
    clerk = user_create(
        username="clerk",
        password="a-long-Pass-phrase-42",
        municipality=municipality,
        roles=[Role.MUNICIPAL_STAFF],
        actor=administrator,
    )
    user_set_roles(user=clerk, roles=[Role.ADMINISTRATOR], actor=administrator)
    user_update(user=clerk, is_staff=True, is_active=False, actor=administrator)

    created, promoted, changed = entries_about(clerk)
    assert created.action == "create" and created.actor == administrator
    assert created.changes["roles"] == [[], [Role.MUNICIPAL_STAFF]]
    assert promoted.changes == {"roles": [[Role.MUNICIPAL_STAFF], [Role.ADMINISTRATOR]]}
    assert changed.changes == {"is_active": [True, False], "is_staff": [False, True]}
    for entry in (created, promoted, changed):
        assert "password" not in entry.changes and "last_login" not in entry.changes


def test_user_changes_in_the_admin_are_audited(client, municipality):
    administrator = user_create(
        username="admin-mun",
        password=None,
        municipality=municipality,
        roles=[Role.ADMINISTRATOR],
        is_staff=True,
    )
    parks = DirectorateFactory(municipality=municipality)
    clerk = user_create(username="clerk", password=None, municipality=municipality)
    client.force_login(administrator)
    group = User.groups.field.related_model.objects.get(name=Role.DIRECTORATE_STAFF)
    response = client.post(
        reverse("admin:accounts_user_change", args=[clerk.pk]),
        {
            "username": "clerk",
            "email": "",
            "first_name": "",
            "last_name": "",
            "is_active": "on",
            "is_staff": "on",
            "groups": [group.pk],
            "directorate": parks.pk,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = entries_about(clerk)[-1]
    assert (entry.action, entry.actor) == ("update", administrator)
    assert entry.changes["roles"] == [[], [Role.DIRECTORATE_STAFF]]
    assert entry.changes["is_staff"] == [False, True]
    assert entry.changes["directorate"] == [None, parks.pk]
    assert "password" not in entry.changes


def test_complaint_edits_in_the_admin_are_audited_without_contact_data(client, municipality):
    from complaints.models import Complaint
    from complaints.tests.factories import make_complaint

    administrator = user_create(
        username="admin-mun",
        password=None,
        municipality=municipality,
        roles=[Role.ADMINISTRATOR],
        is_staff=True,
    )
    complaint = make_complaint(
        municipality=municipality, service_type=ServiceTypeFactory(municipality=municipality)
    )
    client.force_login(administrator)
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(
        {
            "description": "Lámpara apagada en la esquina",
            "reporter_phone": "614 000 0000",
            "address": "Calle 1",
            "location": "",
        }
    )
    for prefix in ("updates", "photos", "followers"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    for inline in client.get(url).context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
            }
        )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    complaint = Complaint.private_objects.get(pk=complaint.pk)
    assert complaint.description == "Lámpara apagada en la esquina"
    entry = [e for e in entries_about(complaint) if e.actor == administrator][-1]
    assert entry.changes["description"][1] == "Lámpara apagada en la esquina"
    hidden = {"reporter_phone", "reporter_email", "reporter_name", "token", "address"}
    assert not hidden & set(entry.changes)
