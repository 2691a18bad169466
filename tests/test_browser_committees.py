"""A committee member records a forum and files a need; staff bundle it into a requisition."""

import datetime

import pytest


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "clave-segura-123")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_records_forum_files_need_and_staff_requisition_it(
    live_server, page, screenshot, axe
):
    from committees.models import Forum, Need, Requisition
    from committees.tests.factories import (
        CitizenCommitteeFactory,
        InstitutionFactory,
        ProgramFactory,
        make_committee_member_user,
        make_staff,
    )
    from territory.tests.factories import ColoniaFactory, MunicipalityFactory

    municipality = MunicipalityFactory(name="Villaflores", state="Chiapas", is_default=True)
    ejido = ColoniaFactory(
        municipality=municipality, name="Nueva Independencia", is_rural=True, population=900
    )
    committee = CitizenCommitteeFactory(
        municipality=municipality,
        name="Comité de Participación Ciudadana Nueva Independencia",
        communities=[ejido],
    )
    make_committee_member_user(committee=committee, username="presidenta")
    make_staff(municipality=municipality, username="copladem")
    program = ProgramFactory(
        institution=InstitutionFactory(
            municipality=municipality, name="Comisión Nacional del Agua", acronym="CONAGUA"
        ),
        name="PROAGUA Apartado Rural",
    )
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

    # The committee's president records the forum held last week.
    _login(page, base, "presidenta")
    page.goto(base + "/participation/forums/new/")
    page.select_option("#id_kind", "debate")
    page.fill("#id_title", "Debate de acción comunitaria sobre el agua")
    held = (datetime.datetime.now() - datetime.timedelta(days=3)).strftime("%Y-%m-%dT17:00")
    page.fill("#id_starts_at", held)
    page.fill("#id_place", "Casa ejidal")
    page.select_option("#id_colonia", str(ejido.pk))
    page.select_option("#id_committee", str(committee.pk))
    page.fill("#id_agenda", "1. Abasto de agua\n2. Priorización")
    page.fill("#id_attendance_women", "34")
    page.fill("#id_attendance_men", "21")
    page.fill("#id_attendance_total", "55")
    page.fill("#id_agreements-0-description", "Solicitar apoyo a CONAGUA para el pozo")
    page.fill("#id_agreements-0-owner", "Presidenta del comité")
    screenshot(page, "forum-form")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    forum = Forum.objects.get()
    assert page.url.endswith(forum.get_absolute_url())
    assert "55 in total" in page.inner_text("main")
    screenshot(page, "forum-recorded")

    # …and files the need raised there, then prioritises it.
    page.goto(base + f"/participation/needs/new/?forum={forum.pk}")
    page.select_option("#id_colonia", str(ejido.pk))
    page.select_option("#id_category", "water")
    page.fill("#id_description", "Rehabilitación del pozo profundo y bomba sumergible")
    page.fill("#id_people_affected", "640")
    page.fill("#id_estimated_cost", "350000")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    need = Need.objects.get()
    assert need.forum == forum
    page.select_option("#id_to_status", "prioritised")
    page.fill("#id_priority", "1")
    page.click("main form[action$='/status/'] button[type=submit]")
    page.wait_for_load_state()
    need.refresh_from_db()
    assert need.status == Need.Status.PRIORITISED
    screenshot(page, "need-prioritised")
    violations = axe(page)
    assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations]
    page.click("header button.link-button")  # log out
    page.wait_for_load_state()

    # Staff bundle the need into a requisition to CONAGUA and submit it.
    _login(page, base, "copladem")
    page.goto(base + "/participation/needs/?category=water")
    assert "Rehabilitación del pozo profundo" in page.inner_text("main table")
    screenshot(page, "staff-needs")
    page.goto(base + "/participation/requisitions/new/")
    page.select_option("#id_institution", str(program.institution.pk))
    page.select_option("#id_program", str(program.pk))
    page.fill("#id_subject", "Agua potable para Nueva Independencia")
    page.check(f"input[name=needs][value='{need.pk}']")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    requisition = Requisition.objects.get()
    assert page.url.endswith(requisition.get_absolute_url())
    with page.expect_download() as download:
        page.click("text=Document (PDF)")
    assert download.value.suggested_filename == f"solicitud-{requisition.folio}.pdf"
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    requisition.refresh_from_db()
    need.refresh_from_db()
    assert requisition.status == Requisition.Status.SUBMITTED
    assert need.status == Need.Status.REQUISITIONED
    screenshot(page, "requisition-submitted")
    violations = axe(page)
    assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations]

    # The public sees the forum and the community on the equity page.
    page.goto(base + "/equity/")
    assert "Nueva Independencia" in page.inner_text("#equity-table")
    screenshot(page, "equity")
    violations = axe(page)
    assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations]
