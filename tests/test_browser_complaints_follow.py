import re

import pytest


@pytest.fixture(autouse=True)
def _celery_eager():
    """The confirmation e-mail is sent by a task: run it in the live server's process even
    where REDIS_URL configures a real broker (no worker runs in the tests)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_second_citizen_follows_the_complaint_next_to_their_pin_instead_of_filing_it(
    live_server, phone_page, screenshot, axe
):
    from django.core import mail

    from complaints.models import Complaint, ComplaintFollower
    from complaints.tests.factories import make_complaint
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
    # Filed by a first citizen at the map's default centre, where the second one taps.
    existing = make_complaint(municipality=municipality, service_type=lighting)
    page = phone_page

    page.goto(live_server.url + "/complaints/new/")
    page.wait_for_selector("#complaint-map.leaflet-container")
    page.select_option("[name=service_type]", label="Alumbrado público")
    page.locator("#complaint-map").click()
    assert page.input_value("[name=lat]") != ""
    follow_button = page.locator(f"#nearby button[form='follow-{existing.code}']")
    follow_button.wait_for()
    assert existing.code in page.inner_text("#nearby")
    page.fill(f"#follow-{existing.code}-email", "segunda.vecina@example.org")
    page.check(f"#follow-{existing.code}-accept")
    follow_button.scroll_into_view_if_needed()
    screenshot(page, "offer")
    violations = axe(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    follow_button.click()
    page.wait_for_url(re.compile(rf"/complaints/{existing.code}/$"))
    # Double opt-in: nothing stored until the link e-mailed to the address is confirmed.
    assert not ComplaintFollower.objects.exists()
    assert page.locator(".messages .success").is_visible()
    (message,) = mail.outbox
    assert message.to == ["segunda.vecina@example.org"]
    (link,) = re.findall(r"(/complaints/\S+/follow/confirm/\S+/)", message.body)
    page.goto(live_server.url + link)
    assert not ComplaintFollower.objects.exists()
    screenshot(page, "confirm")
    violations = axe(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/complaints/{existing.code}/$"))

    follower = ComplaintFollower.objects.get()
    assert follower.complaint_id == existing.pk and follower.email == "segunda.vecina@example.org"
    assert Complaint.private_objects.count() == 1  # no duplicate filed
    assert page.locator(".messages .success").is_visible()
    assert existing.code in page.inner_text(".messages .success")
    assert page.locator("[data-followers]").get_attribute("data-followers") == "1"
    assert "segunda.vecina@example.org" not in page.content()
    screenshot(page, "followed")
    violations = axe(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
