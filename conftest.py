"""Shared fixtures for the whole suite."""

import os

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def services_configured() -> bool:
    uses_postgis = settings.DATABASES["default"]["ENGINE"].endswith("postgis")
    return uses_postgis and bool(settings.REDIS_URL)


@pytest.fixture(autouse=True)
def _services_gate(request):
    """Tests marked ``services`` need PostGIS and a Redis broker. With REQUIRE_SERVICES=1 (CI)
    a missing service fails the test; otherwise (a laptop on the embedded default) it is
    skipped with the reason. CI's embedded run deselects them with ``-m "not services"``."""
    if request.node.get_closest_marker("services") and not services_configured():
        message = "needs DATABASE_URL=postgis://… and REDIS_URL=redis://…"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On the embedded default the test database is a file (on /dev/shm where there is one),
    not SQLite's in-memory database. An in-memory database is a single connection, which
    the live server's request threads share with each other and with the test (Django's
    documentation warns of it): a map page's parallel layer requests deadlocked on it, the
    SQLite mutex held by one thread and the GIL by another (CI, 2026-12-05). On a file each
    thread has its own connection; transactions begin IMMEDIATE, so concurrent writers wait
    their turn (``timeout``) instead of failing to upgrade a read lock."""
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("spatialite"):
        yield
        return
    import shutil
    import tempfile

    shm = "/dev/shm"  # noqa: S108 (a private directory is made in it, by mkdtemp)
    directory = tempfile.mkdtemp(
        prefix="villaguard-tests-", dir=shm if os.access(shm, os.W_OK) else None
    )
    database.setdefault("TEST", {})["NAME"] = os.path.join(directory, "test.sqlite3")
    database.setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=30)
    yield
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from territory.layers import forget_statements
    from territory.selectors import forget_municipality_hosts

    cache.clear()
    forget_municipality_hosts()  # and each process's own copy of the host map
    forget_statements()  # and of the map layers' compiled statements
    yield
    cache.clear()
    forget_municipality_hosts()
    forget_statements()


@pytest.fixture
def municipality(db):
    from territory.tests.factories import MunicipalityFactory

    return MunicipalityFactory(is_default=True)


@pytest.fixture
def chihuahua_point():
    return Point(-106.08, 28.63, srid=4326)


# --- Browser tests (Playwright driving Debian's Chromium) -----------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS_DIR = settings.BASE_DIR / "test-artifacts"
SCREENSHOTS_DIR = ARTIFACTS_DIR / "screenshots"
AXE_JS = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _block_external(route):
    """No internet here: map tiles and any other outside request are answered empty."""
    route.fulfill(status=204, body="")


def _watched_page(context):
    """A new page that records what the Content-Security-Policy refused (every browser test is
    also a test that the pages work under the policy)."""
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


def _assert_no_csp_violations(page):
    assert page.csp_violations == [], page.csp_violations


@pytest.fixture
def page(browser):
    """A desktop page whose requests outside localhost are answered empty."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-MX")
    context.route(
        lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")), _block_external
    )
    page = _watched_page(context)
    yield page
    context.close()
    _assert_no_csp_violations(page)


@pytest.fixture
def phone_page(browser):
    """A phone-sized touch page (Pixel 5-like) whose outside requests are answered empty."""
    context = browser.new_context(
        viewport={"width": 393, "height": 851},
        device_scale_factor=2.75,
        is_mobile=True,
        has_touch=True,
        locale="es-MX",
    )
    context.route(
        lambda url: not url.startswith(("http://localhost", "http://127.0.0.1")), _block_external
    )
    page = _watched_page(context)
    yield page
    context.close()
    _assert_no_csp_violations(page)


@pytest.fixture
def screenshot(request):
    """screenshot(page, "name") saves test-artifacts/screenshots/<test>-<name>.png."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def take(page, name: str):
        path = SCREENSHOTS_DIR / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe():
    """axe(page) runs axe-core in the page and returns the serious or critical violations."""

    def run(page) -> list[dict]:
        assert AXE_JS.exists(), "axe-core is missing: run `npm install` (make test does)"
        # Evaluated through the DevTools protocol: a <script> tag added to the page would be
        # refused by the Content-Security-Policy, as any injected script must be.
        page.evaluate(AXE_JS.read_text())
        result = page.evaluate("async () => await axe.run(document)")
        return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]

    return run
