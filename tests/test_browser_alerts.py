"""Following a place, on a phone: from a space's page, sign up, open the e-mailed link,
confirm; the "Has it been fixed?" answer page. Screenshots, axe in es-MX and en."""

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


def _no_violations(axe, page):
    violations = axe(page)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def _no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_neighbour_follows_a_park_from_its_page_on_a_phone(
    live_server, phone_page, screenshot, axe
):
    from django.core import mail

    from alerts.models import Subscription
    from territory.tests.factories import ColoniaFactory, MunicipalityFactory, PublicSpaceFactory

    municipality = MunicipalityFactory(name="Chihuahua", is_default=True)
    ColoniaFactory(municipality=municipality, name="Centro")
    space = PublicSpaceFactory(municipality=municipality, code="AC-Z11-0007", name="Parque Lerdo")
    page = phone_page

    page.goto(live_server.url + space.get_absolute_url())
    follow = page.locator(f'a[href="/alerts/follow/spaces/{space.code}/"]')
    follow.scroll_into_view_if_needed()
    box = follow.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    feed = page.locator("a.feed-link")
    assert feed.get_attribute("href") == f"/alerts/spaces/{space.code}/feed/"
    assert feed.bounding_box()["height"] >= 44
    screenshot(page, "space-page")
    _no_violations(axe, page)
    follow.click()
    page.wait_for_url(re.compile(r"/alerts/follow/spaces/AC-Z11-0007/$"))

    # A typo first: a message on the field, what was typed kept, nothing sent.
    page.fill("#id_email", "vecina@example")
    page.check("#id_accept_privacy_notice")
    page.locator("form.follow-place-form button[type=submit]").click()
    assert page.locator("#id_email-errors").is_visible()
    assert page.input_value("#id_email") == "vecina@example"
    assert mail.outbox == []
    _no_horizontal_overflow(page)
    screenshot(page, "form-error")
    _no_violations(axe, page)

    page.fill("#id_email", "vecina@example.org")
    page.check("#id_accept_privacy_notice")
    page.locator("form.follow-place-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/spaces/AC-Z11-0007/$"))
    assert "Parque Lerdo" in page.inner_text(".messages .success")
    assert Subscription.objects.count() == 0
    screenshot(page, "link-sent")

    # The e-mailed link: opening it creates nothing; the button confirms.
    (message,) = mail.outbox
    (link,) = re.findall(r"(/alerts/confirm/\S+/)", message.body)
    page.goto(live_server.url + link)
    assert Subscription.objects.count() == 0
    _no_horizontal_overflow(page)
    screenshot(page, "confirm")
    _no_violations(axe, page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/spaces/AC-Z11-0007/$"))
    assert "Parque Lerdo" in page.inner_text(".messages .success")
    subscription = Subscription.objects.get()
    assert subscription.email == "vecina@example.org" and subscription.space == space
    screenshot(page, "confirmed")
    _no_violations(axe, page)

    # The same pages in English.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + space.get_absolute_url())
    page.get_by_role("link", name="Follow this place").click()
    page.wait_for_url(re.compile(r"/alerts/follow/spaces/AC-Z11-0007/$"))
    screenshot(page, "form-en")
    _no_violations(axe, page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_reporter_says_it_has_not_been_fixed_on_a_phone(
    live_server, phone_page, screenshot, axe
):
    from django.core import mail

    from complaints.models import Complaint
    from complaints.services import complaint_change_status
    from complaints.tests.factories import make_complaint
    from territory.tests.factories import ColoniaFactory, MunicipalityFactory, ServiceTypeFactory

    municipality = MunicipalityFactory(name="Chihuahua", is_default=True)
    ColoniaFactory(municipality=municipality, name="Centro")
    lighting = ServiceTypeFactory(municipality=municipality, code="lighting", name="Alumbrado")
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    complaint_change_status(complaint=complaint, status="resolved", note="Lámpara cambiada")
    (link,) = [
        match for m in mail.outbox for match in re.findall(r"(/complaints/fixed/\S+/)", m.body)
    ]
    page = phone_page

    page.goto(live_server.url + link)
    _no_horizontal_overflow(page)
    screenshot(page, "question")
    _no_violations(axe, page)
    page.check("#id_fixed_1")  # "no"
    page.fill("#id_comment", "Sigue apagada")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/complaints/{complaint.code}/$"))
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.RECEIVED
    screenshot(page, "reopened")
    _no_violations(axe, page)
    page.goto(live_server.url + link)
    assert page.locator("[role=status]").is_visible()
    screenshot(page, "answered")
