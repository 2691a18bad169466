import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.tests.factories import ContractFactory
from findings.models import Finding, FindingEvent
from findings.selectors import contract_compliance, space_failing_share
from findings.services import findings_reconcile
from territory.tests.factories import PublicSpaceFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def findings(world):
    world.file(**{"grass-cut": "no", "litter-removed": "no"})
    world.file(space=world.spaces[1], **{"irrigation": "no"})
    findings_reconcile(municipality=world.municipality)
    # A lighting finding for the other directorate.
    Finding.objects.create(
        municipality=world.municipality,
        kind="unreported",
        severity=2,
        service_type=world.lighting,
        space=world.spaces[2],
        item_code="dark-spots",
        item_text="Dark spots",
        directorate=world.lights,
        period_start=world.today,
        period_end=world.today,
        response_hours=72,
        due_at="2026-01-02T00:00Z",
        created_at="2026-01-01T00:00Z",
        updated_at="2026-01-01T00:00Z",
    )
    return Finding.objects.all()


def test_directorate_staff_see_only_their_directorates_findings(client, world, findings):
    client.force_login(world.parks_staff)
    response = client.get(reverse("findings:list"))
    assert response.status_code == 200
    shown = {f.pk for f in response.context["page"].object_list}
    assert shown == set(findings.filter(directorate=world.parks).values_list("pk", flat=True))
    assert len(shown) == 4
    other = findings.get(directorate=world.lights)
    assert client.get(reverse("findings:detail", args=[other.pk])).status_code == 404
    assert (
        client.post(reverse("findings:act", args=[other.pk]), {"action": "acknowledge"}).status_code
        == 404
    )


def test_the_sindicatura_sees_every_finding(client, world, findings):
    client.force_login(world.sindicatura)
    response = client.get(reverse("findings:list"))
    assert response.context["page"].paginator.count == 5


def test_guardians_and_visitors_have_no_inbox(client, world, findings):
    assert client.get(reverse("findings:list")).status_code == 302
    client.force_login(world.guardian.user)
    assert client.get(reverse("findings:list")).status_code == 403


def test_filters(client, world, findings):
    client.force_login(world.sindicatura)
    url = reverse("findings:list")
    by_kind = client.get(url, {"kind": "overdue"}).context["page"].object_list
    assert [f.kind for f in by_kind] == ["overdue"]
    by_company = client.get(url, {"company": world.company.pk}).context["page"].object_list
    assert {f.company_id for f in by_company} == {world.company.pk}
    assert len(by_company) == 4
    overdue = client.get(url, {"overdue": "true"}).context["page"].object_list
    assert [f.item_code for f in overdue] == ["dark-spots"]
    by_colonia = client.get(url, {"colonia": world.colonia.pk}).context["page"].object_list
    assert len(by_colonia) == 3


def test_list_query_count_does_not_grow_with_findings(
    client, world, findings, django_assert_max_num_queries
):
    client.force_login(world.sindicatura)
    url = reverse("findings:list")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for i in range(30):
        space = PublicSpaceFactory(
            municipality=world.municipality,
            code=f"X-{i}",
            geometry=square(-106.08 + (i // 10) * 0.003, 28.605 + (i % 10) * 0.003),
        )
        world.contract.spaces.add(space)
        world.file(space=space, **{"grass-cut": "no"})
    findings_reconcile(municipality=world.municipality)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 35


def test_staff_acknowledge_answer_with_evidence_and_resolve(client, world, findings):
    finding = findings.get(item_code="grass-cut")
    client.force_login(world.parks_staff)
    url = reverse("findings:act", args=[finding.pk])

    assert client.post(url, {"action": "acknowledge", "note": "Recibido"}).status_code == 302
    photo = SimpleUploadedFile("evidencia.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(url, {"action": "answer", "note": "Cuadrilla asignada", "attachment": photo})
    response = client.post(url, {"action": "resolve", "note": "Listo"})
    assert response.status_code == 302

    finding.refresh_from_db()
    assert finding.status == "resolved"
    event = FindingEvent.objects.get(note="Cuadrilla asignada")
    assert event.attachment.name.endswith(".pdf")
    page = client.get(finding.get_absolute_url())
    assert b"Cuadrilla asignada" in page.content
    # Resolved: the directorate can only answer now (the lead guardian verifies or reopens).
    assert [value for value, _label in page.context["actions"]] == ["answer"]


def test_invalid_transitions_are_shown_not_saved(client, world, findings):
    finding = findings.get(item_code="grass-cut")
    client.force_login(world.parks_staff)
    response = client.post(reverse("findings:act", args=[finding.pk]), {"action": "dispute"})
    assert response.status_code == 400
    assert response.context["form"].errors
    # Only the Sindicatura reopens.
    response = client.post(
        reverse("findings:act", args=[finding.pk]), {"action": "reopen", "note": "x"}
    )
    assert response.status_code == 403


def test_detail_shows_the_evidence(client, world, findings):
    from findings.service_status import work_log_create

    work_log_create(
        municipality=world.municipality,
        service_type=world.green,
        space=world.spaces[0],
        done_on=world.today - datetime.timedelta(days=10),
        description="Poda de árboles reportada",
    )
    finding = findings.get(item_code="grass-cut")
    client.force_login(world.parks_staff)
    response = client.get(finding.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["cards"]) == 1
    assert "Poda de árboles reportada" in response.content.decode()


def test_fix_rate_page_is_public(client, world, findings):
    Finding.objects.filter(item_code="grass-cut").update(status="verified")
    Finding.objects.filter(status="verified").update(
        verified_at="2026-01-05T00:00Z", created_at="2026-01-01T00:00Z"
    )
    response = client.get(reverse("findings:fix_rate"))
    assert response.status_code == 200
    parks = next(r for r in response.context["directorates"] if r.pk == world.parks.pk)
    assert (parks.findings, parks.verified, parks.median_days) == (4, 1, 4.0)
    company = response.context["companies"][0]
    assert company.rate == 25.0


def test_contract_compliance_and_space_shares(world, findings, django_assert_num_queries):
    other = ContractFactory(municipality=world.municipality, service_type=world.green)
    with django_assert_num_queries(1):
        rows = {c.pk: c for c in contract_compliance(contracts=type(other).objects.all())}
    row = rows[world.contract.pk]
    assert row.cards == 2
    assert row.failing_answers == 3
    assert row.answers == 12
    assert row.failing_share == pytest.approx(100 * 3 / 12)
    assert (row.unreported, row.contradictions, row.overdue, row.overdue_open) == (3, 0, 1, 1)
    assert row.fix_rate == 0
    assert rows[other.pk].cards == 0
    assert rows[other.pk].failing_share is None

    with django_assert_num_queries(1):
        shares = space_failing_share(spaces=world.spaces)
    assert shares == {world.spaces[0].pk: 2 / 6, world.spaces[1].pk: 1 / 6}


def test_panels_render_on_the_contract_and_company_pages(world, findings, client):
    contract_html = client.get(world.contract.get_absolute_url()).content.decode()
    company_html = client.get(world.company.get_absolute_url()).content.decode()
    assert "What citizens observed" in contract_html
    assert "What citizens observed" in company_html and "Fix rate" in company_html
    assert ">2<" in contract_html  # cards received


def test_the_findings_page_lists_the_unchecked_directorates_with_the_reason(client, world):
    from contracts.tests.factories import ObligationFactory

    # Lighting has a contract with a monthly obligation and no work-log feed.
    lighting = ContractFactory(
        municipality=world.municipality,
        company=world.company,
        service_type=world.lighting,
        directorate=world.lights,
        spaces=[world.spaces[2]],
    )
    ObligationFactory(contract=lighting, task="Revisión de luminarias", frequency_days=30)
    findings_reconcile(municipality=world.municipality)
    assert not Finding.objects.filter(kind="overdue", directorate=world.lights).exists()

    client.force_login(world.sindicatura)
    page = client.get(reverse("findings:list")).content.decode()
    section = page.split('id="unchecked-directorates"')[1].split("</ul>")[0]
    assert "Alumbrado" in section
    assert "No work-log source is configured" in section
    assert "Parques y Jardines" not in section  # it keeps work logs: checked

    # A directorate's staff read only about their own directorate.
    client.force_login(world.parks_staff)
    assert (
        'id="unchecked-directorates"' not in client.get(reverse("findings:list")).content.decode()
    )
    client.force_login(world.lights_staff)
    assert "Alumbrado" in client.get(reverse("findings:list")).content.decode()
