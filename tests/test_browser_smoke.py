import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_home_page_renders_in_chromium_without_serious_axe_violations(
    live_server, page, screenshot, axe
):
    from territory.tests.factories import MunicipalityFactory

    MunicipalityFactory(name="Chihuahua", is_default=True)
    page.goto(live_server.url + "/")
    assert "Chihuahua" in page.inner_text("header")
    screenshot(page, "home")
    violations = axe(page)
    assert violations == [], [(v["id"], v["help"]) for v in violations]
