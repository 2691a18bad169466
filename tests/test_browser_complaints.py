import re

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_citizen_files_a_complaint_with_a_pin_and_a_photo_and_follows_it(
    live_server, phone_page, screenshot, axe, tmp_path
):
    from complaints.models import Complaint
    from complaints.tests.factories import jpeg_upload
    from territory.models import ServiceType
    from territory.tests.factories import ColoniaFactory, MunicipalityFactory, ServiceTypeFactory

    municipality = MunicipalityFactory(name="Chihuahua", is_default=True)
    ColoniaFactory(municipality=municipality, name="Centro")
    lighting = ServiceTypeFactory(
        municipality=municipality,
        code="lighting",
        name="Alumbrado público",
        category=ServiceType.Category.LIGHTING,
    )
    photo = tmp_path / "lampara.jpg"
    photo.write_bytes(jpeg_upload().read())
    page = phone_page

    page.goto(live_server.url + "/complaints/new/")
    page.wait_for_selector("#complaint-map.leaflet-container")
    page.locator("#complaint-map").click(position={"x": 180, "y": 150})
    assert page.input_value("[name=lat]") != ""
    assert page.input_value("[name=lon]") != ""
    page.select_option("[name=service_type]", label="Alumbrado público")
    # The service's question (complaints.ServiceQuestion), shown once the service is chosen.
    page.select_option(f"[name='q{lighting.pk}-lamp_condition']", "off")
    page.fill("[name=description]", "La lámpara de la esquina no enciende por la noche")
    page.set_input_files("[name=photos]", str(photo))
    screenshot(page, "form")
    violations = axe(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]
    page.click("#complaint-form button[type=submit]")
    page.wait_for_url(re.compile(r"/complaints/[A-Z0-9]{8}/$"))

    complaint = Complaint.private_objects.get()
    assert complaint.location is not None and complaint.photos.count() == 1
    assert complaint.attributes == {"lamp_condition": "off"}
    assert page.inner_text(".tracking-code") == complaint.code
    screenshot(page, "tracking")

    page.goto(live_server.url + "/complaints/")
    page.fill("[name=code]", complaint.code.lower())
    page.click("form[action='/complaints/track/'] button")
    page.wait_for_url(re.compile(complaint.code))
    assert page.locator("[data-status]").get_attribute("data-status") == "received"
    assert page.locator("img[src*='/media/complaints/']").count() == 1
    screenshot(page, "followed")
