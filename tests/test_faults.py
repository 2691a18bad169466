"""Faults: the database connection dropped mid-request, and the portal's own error pages.

The fault test runs on the real services (PostGIS, marked ``services``) with
``transaction=True``: a fresh connection must see what the test committed.
"""

import contextlib

import psycopg2
import pytest
from django.db import connection
from django.test import Client

from complaints.models import Complaint
from findings.tests.world import build_world


@pytest.fixture
def world(municipality):
    return build_world(municipality)


def _side_connection():
    """A connection of its own to the test database (never the one under test)."""
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_database_dropped_mid_request_shows_the_error_page_and_writes_nothing(world, monkeypatch):
    from complaints import services as complaint_services

    real_create = complaint_services.complaint_create
    seen = {}

    def create_then_lose_the_connection(**kwargs):
        complaint = real_create(**kwargs)  # the rows are written (not yet committed)
        seen["code"] = complaint.code
        pid = connection.connection.info.backend_pid
        with contextlib.closing(_side_connection()) as side:
            side.autocommit = True
            with side.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                assert cursor.fetchone() == (True,)
        Complaint.private_objects.count()  # the request goes on and meets the dead connection
        return complaint

    # The web form's workflow (complaints.services.complaint_submit) files it through this.
    monkeypatch.setattr(complaint_services, "complaint_create", create_then_lose_the_connection)
    client = Client(raise_request_exception=False)
    response = client.post(
        "/complaints/new/",
        {
            "service_type": world.green.pk,
            "description": "Luminaria apagada",
            "lat": "28.63",
            "lon": "-106.08",
        },
    )

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body and "nothing of it was saved" in body
    assert "Traceback" not in body
    assert seen["code"]
    with contextlib.closing(_side_connection()) as fresh, fresh.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {Complaint._meta.db_table} WHERE code = %s",  # noqa: S608
            [seen["code"]],
        )
        assert cursor.fetchone() == (0,)
    assert Complaint.private_objects.count() == 0  # Django reconnects for the next request


# --- The worker killed in the middle of the nightly reconciliation ------------------------------


@pytest.mark.django_db
def test_the_404_page_is_the_portals_own(municipality, client):
    response = client.get("/spaces/NO-SUCH-SPACE/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "portal.css" in body


@pytest.mark.django_db
def test_the_403_page_is_the_portals_own(municipality, client, django_user_model):
    user = django_user_model.objects.create_user(username="vecino", password="x")
    client.force_login(user)
    response = client.get("/guardians/cards/new/")
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()


def test_the_500_page_needs_no_database_and_no_request():
    from django.template import loader

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "django.db.backends.utils.CursorWrapper.execute",
            lambda *a, **k: pytest.fail("500.html touched the database"),
        )
        body = loader.get_template("500.html").render({})
    assert "Something went wrong" in body and "portal.css" in body


@pytest.mark.django_db
def test_the_429_page_renders(municipality, rf):
    from django.shortcuts import render

    request = rf.get("/")
    request.municipality = municipality
    request.user = type("Anonymous", (), {"is_authenticated": False, "is_staff": False})()
    response = render(request, "429.html", status=429)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
