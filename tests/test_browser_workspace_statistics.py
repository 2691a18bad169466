"""The Sindicatura reaches the statistics from its workspace by clicking, on a desktop and a
phone, splits them by colonia, downloads the CSV; a directorate's staff see their own figures.
axe-core finds nothing serious in Spanish or English; no horizontal overflow on the phone."""

import datetime

import pytest

PASSWORD = "clave-segura-123"


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _click(page, selector):
    page.locator(selector).first.click()
    page.wait_for_load_state()


def _no_serious_violations(axe, page):
    violations = axe(page)
    assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations]


def _no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def chihuahua(db):
    from django.utils import timezone

    from committees.tests.factories import make_staff, make_user
    from complaints.models import Complaint, ComplaintUpdate
    from territory.tests.factories import (
        ColoniaFactory,
        DirectorateFactory,
        MunicipalityFactory,
        ServiceTypeFactory,
        square,
    )
    from workspace.statistics.services import statistics_refresh

    municipality = MunicipalityFactory(name="Chihuahua", is_default=True)
    green = ServiceTypeFactory(municipality=municipality, code="green", name="Áreas verdes")
    lights = ServiceTypeFactory(municipality=municipality, code="lights", name="Alumbrado")
    parks = DirectorateFactory(municipality=municipality, name="Parques y Jardines")
    parks.services.add(green)
    lighting = DirectorateFactory(municipality=municipality, name="Alumbrado Público")
    lighting.services.add(lights)
    colonias = [
        ColoniaFactory(
            municipality=municipality,
            name=name,
            geometry=square(-106.1 + n * 0.02, 28.6, 0.01),
        )
        for n, name in enumerate(["Centro", "Santa Rosa", "Cerro de la Cruz del Norte Poniente"])
    ]
    now = timezone.now()
    for n in range(24):
        service, directorate = (green, parks) if n % 3 else (lights, lighting)
        created = now - datetime.timedelta(days=20 * n + 3)
        complaint = Complaint.private_objects.create(
            municipality=municipality,
            code=f"CH{n:06d}",
            service_type=service,
            directorate=directorate,
            colonia=colonias[n % 3],
            description="Reporte",
            status="closed" if n % 4 else "received",
            source="web",
            created_at=created,
        )
        ComplaintUpdate.objects.create(complaint=complaint, status="received", created_at=created)
        if n % 4:
            ComplaintUpdate.objects.create(
                complaint=complaint,
                status="closed",
                previous_status="received",
                created_at=created + datetime.timedelta(days=n % 9 + 1),
            )
    statistics_refresh(municipality=municipality)
    make_staff(municipality=municipality, username="sindicatura")
    make_user(
        municipality=municipality,
        role="directorate_staff",
        username="parques",
        directorate=parks,
    )
    return municipality


def _journey(page, base, screenshot, axe, name):
    _login(page, base, "sindicatura")
    assert "/workspace/" in page.url
    _click(page, "a[href$='/workspace/statistics/']")
    assert page.locator("h1").inner_text() in ("Statistics", "Estadísticas")
    _no_serious_violations(axe, page)
    _click(page, "a[href$='/workspace/statistics/complaints/']")
    assert page.locator("svg[role=img] rect.chart-bar").count() > 0
    assert page.locator("table.statistics-table caption").count() == 1
    page.select_option("#id_by", "colonia")
    page.click("form.statistics-filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("table.statistics-table tbody th[scope=row]").all_inner_texts()
    assert sorted(rows) == ["Centro", "Cerro de la Cruz del Norte Poniente", "Santa Rosa"]
    assert page.locator("table.statistics-table tfoot td").first.inner_text() == "24"
    screenshot(page, f"{name}-by-colonia")
    _no_serious_violations(axe, page)
    _no_horizontal_overflow(page)
    with page.expect_download() as download:
        page.click("a[href*='/workspace/statistics/complaints.csv']")
    assert download.value.suggested_filename == "complaints-colonia.csv"
    # A bad month: a clear message beside the field, the page still there.
    # (a browser without a month picker shows a text box: type into one as its user would)
    page.evaluate("document.querySelector('#id_start').setAttribute('type', 'text')")
    page.fill("#id_start", "2026-13")
    page.click("form.statistics-filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#id_start-errors").count() == 1
    assert page.locator("table.statistics-table").count() == 1
    _no_serious_violations(axe, page)
    # The other statistics are one click away.
    _click(page, "a[href$='/workspace/statistics/time-to-close/']")
    assert page.locator("table.statistics-table tfoot td").count() == 2
    screenshot(page, f"{name}-time-to-close")
    _no_serious_violations(axe, page)
    _no_horizontal_overflow(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_reach_the_statistics_from_the_workspace(
    live_server, page, phone_page, screenshot, axe, chihuahua
):
    _journey(page, live_server.url, screenshot, axe, "desktop")
    _journey(phone_page, live_server.url, screenshot, axe, "phone")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_directorate_staff_see_their_own_figures_in_english(
    live_server, browser, screenshot, axe, chihuahua
):
    context = browser.new_context(viewport={"width": 393, "height": 851}, locale="en")
    page = context.new_page()
    try:
        _login(page, live_server.url, "parques")
        _click(page, "a[href$='/workspace/statistics/']")
        assert page.locator("h1").inner_text() == "Statistics"
        assert page.locator("a[href$='/workspace/statistics/forums/']").count() == 0
        _click(page, "a[href$='/workspace/statistics/complaints/']")
        page.select_option("#id_by", "service")
        page.click("form.statistics-filters button[type=submit]")
        page.wait_for_load_state()
        rows = page.locator("table.statistics-table tbody th[scope=row]").all_inner_texts()
        assert rows == ["Áreas verdes"]
        assert page.locator("#id_directorate").count() == 0
        screenshot(page, "directorate-en")
        _no_serious_violations(axe, page)
        _no_horizontal_overflow(page)
    finally:
        context.close()
