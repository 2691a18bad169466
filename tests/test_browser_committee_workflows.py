"""Program staff close a forum, record a COPLADEM session and mark its agreement done, register a
committee and download its certificate; a neighbour verifies the certificate on a phone; the
committee's president reports the progress of the work it executes."""

import datetime
import io
import re

import pytest

PASSWORD = "clave-segura-123"


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _no_serious_violations(axe, page):
    violations = axe(page)
    assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations]


def _workspace(page):
    page.click("a.nav-workspace")
    page.wait_for_load_state()


def _click(page, name):
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_load_state()


def _png_bytes():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "orange").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def villaflores(db):
    from django.utils import timezone

    from committees.models import CitizenCommittee
    from committees.tests.factories import (
        CitizenCommitteeFactory,
        ForumFactory,
        PlanningCommitteeFactory,
        PublicWorkFactory,
        make_committee_member_user,
        make_staff,
    )
    from territory.tests.factories import ColoniaFactory, MunicipalityFactory

    municipality = MunicipalityFactory(name="Villaflores", state="Chiapas", is_default=True)
    ejido = ColoniaFactory(municipality=municipality, name="Nueva Independencia", is_rural=True)
    committee = CitizenCommitteeFactory(
        municipality=municipality,
        name="Comité de Participación Ciudadana Nueva Independencia",
        communities=[ejido],
        status=CitizenCommittee.Status.IN_FORMATION,
        assembly_date=None,
    )
    forum = ForumFactory(
        municipality=municipality,
        colonia=ejido,
        committee=committee,
        title="Debate de acción comunitaria sobre el agua",
        starts_at=timezone.now() - datetime.timedelta(days=2),
        capacity=60,
        attendance_women=0,
        attendance_men=0,
        attendance_total=0,
    )
    PlanningCommitteeFactory(municipality=municipality, name="COPLADEM Villaflores")
    roblar = CitizenCommitteeFactory(
        municipality=municipality,
        name="Comité de Participación Ciudadana El Roblar",
        communities=[ColoniaFactory(municipality=municipality, name="El Roblar")],
    )
    work = PublicWorkFactory(
        municipality=municipality,
        name="Pavimentación del camino a El Roblar",
        executing_committee=roblar,
    )
    make_staff(municipality=municipality, username="copladem")
    make_committee_member_user(committee=roblar, username="presidenta")
    return {"committee": committee, "forum": forum, "work": work}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_close_forum_follow_agreement_and_certify_a_committee(
    live_server, page, phone_page, screenshot, axe, villaflores
):
    from django.utils import timezone
    from pypdf import PdfReader

    from committees.models import Agreement, PlanningSession, RegistrationCertificate

    committee, forum = villaflores["committee"], villaflores["forum"]
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    _login(page, base, "copladem")
    if "/workspace/" not in page.url:
        _workspace(page)
    screenshot(page, "workspace")
    assert "COPLADEM agreements due or overdue" in page.inner_text("main")

    # Close the forum held two days ago: first with more people than the place holds.
    page.locator("main a[href='/participation/forums/to-close/']").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name=re.compile("^Close")).first.click()
    page.wait_for_load_state()
    page.fill("#id_attendance_women", "40")
    page.fill("#id_attendance_men", "30")
    page.fill("#id_summary", "Se priorizó la rehabilitación del pozo profundo.")
    page.fill("#id_agreements-0-description", "Gestionar el pozo ante CONAGUA")
    page.fill("#id_agreements-0-owner", "Presidenta del comité")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "70 people attended but the place holds 60" in page.inner_text("main")
    assert page.input_value("#id_attendance_women") == "40"
    screenshot(page, "forum-over-capacity")
    _no_serious_violations(axe, page)
    page.fill("#id_attendance_men", "15")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(forum.get_absolute_url())
    assert "40 women, 15 men, 55 in total" in page.inner_text("main")
    forum.refresh_from_db()
    assert forum.closed_at is not None and forum.agreements.count() == 1

    # Record a COPLADEM session; an agreement without a responsible person is refused.
    _workspace(page)
    _click(page, "Record a COPLADEM session")
    page.fill("#id_held_on", timezone.localdate().isoformat())
    page.fill("#id_place", "Sala de Cabildo")
    page.fill("#id_agenda", "1. Priorización de obras")
    page.fill("#id_attendance", "18")
    page.fill("#id_minutes_text", "Se aprobó la propuesta de obras del ejercicio.")
    page.fill("#id_agreements-0-description", "Integrar el padrón de obras priorizadas")
    due = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    page.fill("#id_agreements-0-due_on", due)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Say who is responsible for the agreement." in page.inner_text("main")
    assert not PlanningSession.objects.exists()
    page.fill("#id_agreements-0-owner", "Secretaría Técnica")
    screenshot(page, "session-form")
    _no_serious_violations(axe, page)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Integrar el padrón de obras priorizadas" in page.inner_text("#agreements")

    # Follow the agreement from the workspace queue and mark it done with a photo.
    _workspace(page)
    page.get_by_role("link", name=re.compile("COPLADEM agreements due or overdue")).first.click()
    page.wait_for_load_state()
    assert "Integrar el padrón de obras priorizadas" in page.inner_text("#agreements")
    screenshot(page, "agreements-due")
    _no_serious_violations(axe, page)
    page.get_by_role("link", name=re.compile("^Mark done")).first.click()
    page.wait_for_load_state()
    page.fill("#id_note", "Se entregó el padrón al Cabildo.")
    page.set_input_files(
        "#id_evidence", {"name": "padron.png", "mimeType": "image/png", "buffer": _png_bytes()}
    )
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    agreement = Agreement.objects.get(session__isnull=False)
    assert agreement.done and agreement.done_evidence

    # Register the committee: a certificate before the registration is refused.
    _workspace(page)
    _click(page, "Committee registrations")
    row = page.locator(f"#committee-{committee.pk}")
    row.get_by_role("button", name=re.compile("^Issue certificate")).click()
    page.wait_for_load_state()
    assert "is not registered" in page.inner_text(".messages")
    assert not RegistrationCertificate.objects.exists()
    page.locator(f"#committee-{committee.pk}").get_by_role(
        "link", name=re.compile("^Register")
    ).click()
    page.wait_for_load_state()
    today = timezone.localdate()
    page.fill("#id_assembly_date", (today - datetime.timedelta(days=10)).isoformat())
    page.fill("#id_assembly_place", "Casa ejidal")
    page.fill("#id_assembly_attendance", "64")
    page.fill("#id_registration_number", "CPC-VFL-2025-031")
    page.fill("#id_registered_on", today.isoformat())
    page.fill("#id_officers-0-full_name", "Rosa Gómez Toledo")
    page.fill("#id_officers-1-full_name", "Juan Pérez Cruz")
    page.fill("#id_officers-2-full_name", "Elvia Grajales Ruiz")
    screenshot(page, "registration-form")
    _no_serious_violations(axe, page)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    row = page.locator(f"#committee-{committee.pk}")
    row.get_by_role("button", name=re.compile("^Issue certificate")).click()
    page.wait_for_load_state()
    screenshot(page, "registrations")
    _no_serious_violations(axe, page)
    with page.expect_download() as download:
        page.locator(f"#committee-{committee.pk}").get_by_role(
            "link", name=re.compile("^Download certificate")
        ).click()
    reader = PdfReader(download.value.path())
    text = " ".join(p.extract_text() for p in reader.pages)
    certificate = RegistrationCertificate.objects.get()
    assert "CONSTANCIA DE REGISTRO" in text and "CPC-VFL-2025-031" in text
    assert certificate.code in text and reader.pages[0].images
    verify_path = re.search(r"/committees/verify/[\w-]+/", text).group(0)
    assert verify_path == certificate.get_absolute_url()
    # The same pages in Spanish.
    page.context.add_cookies([{"name": "django_language", "value": "es-mx", "url": base}])
    page.reload()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es-mx"
    screenshot(page, "registrations-es")
    _no_serious_violations(axe, page)
    _workspace(page)
    page.locator("main a[href='/participation/copladem/agreements/?show=pending']").click()
    page.wait_for_load_state()
    page.locator("main a[href='?show=done']").click()
    page.wait_for_load_state()
    assert "Integrar el padrón de obras priorizadas" in page.inner_text("#agreements")
    screenshot(page, "agreements-done-es")
    _no_serious_violations(axe, page)
    page.click("header button.link-button")  # log out
    page.wait_for_load_state()

    # A neighbour scans the QR code with a phone, logged out, in Spanish.
    phone_page.goto(base + verify_path)
    assert "Válida" in phone_page.inner_text("main") or "Valid" in phone_page.inner_text("main")
    assert "CPC-VFL-2025-031" in phone_page.inner_text("main")
    assert committee.name in phone_page.inner_text("main")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"]
    screenshot(phone_page, "verify-phone")
    _no_serious_violations(axe, phone_page)
    response = phone_page.goto(base + "/committees/verify/no-such-code/")
    assert response.status == 404
    screenshot(phone_page, "verify-unknown-phone")
    _no_serious_violations(axe, phone_page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_executing_committee_reports_progress_on_a_phone(
    live_server, phone_page, screenshot, axe, villaflores
):
    from committees.models import WorkProgress

    base = live_server.url
    page = phone_page
    page.context.add_cookies([{"name": "django_language", "value": "es-mx", "url": base}])
    _login(page, base, "presidenta")
    if "/workspace/" not in page.url:
        _workspace(page)
    screenshot(page, "member-workspace")
    _no_serious_violations(axe, page)
    # Spanish labels come with the catalogue: the link is found by where it leads.
    page.locator("main a[href='/participation/works/']").first.click()
    page.wait_for_load_state()
    screenshot(page, "member-works")
    _no_serious_violations(axe, page)
    page.locator("#works-to-report a.button").first.click()
    page.wait_for_load_state()
    page.fill("#id_percent", "35")
    page.fill("#id_note", "Terracerías concluidas")
    page.set_input_files(
        "#id_photo", {"name": "obra.png", "mimeType": "image/png", "buffer": _png_bytes()}
    )
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    report = WorkProgress.objects.get()
    assert report.reported_by_committee.name == "Comité de Participación Ciudadana El Roblar"
    assert "Comité de Participación Ciudadana El Roblar" in page.inner_text(
        f"#work-{villaflores['work'].pk}"
    )
    screenshot(page, "work-list-reported")
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 8)"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], wide
    _no_serious_violations(axe, page)
