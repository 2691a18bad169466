"""Visits and training in a headless Chromium: staff log in, go from their workspace to plan a
visit (a past date first, refused), share its public brief, which a neighbour opens logged out
on a phone; then staff record the attendance of a training session and read it in the report.
axe-core in Spanish and English on every page of the journey."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from guardians.models import TrainingAttendance, TrainingSession, Visit
from guardians.tests.conftest import make_world
from guardians.tests.factories import GuardianApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # noqa: S105 - the factories' test password


def log_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def no_serious_violations(page, axe):
    violations = axe(page)
    assert violations == [], [(v["id"], v["help"], v["nodes"][0]["html"]) for v in violations]


def no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def switch_language(page, code):
    page.select_option("#language-select", code)
    page.click(".language-switcher button[type=submit]")
    page.wait_for_load_state()


def test_plan_a_visit_share_its_brief_and_record_training_attendance(
    live_server, municipality, page, phone_page, screenshot, axe
):
    world = make_world(municipality)
    session = TrainingSession.objects.create(
        municipality=municipality,
        title="Capacitación de guardianes",
        date=timezone.localdate() - datetime.timedelta(days=2),
        place="Sindicatura",
        capacity=3,
    )
    applicant = GuardianApplicationFactory(municipality=municipality, full_name="Irma Chávez")
    base = live_server.url
    today = timezone.localdate()

    # Staff log in and land on their workspace, where "Visits and training" waits.
    log_in(page, base, world.staff.username)
    page.wait_for_url(re.compile(r"/workspace/$"))
    page.click(f"main a[href='{reverse('guardians:visit_plan')}']")
    page.wait_for_url(re.compile(r"/guardians/visits/plan/$"))

    # A date in the past: a clear error on the date, what was typed stays, nothing saved.
    page.fill("input[name=date]", (today - datetime.timedelta(days=1)).isoformat())
    page.select_option("select[name=colonia]", str(world.colonia_a.pk))
    page.fill("input[name=space_codes]", "A-0, A-1")
    page.check(f"input[name=guardians_invited][value='{world.guardian_a.pk}']")
    page.check(f"input[name=guardians_invited][value='{world.lead_a.pk}']")
    page.fill("textarea[name=public_note]", "Nos vemos en el Parque A0 a las 10:00.")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#err-date").strip()
    assert page.input_value("textarea[name=public_note]").startswith("Nos vemos")
    assert page.is_checked(f"input[name=guardians_invited][value='{world.lead_a.pk}']")
    assert not Visit.objects.exists()
    screenshot(page, "plan-past-date")
    no_serious_violations(page, axe)

    # The date fixed, the visit is planned and its brief link is there to share.
    page.fill("input[name=date]", (today + datetime.timedelta(days=3)).isoformat())
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/guardians/visits/\d+/$"))
    visit = Visit.objects.get()
    assert visit.status == Visit.Status.PLANNED
    brief_url = page.input_value("#brief-link")
    assert brief_url.endswith(visit.get_brief_url())
    whatsapp = page.get_attribute("a[href^='https://wa.me/']", "href")
    assert visit.brief_token in whatsapp
    copy = page.locator("button[data-copy]")
    assert copy.is_visible()  # the script showed it
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy.click()
    page.wait_for_function("document.querySelector('.share-status').textContent.length > 0")
    screenshot(page, "visit-planned")
    no_serious_violations(page, axe)

    # A neighbour opens the shared link on a phone, logged out.
    phone_page.goto(brief_url)
    main = phone_page.inner_text("main")
    assert "Centro" in main and "Nos vemos en el Parque A0" in main and "Parque A1" in main
    assert world.guardian_a.user.username not in main and world.staff.username not in main
    no_horizontal_overflow(phone_page)
    screenshot(phone_page, "brief-phone-es")
    no_serious_violations(phone_page, axe)
    switch_language(phone_page, "en")
    assert "Share the brief" in phone_page.inner_text("main")
    no_horizontal_overflow(phone_page)
    screenshot(phone_page, "brief-phone-en")
    no_serious_violations(phone_page, axe)

    # Back to the workspace: training sessions, the attendance checklist of the session.
    page.click("a.nav-workspace")
    page.wait_for_url(re.compile(r"/workspace/$"))
    page.click(f"main a[href='{reverse('guardians:training_list')}']")
    page.click(f"main a[href='{reverse('guardians:training_attendance', args=[session.pk])}']")
    page.wait_for_url(re.compile(r"/attendance/$"))
    # Over the capacity of 3: refused, the checks stay, nothing saved.
    for guardian in (world.guardian_a, world.guardian_a2, world.lead_a):
        page.check(f"input[name=guardians][value='{guardian.pk}']")
    page.check(f"input[name=applications][value='{applicant.pk}']")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".form-errors[role=alert]").is_visible()
    assert page.is_checked(f"input[name=applications][value='{applicant.pk}']")
    assert not TrainingAttendance.objects.exists()
    screenshot(page, "attendance-over-capacity")
    no_serious_violations(page, axe)
    page.uncheck(f"input[name=guardians][value='{world.guardian_a2.pk}']")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(rf"/guardians/training/{session.pk}/report/$"))
    assert TrainingAttendance.objects.filter(session=session).count() == 3
    table = page.inner_text("#attendance")
    assert "Irma Chávez" in table
    screenshot(page, "report-es")
    no_serious_violations(page, axe)
    switch_language(page, "en")
    assert "Sessions attended" in page.inner_text("#attendance")
    screenshot(page, "report-en")
    no_serious_violations(page, axe)

    # The plan page and the visit list in English too.
    page.click("a.nav-workspace")
    page.click(f"main a[href='{reverse('guardians:visit_list')}?status=planned&week=this']")
    page.wait_for_load_state()
    no_serious_violations(page, axe)
    screenshot(page, "visit-list-en")


def test_staff_pages_of_visits_and_training_fit_a_phone(
    live_server, municipality, phone_page, screenshot, axe
):
    from guardians import services

    world = make_world(municipality)
    services.visit_plan(
        municipality=municipality,
        date=timezone.localdate(),
        colonia=world.colonia_a,
        guardians_invited=[world.guardian_a],
        public_note="Recorrido por el parque.",
    )
    base = live_server.url
    log_in(phone_page, base, world.staff.username)
    phone_page.wait_for_url(re.compile(r"/workspace/$"))
    # The queue of the week counts the visit and opens the list it counts.
    queue = phone_page.locator("[data-queue=visits_planned_this_week] a.queue-link")
    assert queue.locator(".queue-count").inner_text().strip() == "1"
    queue.click()
    phone_page.wait_for_url(re.compile(r"/guardians/visits/\?status=planned&week=this$"))
    assert "Centro" in phone_page.inner_text("main table")
    no_horizontal_overflow(phone_page)
    screenshot(phone_page, "visit-list-phone")
    no_serious_violations(phone_page, axe)
    phone_page.click(f"main a[href='{reverse('guardians:visit_plan')}']")
    phone_page.wait_for_url(re.compile(r"/guardians/visits/plan/$"))
    no_horizontal_overflow(phone_page)
    screenshot(phone_page, "plan-phone")
    no_serious_violations(phone_page, axe)
