"""The loop in a real browser: a guardian's card raises a finding, the directorate acknowledges
and resolves it in its inbox, the lead guardian is asked to check, their follow-up card
verifies it, and the public fix rate shows it."""

import pytest
from django.core import mail

PASSWORD = "secret-pass-123"  # guardians' UserFactory


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _logout(page):
    page.click("header form[action$='logout/'] button")
    page.wait_for_load_state()


@pytest.fixture
def eager():
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_finding_loop_to_verification(live_server, page, screenshot, axe, eager):
    from findings.models import Finding
    from findings.services import findings_reconcile
    from findings.tests.world import build_world
    from territory.tests.factories import MunicipalityFactory

    municipality = MunicipalityFactory(is_default=True, name="Chihuahua")
    world = build_world(municipality)
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    # A guardian reports that the grass of Parque 0 was not cut (hooks run on commit).
    world.file(**{"grass-cut": "no"})
    findings_reconcile(municipality=municipality)  # the nightly run adds the overdue mowing
    finding = Finding.objects.get(item_code="grass-cut")
    assert any(m.to == ["parques@example.org"] for m in mail.outbox)

    # The directorate's staff find it in their inbox.
    _login(page, base, "parques")
    page.goto(base + "/findings/")
    row = page.locator("tbody tr", has_text="Parque 0")
    assert row.count() == 1
    assert "Unreported failure" in row.inner_text()
    assert "Notified" in row.inner_text()
    screenshot(page, "inbox")
    assert axe(page) == []

    # Filter: overdue-obligation findings only.
    page.select_option("#id_kind", "overdue")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("tbody tr").count() == 1
    assert "Obligation overdue" in page.locator("tbody").inner_text()

    page.goto(base + finding.get_absolute_url())
    assert "Evidence: surveillance cards" in page.content()
    page.select_option("#id_action", "acknowledge")
    page.fill("#id_note", "Cuadrilla asignada para el jueves")
    page.click("main form.form button[type=submit]")
    page.wait_for_load_state()
    assert "Acknowledged" in page.locator("main").inner_text()
    page.select_option("#id_action", "resolve")
    page.fill("#id_note", "Pasto cortado")
    page.click("main form.form button[type=submit]")
    page.wait_for_load_state()
    assert "Resolved" in page.locator("main p .badge").inner_text()
    screenshot(page, "resolved")
    assert axe(page) == []
    _logout(page)

    # The lead guardian is asked to check, in the app and by e-mail.
    assert any(m.to == [world.lead.user.email] for m in mail.outbox)
    _login(page, base, world.lead.user.username)
    page.goto(base + "/findings/messages/")
    assert "Please check" in page.locator("main").inner_text()
    assert page.locator("main a", has_text="File a follow-up card").count() == 1
    screenshot(page, "lead-inbox")
    assert axe(page) == []
    _logout(page)

    # Their follow-up card finds the grass cut: verified.
    world.file(guardian=world.lead, days_ago=0)
    finding.refresh_from_db()
    assert finding.status == "verified"

    _login(page, base, "parques")
    page.goto(base + finding.get_absolute_url())
    assert "Verified fixed" in page.locator("main p .badge").inner_text()
    assert "confirms it was fixed" in page.locator("main").inner_text()
    _logout(page)

    # The public fix rate.
    page.goto(base + "/fix-rate/")
    directorates = page.locator("section", has_text="By directorate")
    parks_row = directorates.locator("tr", has_text="Parques y Jardines")
    assert "1" in parks_row.inner_text()
    assert "50 %" in parks_row.inner_text()  # 1 of 2 findings (the overdue mowing is open)
    screenshot(page, "fix-rate")
    assert axe(page) == []
