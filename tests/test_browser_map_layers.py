"""Watch your city's five layers in a real headless Chromium: on a 390 × 844 phone (the map
fills the first screen, the layers and filters panel, the list view, near me) and on a desktop
(map and list side by side, clusters at low zoom), with axe in es-MX and en."""

import contextlib

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

MAP = "window.villaguardMaps['spaces-map']"
PHONE = {"width": 390, "height": 844}


def set_view(page, lat, lon, zoom):
    page.evaluate(f"{MAP}.setView([{lat}, {lon}], {zoom}, {{animate: false}})")


def wait_for_layers(page, *keys):
    """Waits until every named layer has drawn (its data-count-<key>) and none is loading."""
    checks = " && ".join(f"el.hasAttribute('data-count-{key}')" for key in keys) or "true"
    page.wait_for_function(
        "() => { const el = document.getElementById('spaces-map');"
        f" return {checks} && !el.hasAttribute('data-layers-busy')"
        " && el.dataset.featureCount !== undefined; }"
    )
    return {key: int(page.get_attribute("#spaces-map", f"data-count-{key}") or 0) for key in keys}


def assert_no_axe_violations(axe, page):
    violations = axe(page)
    assert violations == [], [(v["id"], v["help"], v["nodes"][0]["html"]) for v in violations]


@pytest.fixture
def city(transactional_db):
    from territory.tests.factories import MunicipalityFactory
    from territory.tests.test_map_api import build_city
    from territory.tests.test_map_layers import build_layers

    municipality = MunicipalityFactory(
        name="Chihuahua", is_default=True, center=Point(-106.07, 28.62, srid=4326), zoom=14
    )
    spaces = build_city(municipality)
    return spaces, build_layers(municipality, complaints=24)


def phone(browser, locale="es-MX"):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale=locale
    )
    context.route(
        lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")),
        lambda route: route.fulfill(status=204, body=""),
    )
    return context


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locale", ["es-MX", "en"])
def test_phone_map_fills_the_first_screen_with_panel_list_and_near_me(
    live_server, browser, screenshot, axe, city, locale
):
    spaces, layers = city
    context = phone(browser, locale)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": 28.6346, "longitude": -106.0812})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.locator("a[href='/map/']:visible").first.click()  # from the home page
        page.wait_for_url("**/map/")
        counts = wait_for_layers(page, "complaints", "works")
        assert counts["complaints"] >= 1 and counts["works"] >= 1

        screenshot(page, f"phone-map-{locale}")
        # The map fills the first screen: full width, from under the toolbar to the fold.
        box = page.locator("#spaces-map").bounding_box()
        assert box["width"] >= PHONE["width"] - 4
        assert box["y"] < PHONE["height"] * 0.3
        assert box["y"] + box["height"] >= PHONE["height"] * 0.95
        assert box["y"] + box["height"] <= PHONE["height"] + 1
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # The filters wait in a closed panel; the list is the other view.
        toggle = page.locator("#filters-toggle")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator("#map-filters").is_visible()
        assert not page.locator("#map-list").is_visible()
        assert_no_axe_violations(axe, page)

        # Open the panel, switch the garbage routes on: the layer and its legend appear.
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator("#map-filters").is_visible()
        for target in (toggle, page.locator("label.layer-toggle").first):
            assert target.bounding_box()["height"] >= 44
        page.check("input[name=layer][value=garbage]")
        counts = wait_for_layers(page, "garbage", "complaints", "works")
        assert counts["garbage"] == 1
        assert page.locator("#spaces-map path.leaflet-interactive").count() >= 1
        assert "layer=garbage" in page.url
        screenshot(page, f"phone-panel-{locale}")
        assert_no_axe_violations(axe, page)
        toggle.click()
        assert not page.locator("#map-filters").is_visible()

        # The list view: a list per enabled layer, paginated.
        page.click("#view-toggle")
        assert page.locator("#map-list").is_visible()
        assert not page.locator("#spaces-map").is_visible()
        page.locator("#garbage-list li a").first.wait_for()
        assert page.locator("#complaints-list li").count() == 20
        assert page.locator("#complaints-list .pagination a[rel=next]").count() == 1
        assert page.locator("#garbage-list li a").first.get_attribute("href").startswith("/areas/")
        screenshot(page, f"phone-list-{locale}")
        assert_no_axe_violations(axe, page)

        # Near me: back on the map, centred on the visitor, the nearest of each layer listed.
        page.click("#near-me")
        page.locator("#nearby-list [data-layer=complaints] li a").first.wait_for()
        assert page.locator("#spaces-map").is_visible()
        sections = page.locator("#nearby-list section").evaluate_all(
            "nodes => nodes.map(node => node.dataset.layer)"
        )
        assert sections == ["spaces", "garbage", "complaints", "works"]
        first = page.locator("#nearby-list [data-layer=complaints] li a").first
        assert first.get_attribute("href") == f"/complaints/{layers['open'][0].code}/"
        center = page.evaluate(f"{MAP}.getCenter()")
        assert center["lat"] == pytest.approx(28.6346, abs=1e-3)
        assert page.evaluate(f"{MAP}.getZoom()") >= 16
        page.locator("#nearby").scroll_into_view_if_needed()
        screenshot(page, f"phone-near-me-{locale}")
        assert_no_axe_violations(axe, page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_desktop_map_and_list_side_by_side_with_clusters(live_server, page, screenshot, axe, city):
    spaces, layers = city
    page.goto(live_server.url + "/map/")
    wait_for_layers(page, "complaints", "works")
    map_box = page.locator("#spaces-map").bounding_box()
    list_box = page.locator("#map-list").bounding_box()
    assert list_box["x"] >= map_box["x"] + map_box["width"] - 1  # side by side
    assert abs(list_box["y"] - map_box["y"]) < 120
    assert not page.locator(".view-switch").is_visible()

    # City zoom: the 24 complaints a few hundred metres apart come in clusters.
    set_view(page, 28.63, -106.07, 12)
    page.wait_for_function("() => document.querySelectorAll('.cluster-icon').length >= 1")
    wait_for_layers(page, "complaints", "works")
    cluster = page.locator(".cluster-icon").first
    assert int(cluster.inner_text()) > 1
    screenshot(page, "desktop-clusters")
    assert_no_axe_violations(axe, page)
    zoom = page.evaluate(f"{MAP}.getZoom()")
    # A disc is a button for the keyboard too: focused, Enter zooms in (once).
    assert cluster.get_attribute("role") == "button"
    cluster.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {MAP}.getZoom() > {zoom} && !{MAP}._animatingZoom")
    assert page.evaluate(f"{MAP}.getZoom()") == zoom + 2
    page.wait_for_timeout(500)  # the zoom animation's last frame and moveend

    # Street zoom: single complaints with a popup that links to the complaint's page.
    set_view(page, 28.63456, -106.08123, 17)
    page.wait_for_function("() => document.querySelectorAll('.cluster-icon').length === 0")
    wait_for_layers(page, "complaints")
    page.click("#filters-toggle")
    page.uncheck("input[name=layer][value=spaces]")
    page.wait_for_function(
        "() => document.getElementById('spaces-map').dataset.featureCount === '0'"
    )
    page.wait_for_function("() => !document.getElementById('space-list')")  # the list follows
    page.click("#filters-toggle")
    page.locator("#complaints-list li a").first.wait_for()
    screenshot(page, "desktop-layers")
    assert_no_axe_violations(axe, page)


LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 300);
})"""

OVERLAPS = """() => {
  const boxes = nodes => Array.from(nodes).map(node => node.getBoundingClientRect());
  const discs = boxes(document.querySelectorAll('#spaces-map .cluster-icon'));
  const controls = boxes(document.querySelectorAll('#spaces-map .leaflet-control a'));
  const meet = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  let found = 0;
  discs.forEach((disc, i) => {
    discs.slice(i + 1).forEach(other => { if (meet(disc, other)) found += 1; });
    controls.forEach(control => { if (meet(disc, control)) found += 1; });
  });
  return {discs: discs.length, overlaps: found};
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_map_does_not_shift_and_its_clusters_never_overlap(
    live_server, browser, screenshot, axe, city
):
    """Issue #17 (Lighthouse): the first paint is the final layout (the header's menu, the
    toolbar, the closed filters' panel and the map's height come from CSS, not from scripts
    run later), and cluster discs are separate targets: never on top of each other or of the
    zoom buttons, even when the map is moved to put one there."""
    context = phone(browser)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/map/")
        wait_for_layers(page, "complaints", "works")
        assert page.evaluate(LAYOUT_SHIFT) < 0.02
        assert not page.locator("#map-filters").is_visible()
        assert page.locator("#filters-toggle").is_visible()

        set_view(page, 28.63, -106.07, 12)
        page.wait_for_function("() => document.querySelectorAll('.cluster-icon').length >= 1")
        wait_for_layers(page, "complaints", "works")
        # Move the map so that the biggest disc's cell lands under the "zoom in" button.
        page.evaluate(
            """() => {
              const box = selector => document.querySelector(selector).getBoundingClientRect();
              const disc = box('#spaces-map .cluster-icon');
              const button = box('.leaflet-control-zoom-in');
              window.villaguardMaps['spaces-map'].panBy(
                [disc.left + disc.width / 2 - button.left - button.width / 2,
                 disc.top + disc.height / 2 - button.top - button.height / 2], {animate: false});
            }"""
        )
        page.wait_for_timeout(400)  # moveend's delay, then the reload
        wait_for_layers(page, "complaints", "works")
        # Under load the reload may land after the wait above: give the redrawn discs time
        # (the assertion below still fails if they never clear the button).
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(
                f"() => {{ const r = ({OVERLAPS})(); return r.discs >= 1 && r.overlaps === 0; }}",
                timeout=15000,
            )
        result = page.evaluate(OVERLAPS)
        assert result["discs"] >= 1
        assert result["overlaps"] == 0
        screenshot(page, "phone-clusters-clear-of-controls")
        assert_no_axe_violations(axe, page)

    finally:
        context.close()
