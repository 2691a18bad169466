"""Watch your city in a real headless Chromium: layer, filters, popup, space page, near me."""

import pytest
from django.contrib.gis.geos import Point

MAP = "window.villaguardMaps['spaces-map']"


def wait_for_layer(page, count=None):
    """Waits until map.js has drawn the layer (and, if given, exactly ``count`` features)."""
    condition = "el => el.dataset.featureCount !== undefined && !el.hasAttribute('aria-busy')"
    if count is not None:
        condition = f"el => el.dataset.featureCount === '{count}' && !el.hasAttribute('aria-busy')"
    page.wait_for_function(
        f"() => {{ const el = document.getElementById('spaces-map'); return ({condition})(el); }}"
    )
    return int(page.get_attribute("#spaces-map", "data-feature-count"))


def set_view(page, lat, lon, zoom):
    page.evaluate(f"{MAP}.setView([{lat}, {lon}], {zoom}, {{animate: false}})")


@pytest.fixture
def city(transactional_db):
    from territory.tests.factories import MunicipalityFactory
    from territory.tests.test_map_api import build_city

    municipality = MunicipalityFactory(
        name="Chihuahua", is_default=True, center=Point(-106.07, 28.62, srid=4326), zoom=14
    )
    return build_city(municipality)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_filters_popup_and_space_page(live_server, page, screenshot, axe, city):
    page.goto(live_server.url + "/map/")

    # City zoom: centroids as circle markers on a canvas.
    assert wait_for_layer(page) == 4  # the fifth space is in the north, out of view
    assert page.get_attribute("#spaces-map", "data-mode") == "points"
    assert page.locator("#spaces-map canvas").count() >= 1
    assert page.locator("#map-legend li").count() == 3  # two services and "no contract"
    screenshot(page, "map-points")

    violations = axe(page)
    assert violations == [], [(v["id"], v["help"], v["nodes"][0]["html"]) for v in violations]

    # Polygon zoom: SVG paths.
    set_view(page, 28.6205, -106.0595, 17)
    page.wait_for_function(
        "() => document.getElementById('spaces-map').dataset.mode === 'polygons'"
        " && !document.getElementById('spaces-map').hasAttribute('aria-busy')"
    )
    assert int(page.get_attribute("#spaces-map", "data-feature-count")) >= 1
    assert page.locator("#spaces-map path.leaflet-interactive").count() >= 1

    # Filter by company with the page's own form: the layer and the text list follow.
    set_view(page, 28.62, -106.07, 14)
    wait_for_layer(page, 4)
    page.click("#filters-toggle")  # the layers and filters open in a panel
    page.select_option("#id_company", str(city.luz.pk))
    page.click("#map-filters button[type=submit]")
    assert wait_for_layer(page, 1) == 1
    page.wait_for_function(
        "() => document.querySelectorAll('#space-list li[data-code]').length === 1"
    )
    assert page.get_attribute("#space-list li[data-code]", "data-code") == "AL-0003"
    assert f"company={city.luz.pk}" in page.url
    page.check("input[name=color_by][value=company]")
    assert page.inner_text("#map-legend").count("Luz del Norte") == 1
    screenshot(page, "map-filtered")

    # Zoom to the space, open its popup, follow it to the space's page.
    set_view(page, 28.6205, -106.0595, 17)
    page.wait_for_function(
        "() => document.getElementById('spaces-map').dataset.mode === 'polygons'"
        " && document.getElementById('spaces-map').dataset.featureCount === '1'"
    )
    page.locator("#spaces-map path.leaflet-interactive").first.click()
    link = page.locator(".leaflet-popup-content a.popup-link")
    link.wait_for()
    assert "AL-0003" in page.inner_text(".leaflet-popup-content")
    page.wait_for_timeout(300)  # the popup fades in
    screenshot(page, "map-popup")
    link.click()

    page.wait_for_url("**/spaces/AL-0003/")
    assert "Plaza Mayor" in page.inner_text("h1")
    assert "Luz del Norte S.A." in page.inner_text("#responsible")
    page.wait_for_function(
        "() => document.getElementById('space-map').dataset.featureCount === '1'"
    )
    assert page.locator("#space-map path.leaflet-interactive").count() == 1
    screenshot(page, "space-page")
    violations = axe(page)
    assert violations == [], [(v["id"], v["help"], v["nodes"][0]["html"]) for v in violations]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_near_me_lists_the_nearest_spaces(live_server, page, screenshot, city):
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 28.6105, "longitude": -106.0695})
    page.goto(live_server.url + "/map/")
    wait_for_layer(page)

    page.click("#near-me")
    page.locator("#nearby-list li a").first.wait_for()

    links = page.locator("#nearby-list [data-layer=spaces] li a")
    assert links.count() == 5
    assert links.first.get_attribute("href") == "/spaces/AC-Z11-0002/"
    # The map moved to where the visitor is, at polygon zoom.
    page.wait_for_function(
        "() => document.getElementById('spaces-map').dataset.mode === 'polygons'"
        " && !document.getElementById('spaces-map').hasAttribute('aria-busy')"
    )
    screenshot(page, "near-me")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_and_space_page_on_a_phone(live_server, phone_page, screenshot, axe, city):
    phone_page.goto(live_server.url + "/map/")
    assert wait_for_layer(phone_page) >= 1
    # Mobile first: the map takes the full width; the list is the other view.
    map_box = phone_page.locator("#spaces-map").bounding_box()
    assert map_box["width"] > 330
    assert not phone_page.locator("#space-list").is_visible()
    screenshot(phone_page, "map-phone")
    violations = axe(phone_page)
    assert violations == [], [(v["id"], v["help"], v["nodes"][0]["html"]) for v in violations]

    phone_page.goto(live_server.url + "/spaces/AC-Z11-0001/")
    phone_page.wait_for_function(
        "() => document.getElementById('space-map').dataset.featureCount === '1'"
    )
    screenshot(phone_page, "space-phone")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_page_without_javascript_still_lists_and_filters(live_server, browser, city):
    context = browser.new_context(java_script_enabled=False, locale="en")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/map/")
        assert page.locator("#space-list li[data-code]").count() == 5
        page.select_option("#id_company", str(city.verdes.pk))
        page.click("#map-filters button[type=submit]")
        page.wait_for_url(f"**company={city.verdes.pk}**")
        codes = page.locator("#space-list li[data-code]").evaluate_all(
            "items => items.map(item => item.dataset.code)"
        )
        assert codes == ["AC-Z11-0001", "AC-Z11-0002"]
    finally:
        context.close()
