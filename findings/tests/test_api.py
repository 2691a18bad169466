import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from findings.api_clients import api_client_issue, api_client_revoke
from findings.imports import read_csv, service_status_import
from findings.models import ApiClient, KnownIssue, WorkLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(world):
    client = ApiClient(municipality=world.municipality, name="Jardines SA", company=world.company)
    return api_client_issue(client=client)


def auth(token):
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def test_tokens_are_stored_hashed(world, token):
    client = ApiClient.objects.get()
    assert token not in (client.token_hash, client.token_prefix)
    assert client.token_prefix == token[:8]


def test_contractor_posts_a_work_log(client, world, token):
    url = reverse("findings:api_work_logs")
    payload = {
        "service": "green-spaces",
        "space": "AC-0",
        "contract": world.contract.number,
        "item_code": "grass-cut",
        "done_on": str(world.today - datetime.timedelta(days=1)),
        "description": "Corte de pasto",
        "external_id": "OT-1",
    }
    response = client.post(url, payload, content_type="application/json", **auth(token))
    assert response.status_code == 201, response.json()
    log = WorkLog.objects.get()
    assert (log.space, log.contract, log.reported_by, log.source) == (
        world.spaces[0],
        world.contract,
        "contractor",
        "api",
    )
    assert log.api_client.name == "Jardines SA"
    # The same external id again: the existing row, nothing new.
    again = client.post(url, payload, content_type="application/json", **auth(token))
    assert again.status_code == 200
    assert again.json()["id"] == log.pk
    assert WorkLog.objects.count() == 1

    listing = client.get(url, **auth(token)).json()
    assert [row["external_id"] for row in listing["results"]] == ["OT-1"]


def test_validation_errors_are_json(client, world, token):
    response = client.post(
        reverse("findings:api_work_logs"),
        {"service": "nope", "done_on": "yesterday", "description": ""},
        content_type="application/json",
        **auth(token),
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"service", "done_on", "description"}


def test_a_place_is_required_and_the_future_refused(client, world, token):
    url = reverse("findings:api_work_logs")
    base = {"service": "green-spaces", "description": "x"}
    no_place = client.post(
        url, {**base, "done_on": str(world.today)}, content_type="application/json", **auth(token)
    )
    assert no_place.status_code == 400
    assert "space" in no_place.json()
    future = client.post(
        url,
        {**base, "space": "AC-0", "done_on": str(world.today + datetime.timedelta(days=2))},
        content_type="application/json",
        **auth(token),
    )
    assert future.status_code == 400
    assert "done_on" in future.json()


def test_known_issues_endpoint(client, world, token):
    world.contract.service_areas.add(world.area)  # the client's company works there
    response = client.post(
        reverse("findings:api_known_issues"),
        {
            "service": "green-spaces",
            "service_area": "Z-1",
            "since": str(world.today),
            "description": "Bomba de riego descompuesta",
            "item_code": "irrigation",
        },
        content_type="application/json",
        **auth(token),
    )
    assert response.status_code == 201, response.json()
    assert KnownIssue.objects.get().service_area == world.area


def test_no_or_revoked_token_is_refused(client, world, token):
    url = reverse("findings:api_work_logs")
    assert client.get(url).status_code in (401, 403)
    assert client.get(url, **auth("wrong")).status_code == 401
    api_client_revoke(client=ApiClient.objects.get())
    assert client.get(url, **auth(token)).status_code == 401


def test_spaces_of_another_municipality_are_unknown(client, world, token):
    from territory.tests.factories import MunicipalityFactory, PublicSpaceFactory

    other = MunicipalityFactory()
    PublicSpaceFactory(municipality=other, code="OTRO-1")
    response = client.post(
        reverse("findings:api_work_logs"),
        {
            "service": "green-spaces",
            "space": "OTRO-1",
            "done_on": str(world.today),
            "description": "x",
        },
        content_type="application/json",
        **auth(token),
    )
    assert response.status_code == 400
    assert "space" in response.json()


CSV_OK = """service,space,done_on,description,item_code,external_id
green-spaces,AC-0,{d},Corte de pasto,grass-cut,A-1
green-spaces,AC-1,{d},Riego,,A-2
"""
CSV_BAD = """service,space,done_on,description
green-spaces,AC-0,{d},Corte de pasto
green-spaces,NOPE,{d},Riego
basura,AC-1,not-a-date,Otra
"""


def test_csv_import_is_all_or_nothing_with_a_report(world):
    d = world.today - datetime.timedelta(days=1)
    bad = service_status_import(
        municipality=world.municipality, kind="work-logs", rows=read_csv(CSV_BAD.format(d=d))
    )
    assert not bad.ok
    assert [line for line, _ in bad.errors] == [3, 4]
    assert "space" in bad.errors[0][1]
    assert WorkLog.objects.count() == 0

    ok = service_status_import(
        municipality=world.municipality, kind="work-logs", rows=read_csv(CSV_OK.format(d=d))
    )
    assert (ok.ok, ok.created) == (True, 2)
    again = service_status_import(
        municipality=world.municipality, kind="work-logs", rows=read_csv(CSV_OK.format(d=d))
    )
    assert (again.created, again.skipped) == (0, 2)
    assert WorkLog.objects.count() == 2


def test_import_command(world, tmp_path, capsys):
    from django.core.management.base import CommandError

    d = world.today - datetime.timedelta(days=1)
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV_BAD.format(d=d))
    with pytest.raises(CommandError):
        call_command(
            "import_service_status",
            "work-logs",
            str(bad),
            "--municipality",
            world.municipality.slug,
        )
    assert "Line 3" in capsys.readouterr().err
    good = tmp_path / "ok.csv"
    good.write_text(CSV_OK.format(d=d))
    call_command(
        "import_service_status", "work-logs", str(good), "--municipality", world.municipality.slug
    )
    assert WorkLog.objects.count() == 2


def test_admin_upload(client, world):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    url = reverse("admin:findings_worklog_import")
    d = world.today - datetime.timedelta(days=1)
    response = client.post(
        url,
        {
            "kind": "work-logs",
            "reported_by": "directorate",
            "file": SimpleUploadedFile("bad.csv", CSV_BAD.format(d=d).encode()),
        },
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200
    assert response.context["report"].errors
    assert WorkLog.objects.count() == 0


def test_setup_schedules_is_idempotent(db):
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules")
    call_command("setup_schedules")
    assert set(PeriodicTask.objects.values_list("task", flat=True)) >= {
        "findings.tasks.reconcile_all",
        "findings.tasks.deliver_outbox",
        "findings.tasks.send_digests",
        "findings.tasks.escalate_findings",
    }
    assert PeriodicTask.objects.filter(name__startswith="findings:").count() == 4


def test_setup_schedules_registers_each_apps_sweeper_every_minute(db):
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    call_command("setup_schedules")
    call_command("setup_schedules")
    sweepers = PeriodicTask.objects.filter(interval__every=60, interval__period="seconds")
    tasks = sorted(sweepers.values_list("task", flat=True))
    assert tasks == [
        "complaints.tasks.sweep_notifications",
        "findings.tasks.deliver_outbox",
        "guardians.tasks.sweep_card_notifications",
    ]
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    assert all(task in app.tasks for task in tasks)  # names the worker knows


def test_demo_seeder_is_safe_to_run_twice(world):
    from types import SimpleNamespace

    from django_celery_beat.models import PeriodicTask

    from findings.demo import seed_findings

    context = SimpleNamespace(log=lambda message: None)
    seed_findings(context)
    logs = WorkLog.objects.count()
    seed_findings(context)
    assert logs == WorkLog.objects.count() == 2  # the contract's two spaces
    assert KnownIssue.objects.count() == 1
    assert PeriodicTask.objects.filter(name__startswith="findings:").count() == 4


# --- A client's scope: it cannot silence another company's findings ----------------------------


@pytest.fixture
def company_b(world):
    """Company B holds the contract on park 2 (company A's client must not write there)."""
    from contracts.tests.factories import CompanyFactory, ContractFactory

    company = CompanyFactory(municipality=world.municipality, legal_name="Podas del Sur SA")
    contract = ContractFactory(
        municipality=world.municipality,
        company=company,
        service_type=world.green,
        directorate=world.parks,
        start_date=world.contract.start_date,
        end_date=world.contract.end_date,
        spaces=[world.spaces[2]],
    )
    return company, contract


def post(client, name, token, **payload):
    return client.post(
        reverse(f"findings:{name}"), payload, content_type="application/json", **auth(token)
    )


def test_company_a_client_cannot_post_a_work_log_for_a_space_under_company_b(
    client, world, token, company_b
):
    response = post(
        client,
        "api_work_logs",
        token,
        service="green-spaces",
        space=world.spaces[2].code,
        done_on=str(world.today - datetime.timedelta(days=1)),
        description="Corte de pasto",
    )
    assert response.status_code == 400
    assert "Jardines del Norte SA" in " ".join(response.json()["space"])
    assert not WorkLog.objects.exists()


def test_company_a_client_cannot_post_a_known_issue_for_a_space_under_company_b(
    client, world, token, company_b
):
    response = post(
        client,
        "api_known_issues",
        token,
        service="green-spaces",
        space=world.spaces[2].code,
        since=str(world.today),
        description="Podadora descompuesta",
    )
    assert response.status_code == 400
    assert "space" in response.json()
    assert not KnownIssue.objects.exists()


def test_company_a_client_cannot_post_for_a_service_area_outside_its_contracts(
    client, world, token
):
    response = post(
        client,
        "api_known_issues",
        token,
        service="green-spaces",
        service_area=world.area.code,
        since=str(world.today),
        description="Bomba de riego descompuesta",
    )
    assert response.status_code == 400
    assert "service_area" in response.json()
    assert not KnownIssue.objects.exists()


def test_company_a_client_cannot_credit_its_work_to_company_b_contract(
    client, world, token, company_b
):
    _company, contract_b = company_b
    response = post(
        client,
        "api_work_logs",
        token,
        service="green-spaces",
        space=world.spaces[0].code,
        contract=contract_b.number,
        done_on=str(world.today - datetime.timedelta(days=1)),
        description="Corte de pasto",
    )
    assert response.status_code == 400
    assert "contract" in response.json()
    assert not WorkLog.objects.exists()


def test_company_client_may_post_for_a_space_inside_its_contracted_service_area(
    client, world, token
):
    world.contract.service_areas.add(world.area)
    response = post(
        client,
        "api_work_logs",
        token,
        service="green-spaces",
        space=world.spaces[2].code,  # in no contract's list, but inside area Z-1
        done_on=str(world.today - datetime.timedelta(days=1)),
        description="Corte de pasto",
    )
    assert response.status_code == 201, response.json()
    assert WorkLog.objects.get().space == world.spaces[2]


def test_reported_by_in_the_payload_is_ignored(client, world, token):
    response = post(
        client,
        "api_known_issues",
        token,
        service="green-spaces",
        space="AC-0",
        since=str(world.today),
        description="Podadora descompuesta",
        reported_by="directorate",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["reported_by"] == "contractor"
    assert KnownIssue.objects.get().reported_by == "contractor"


def test_two_clients_with_the_same_external_id_do_not_overwrite_each_other(client, world, token):
    other_token = api_client_issue(
        client=ApiClient(municipality=world.municipality, name="Riego SA", company=world.company)
    )
    payload = {
        "service": "green-spaces",
        "space": "AC-0",
        "done_on": str(world.today - datetime.timedelta(days=1)),
        "external_id": "OT-1",
    }
    first = post(client, "api_work_logs", token, description="Corte de pasto", **payload)
    second = post(client, "api_work_logs", other_token, description="Riego", **payload)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["id"] != first.json()["id"]
    assert sorted(WorkLog.objects.values_list("api_client__name", "description")) == [
        ("Jardines SA", "Corte de pasto"),
        ("Riego SA", "Riego"),
    ]
    # A repeat is still recognised within each client.
    again = post(client, "api_work_logs", other_token, description="Riego", **payload)
    assert (again.status_code, again.json()["id"]) == (200, second.json()["id"])


def test_work_logs_and_known_issues_posted_through_the_api_are_audited(client, world, token):
    from audit.models import AuditEntry

    log = post(
        client,
        "api_work_logs",
        token,
        service="green-spaces",
        space="AC-0",
        done_on=str(world.today - datetime.timedelta(days=1)),
        description="Corte de pasto",
        external_id="OT-1",
    ).json()
    issue = post(
        client,
        "api_known_issues",
        token,
        service="green-spaces",
        space="AC-1",
        since=str(world.today),
        description="Podadora descompuesta",
    ).json()
    # A repeat changes nothing, and records nothing.
    post(
        client,
        "api_work_logs",
        token,
        service="green-spaces",
        space="AC-0",
        done_on=str(world.today - datetime.timedelta(days=1)),
        description="Corte de pasto",
        external_id="OT-1",
    )

    entries = AuditEntry.objects.filter(object_type__in=["findings.worklog", "findings.knownissue"])
    assert sorted(entries.values_list("object_type", "object_id", "action")) == [
        ("findings.knownissue", str(issue["id"]), "create"),
        ("findings.worklog", str(log["id"]), "create"),
    ]
    assert all(e.is_system and "Jardines SA" in e.actor_name for e in entries)


def test_a_csv_import_is_one_audit_entry_listing_the_rows(world):
    from audit.models import AuditEntry

    d = world.today - datetime.timedelta(days=1)
    service_status_import(
        municipality=world.municipality, kind="work-logs", rows=read_csv(CSV_OK.format(d=d))
    )
    entry = AuditEntry.objects.get(object_type="findings.worklog")
    assert sorted(entry.changes["ids"][1]) == sorted(WorkLog.objects.values_list("pk", flat=True))
