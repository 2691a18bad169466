"""Staff follow a transparency request on a phone: from the workspace's queue to the request,
its filing recorded; the public contract page shows the citizens' review and the request."""

import datetime

import pytest

from accounts.models import Role
from accounts.services import user_create
from reviews import requests
from reviews.constants import Answer
from reviews.tests.request_world import contract_with_review

PASSWORD = "clave-segura-123"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_file_a_request_on_a_phone_and_the_public_sees_it(
    live_server, phone_page, screenshot, axe, municipality
):
    staff = user_create(
        username="sindica",
        password=PASSWORD,
        municipality=municipality,
        roles=[Role.MUNICIPAL_STAFF],
        is_staff=True,
    )
    contract, review = contract_with_review(
        municipality,
        user=staff,
        answers={"guarantees": Answer.NOT_FOUND},
        observations=[("guarantees", "No se encontró la póliza de fianza.")],
    )
    requests.draft_request(review.observations.get(), user=staff)
    page, base = phone_page, live_server.url

    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", "sindica")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.get_by_role("link", name="Todas las solicitudes de transparencia").click()
    page.wait_for_url("**/transparency-requests/")
    page.get_by_role("link", name=contract.number).click()
    page.wait_for_url("**/transparency-requests/*/")
    assert page.locator("pre.request-text").inner_text().startswith("A la Unidad de Transparencia")
    assert axe(page) == []
    screenshot(page, "request")

    today = datetime.date.today()
    page.fill("input[name=file-folio]", "080197600012326")
    page.fill("input[name=file-filed_on]", today.isoformat())
    page.get_by_role("button", name="Guardar la presentación").click()
    page.wait_for_load_state()
    due = requests.due_date(today)
    assert due.isoformat() in page.locator("dl.facts").inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
    screenshot(page, "filed")

    page.goto(base + "/contracts/")
    assert "1 de 1 contrato vigente revisado por la ciudadanía" in page.inner_text("main")
    page.get_by_role("link", name=contract.number).first.click()
    page.wait_for_load_state()
    panel = page.locator("section.contract-reviews")
    assert "No se encontró la póliza de fianza." in panel.inner_text()
    assert "080197600012326" in panel.inner_text()
    assert axe(page) == []
    screenshot(page, "public-contract")
