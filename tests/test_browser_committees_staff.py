"""Staff assign a civil employee, who logs the forum they ran; staff record the delivery that
answers the community's approved need and the public sees it on the equity page."""

import pytest


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "clave-segura-123")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _no_serious_violations(axe, page):
    violations = axe(page)
    assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_employee_logs_activity_and_staff_record_an_allocation_seen_on_equity(
    live_server, page, screenshot, axe
):
    from django.utils import timezone

    from committees.models import Activity, Allocation, Assignment, Need
    from committees.tests.factories import (
        CitizenCommitteeFactory,
        NeedFactory,
        PublicWorkFactory,
        make_civil_employee_user,
        make_staff,
    )
    from territory.tests.factories import ColoniaFactory, MunicipalityFactory

    today = timezone.localdate().isoformat()
    municipality = MunicipalityFactory(name="Villaflores", state="Chiapas", is_default=True)
    ejido = ColoniaFactory(
        municipality=municipality, name="Ejido Jesús María Garza", is_rural=True, population=700
    )
    committee = CitizenCommitteeFactory(
        municipality=municipality,
        name="Comité de Participación Ciudadana Jesús María Garza",
        communities=[ejido],
    )
    need = NeedFactory(
        municipality=municipality,
        colonia=ejido,
        committee=committee,
        category="housing",
        description="Techos de lámina para 40 viviendas dañadas por la tormenta",
        status=Need.Status.APPROVED,
        priority=1,
    )
    employee_user = make_civil_employee_user(municipality=municipality, username="promotora")
    employee = employee_user.civil_employee
    make_staff(municipality=municipality, username="copladem")
    work = PublicWorkFactory(municipality=municipality, name="Camino al Ejido Jesús María Garza")
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    # Staff assign the civil employee to the ejido.
    _login(page, base, "copladem")
    page.goto(base + "/participation/employees/")
    page.select_option("#id_employee", str(employee.pk))
    page.select_option("#id_colonia", str(ejido.pk))
    page.fill("#id_starts_on", today)
    page.click("main form[action$='/assignments/new/'] button[type=submit]")
    page.wait_for_load_state()
    assert Assignment.objects.filter(employee=employee, colonia=ejido).exists()
    assert "Ejido Jesús María Garza" in page.inner_text("#employees")
    screenshot(page, "employees")
    _no_serious_violations(axe, page)
    page.click("header button.link-button")  # log out
    page.wait_for_load_state()

    # The civil employee sees the assignment and logs the forum they ran there.
    _login(page, base, "promotora")
    page.goto(base + "/participation/")
    assert "Ejido Jesús María Garza" in page.inner_text("#my-assignments")
    page.click("text=Log an activity")
    page.wait_for_load_state()
    page.fill("#id_done_on", today)
    page.select_option("#id_colonia", str(ejido.pk))
    page.select_option("#id_kind", "campaign")
    page.fill("#id_description", "Perifoneo y volanteo sobre el foro de planeación")
    page.fill("#id_people_reached", "0")
    page.fill("#id_people_reached", "-4")
    screenshot(page, "activity-form")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert not Activity.objects.exists()
    assert "greater than or equal to 0" in page.inner_text("main")
    page.fill("#id_people_reached", "120")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    activity = Activity.objects.get()
    assert (activity.colonia, activity.people_reached) == (ejido, 120)
    assert "120 people reached" in page.inner_text("#my-activities")
    screenshot(page, "activity-logged")
    _no_serious_violations(axe, page)
    page.click("header button.link-button")
    page.wait_for_load_state()

    # Staff record the delivery of the roofing that answers the approved need.
    _login(page, base, "copladem")
    page.goto(base + "/participation/allocations/new/")
    page.select_option("#id_colonia", str(ejido.pk))
    page.select_option("#id_need", str(need.pk))
    page.select_option("#id_committee", str(committee.pk))
    page.fill("#id_item", "Lámina galvanizada calibre 26")
    page.fill("#id_quantity", "-10")
    page.fill("#id_unit", "pieza")
    page.fill("#id_value", "96000")
    page.fill("#id_delivered_on", today)
    page.select_option("#id_source", "state")
    page.select_option("#id_work", str(work.pk))
    page.fill("#id_signed_by", "Presidenta del comité")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "The quantity must be more than zero." in page.inner_text("main")
    assert not Allocation.objects.exists()
    screenshot(page, "allocation-error")
    page.fill("#id_quantity", "400")
    page.check("#id_completes_need")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    allocation = Allocation.objects.get()
    need.refresh_from_db()
    assert page.url.endswith("/participation/allocations/")
    assert need.status == Need.Status.DELIVERED and allocation.committee == committee
    assert "Lámina galvanizada calibre 26" in page.inner_text("#allocations")
    screenshot(page, "allocations")
    _no_serious_violations(axe, page)

    # The public equity page counts it, and the need as met.
    page.click("header button.link-button")
    page.wait_for_load_state()
    page.goto(base + "/equity/")
    row = page.locator("#equity-table tr", has_text="Ejido Jesús María Garza")
    assert "96,000.00" in row.inner_text()
    screenshot(page, "equity")
    _no_serious_violations(axe, page)
