"""Privileged acts that had left no trace: Open311 keys and service-status API tokens issued or
revoked (command and admin), and surveillance cards reviewed."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from audit.selectors import audit_chain_verify
from complaints.models import Open311Client
from findings.models import ApiClient
from findings.tests.world import build_world
from guardians.models import Card

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def trail(model):
    return list(AuditEntry.objects.filter(object_type=model._meta.label_lower).order_by("sequence"))


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff_client(client, municipality):
    staff = User.objects.create_user(
        username="sindicatura", password="x", is_staff=True, municipality=municipality
    )
    staff.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["complaints", "findings"],
            content_type__model__in=["open311client", "apiclient"],
        )
    )
    client.force_login(staff)
    client.staff = staff
    return client


def assert_no_secret(entry, client_row, hash_field):
    assert hash_field not in entry.changes
    assert getattr(client_row, hash_field) not in str(entry.changes)


def test_open311_keys_issued_and_revoked_with_the_command_are_recorded(municipality):
    out = StringIO()
    call_command("open311_key", "create", "Línea 072", stdout=out, stderr=StringIO())
    key = out.getvalue().strip()
    call_command("open311_key", "revoke", "Línea 072", stdout=StringIO())

    client_row = Open311Client.objects.get()
    issued, revoked = trail(Open311Client)
    assert (issued.action, issued.object_id) == ("issue", str(client_row.pk))
    assert issued.is_system and issued.actor_name == "manage.py open311_key"
    assert issued.changes["name"] == [None, "Línea 072"]
    assert issued.changes["key_prefix"] == [None, key[:8]]
    assert key not in str(issued.changes)
    assert_no_secret(issued, client_row, "key_hash")
    assert revoked.action == "revoke" and revoked.is_system
    assert revoked.changes["revoked_at"][0] is None and revoked.changes["revoked_at"][1]
    assert audit_chain_verify().problems == []


def test_open311_keys_issued_revoked_and_replaced_in_the_admin_are_recorded(
    staff_client, municipality
):
    response = staff_client.post(admin_url(Open311Client, "add"), {"name": "App"}, **EN)
    assert response.status_code == 302
    first = Open311Client.objects.get()
    staff_client.post(
        admin_url(Open311Client, "changelist"),
        {"action": "replace_keys", "_selected_action": [first.pk]},
        **EN,
    )
    second = Open311Client.objects.get(revoked_at__isnull=True)
    staff_client.post(
        admin_url(Open311Client, "changelist"),
        {"action": "revoke_keys", "_selected_action": [first.pk, second.pk]},
        **EN,
    )

    recorded = [(e.action, e.object_id, e.actor) for e in trail(Open311Client)]
    staff = staff_client.staff
    assert recorded == [
        ("issue", str(first.pk), staff),
        ("revoke", str(first.pk), staff),
        ("issue", str(second.pk), staff),
        ("revoke", str(second.pk), staff),  # the key revoked before is not recorded twice
    ]


def test_service_status_api_tokens_issued_and_revoked_in_the_admin_are_recorded(
    staff_client, municipality
):
    response = staff_client.post(
        admin_url(ApiClient, "add"), {"name": "Jardines SA", "reported_by": "contractor"}, **EN
    )
    assert response.status_code == 302
    api_client = ApiClient.objects.get()
    first_prefix = api_client.token_prefix
    for action in ("issue_new_token", "revoke", "revoke"):
        staff_client.post(
            admin_url(ApiClient, "changelist"),
            {"action": action, "_selected_action": [api_client.pk]},
            **EN,
        )
    api_client.refresh_from_db()

    issued, reissued, revoked = trail(ApiClient)
    staff = staff_client.staff
    assert [(e.action, e.actor) for e in (issued, reissued, revoked)] == [
        ("issue", staff),
        ("issue", staff),
        ("revoke", staff),
    ]
    assert issued.changes["name"] == [None, "Jardines SA"]
    assert issued.changes["token_prefix"] == [None, first_prefix]
    assert reissued.changes["token_prefix"] == [first_prefix, api_client.token_prefix]
    assert revoked.changes["revoked_at"][0] is None
    for entry in (issued, reissued, revoked):
        assert_no_secret(entry, api_client, "token_hash")


def test_a_card_review_is_recorded_with_the_reviewer(client, municipality):
    world = build_world(municipality)
    card = world.file(**{"grass-cut": "no"})
    client.force_login(world.sindicatura)
    response = client.post(
        reverse("guardians:card_review", args=[card.pk]), {"note": "Visto con Parques"}, **EN
    )
    assert response.status_code == 302

    (reviewed,) = trail(Card)
    assert (reviewed.action, reviewed.object_id) == ("review", str(card.pk))
    assert reviewed.actor == world.sindicatura
    assert reviewed.changes == {
        "review_note": ["", "Visto con Parques"],
        "review_status": ["pending", "reviewed"],
    }
