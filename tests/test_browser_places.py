"""Acting from where you stand, on a phone: a space's page, "Report a problem here" with the
service and its questions prefilled, the complaint filed on the space; the colonia's page and
an area's page. Screenshots; axe in es-MX and en; no horizontal overflow; 44 px targets."""

import datetime
import re

import pytest


def _no_violations(axe, page):
    violations = axe(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def _no_horizontal_overflow(page):
    # Against the device's width: a mobile browser widens its layout viewport (innerWidth)
    # to fit content that overflows.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width


def _tappable(locator):
    box = locator.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box


def _world():
    from committees.tests.factories import CitizenCommitteeFactory, NeedFactory, PublicWorkFactory
    from complaints.models import ServiceQuestion, ServiceQuestionChoice
    from contracts.tests.factories import CompanyFactory, ContractFactory
    from territory.models import ServiceType
    from territory.tests.factories import (
        ColoniaFactory,
        MunicipalityFactory,
        PublicSpaceFactory,
        ServiceAreaFactory,
        ServiceTypeFactory,
    )
    from territory.tests.test_place_pages import inside

    municipality = MunicipalityFactory(name="Chihuahua", is_default=True)
    colonia = ColoniaFactory(municipality=municipality, name="Centro")
    green = ServiceTypeFactory(
        municipality=municipality, code="green-spaces", name="Mantenimiento de áreas verdes"
    )
    ServiceTypeFactory(
        municipality=municipality,
        code="lighting",
        name="Alumbrado público",
        category=ServiceType.Category.LIGHTING,
    )
    # A question staff added in the admin for green spaces.
    question = ServiceQuestion.objects.create(
        service_type=green,
        code="problem",
        description="¿Qué problema hay?",
        datatype="singlevaluelist",
        required=True,
    )
    for order, (key, name) in enumerate(
        [("grass", "Pasto crecido"), ("litter", "Basura"), ("irrigation", "Riego")], start=1
    ):
        ServiceQuestionChoice.objects.create(question=question, key=key, name=name, order=order)
    space = PublicSpaceFactory(
        municipality=municipality,
        code="AC-Z11-0007",
        name="Parque Lerdo",
        geometry=inside(colonia),  # whatever the factory's sequence
    )
    today = datetime.date.today()
    company = CompanyFactory(municipality=municipality, legal_name="Jardines del Norte SA de CV")
    ContractFactory(
        municipality=municipality,
        company=company,
        service_type=green,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=300),
    ).spaces.add(space)
    area = ServiceAreaFactory(municipality=municipality, name="Ruta 12 Centro")
    committee = CitizenCommitteeFactory(
        municipality=municipality, name="Comité Centro", communities=[colonia]
    )
    NeedFactory(municipality=municipality, colonia=colonia, committee=committee)
    PublicWorkFactory(municipality=municipality, name="Rehabilitación del Parque Lerdo")
    from committees.models import PublicWork

    PublicWork.objects.get().communities.add(colonia)
    return space, colonia, area, question


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_neighbour_reports_from_a_park_and_reads_the_colonia_on_a_phone(
    live_server, phone_page, screenshot, axe
):
    from complaints.models import Complaint

    space, colonia, area, question = _world()
    page = phone_page

    page.goto(live_server.url + space.get_absolute_url())
    report = page.locator("#report-here")
    _tappable(report)
    _tappable(page.locator("#join-here"))
    assert "Jardines del Norte" in page.inner_text("#responsible")
    _no_horizontal_overflow(page)
    screenshot(page, "space")
    _no_violations(axe, page)

    report.click()
    page.wait_for_url(re.compile(r"/complaints/new/\?space=AC-Z11-0007$"))
    page.wait_for_selector("#complaint-map.leaflet-container")
    service_id = str(question.service_type_id)
    assert page.input_value("[name=service_type]") == service_id
    assert page.input_value("[name=lat]") != "" and page.input_value("[name=lon]") != ""
    assert "Parque Lerdo" in page.inner_text(".reporting-at")
    # Only the chosen service's questions are shown.
    visible = page.locator(".service-questions:visible")
    assert visible.count() == 1 and visible.get_attribute("data-service") == service_id
    select = page.locator(f"[name='q{service_id}-problem']")
    assert select.is_visible()

    # Sent without the answer: the error is on the question, what was typed stays.
    page.fill("[name=description]", "El pasto está muy crecido junto a los juegos")
    page.click("#complaint-form button[type=submit]")
    page.wait_for_selector(f"#id_q{service_id}-problem-errors")
    assert not Complaint.private_objects.exists()
    assert "juegos" in page.input_value("[name=description]")
    _no_horizontal_overflow(page)
    screenshot(page, "form-error")
    _no_violations(axe, page)

    page.select_option(f"[name='q{service_id}-problem']", "grass")
    screenshot(page, "form")
    page.click("#complaint-form button[type=submit]")
    page.wait_for_url(re.compile(r"/complaints/[A-Z0-9]{8}/$"))
    complaint = Complaint.private_objects.get()
    assert complaint.space == space and complaint.attributes == {"problem": "grass"}

    # Back on the park's page, its colonia.
    page.goto(live_server.url + space.get_absolute_url())
    assert complaint.code in page.inner_text("#place-complaints")
    page.click(f"a[href='/colonias/{colonia.pk}/']")
    page.wait_for_url(re.compile(rf"/colonias/{colonia.pk}/$"))
    page.wait_for_selector("#space-map.leaflet-container")
    assert page.locator("#space-map").get_attribute("data-point-count") == "1"
    text = page.inner_text("main")
    assert "Parque Lerdo" in text and "Ruta 12 Centro" in text and "Comité Centro" in text
    assert "Rehabilitación del Parque Lerdo" in text
    _no_horizontal_overflow(page)
    screenshot(page, "colonia")
    _no_violations(axe, page)

    page.click(f"a[href='/areas/{area.pk}/']")
    page.wait_for_url(re.compile(rf"/areas/{area.pk}/$"))
    _tappable(page.locator("#report-here"))
    _no_horizontal_overflow(page)
    screenshot(page, "area")
    _no_violations(axe, page)

    # The same pages in English.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    for name, path in (
        ("space-en", space.get_absolute_url()),
        ("colonia-en", f"/colonias/{colonia.pk}/"),
        ("form-en", f"/complaints/new/?space={space.code}"),
    ):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.lang") == "en"
        _no_horizontal_overflow(page)
        screenshot(page, name)
        _no_violations(axe, page)
