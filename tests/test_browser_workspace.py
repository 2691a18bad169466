"""Every role logs in through the login form, lands on its workspace and reaches each page the
workspace links by clicking (no page.goto after login), on a phone and on a desktop; the
workspace has no serious accessibility violation in Spanish or English, no horizontal overflow
on the phone, and its header menu opens and closes with its button."""

import re

import pytest

PASSWORD = "clave-segura-123"
ROLES = [
    "municipal_staff",
    "administrator",
    "directorate_staff",
    "guardian",
    "lead_guardian",
    "committee_member",
    "civil_employee",
    "authenticated",
]
# Downloads do not navigate: their links are checked by the Django tests.
DOWNLOAD = re.compile(r"\.(csv|json|geojson|pdf|xlsx)(\?|$)")


def _no_serious_violations(axe, page):
    violations = axe(page)
    assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations]


def _open_menu(page):
    toggle = page.locator("header .nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _logout(page):
    _open_menu(page)
    page.click("header form[action$='logout/'] button")
    page.wait_for_load_state()


def _set_language(page, code):
    page.select_option("#language-select", code)
    page.click(".language-switcher button[type=submit]")
    page.wait_for_load_state()


def _no_horizontal_overflow(page):
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, overflow


def _small_targets(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll(
              'main .workspace-links a, main .queue-link, main .workspace-toc a,'
              + ' header .nav-toggle, header .nav-workspace')]
            .filter(el => el.offsetParent !== null)
            .filter(el => el.getBoundingClientRect().height < 44)
            .map(el => el.textContent.trim())"""
    )


def _workspace_links(page, *, every_link) -> list[str]:
    """Every link of the sections, or (``every_link`` False) the first queue and the first
    link of each section."""
    if every_link:
        return page.eval_on_selector_all(
            "main .workspace-section a[href]", "els => els.map(el => el.getAttribute('href'))"
        )
    return page.eval_on_selector_all(
        "main .workspace-section",
        """sections => sections.flatMap(section => [
            section.querySelector('.queue-link'), section.querySelector('.workspace-links a')
        ]).filter(Boolean).map(el => el.getAttribute('href'))""",
    )


def _walk(page, base, role, screenshot, axe, *, phone):
    _login(page, base, role_user(role))
    # The login lands on the workspace.
    assert page.url == base + "/workspace/", (role, page.url)
    # (Spanish once the lead merges the catalogues: locale/ is not edited by the helpers.)
    assert page.locator("main h1").inner_text() in ("Mi espacio de trabajo", "My workspace")
    screenshot(page, f"{role}-es")
    _no_serious_violations(axe, page)
    if phone:
        _no_horizontal_overflow(page)
        assert _small_targets(page) == []
    # On the phone every link is followed, on the desktop one queue and one link per section.
    links = _workspace_links(page, every_link=phone)
    assert links, role
    # Each link, clicked, opens its page (200); then back to the workspace.
    seen = set()
    for href in links:
        if href in seen or DOWNLOAD.search(href):
            continue
        seen.add(href)
        link = page.locator(f'main .workspace-section a[href="{href}"]').first
        link.scroll_into_view_if_needed()
        with page.expect_navigation() as navigation:
            link.click()
        response = navigation.value
        assert response is not None and response.status == 200, (role, href, response)
        # Back by the header's "My workspace" link (the admin has no portal header: the
        # browser's back button there).
        if page.locator("header .nav-workspace").count():
            page.click("header .nav-workspace")
        else:
            page.go_back()
        page.wait_for_load_state()
        assert page.url == base + "/workspace/", (role, href, page.url)
    # In English too.
    _set_language(page, "en")
    assert page.locator("main h1").inner_text() == "My workspace"
    screenshot(page, f"{role}-en")
    _no_serious_violations(axe, page)
    _set_language(page, "es-mx")
    _logout(page)


_USERS = {}


def role_user(role):
    return _USERS[role]


def _world():
    from accounts.tests.world import build_access_world
    from findings import receivers
    from guardians.signals import card_filed
    from territory.tests.factories import MunicipalityFactory

    municipality = MunicipalityFactory(is_default=True, name="Chihuahua")
    # The world files cards and then its own finding of one: with commits on, the card's
    # reconciliation would raise that finding first.
    card_filed.disconnect(dispatch_uid="findings.receivers.card_filed")
    try:
        world = build_access_world(municipality)
    finally:
        card_filed.connect(receivers.card_filed, dispatch_uid="findings.receivers.card_filed")
    for role, user in world.users.items():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        _USERS[role] = user.username
    return world


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_role_walks_its_workspace_on_a_phone(live_server, phone_page, screenshot, axe):
    _world()
    page = phone_page
    base = live_server.url
    # The header's menu: closed, opens with its button, every public link inside.
    page.goto(base + "/")
    toggle = page.locator("header .nav-toggle")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#site-nav").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#site-nav a[href='/complaints/new/']").is_visible()
    _no_horizontal_overflow(page)
    screenshot(page, "menu-open")
    _no_serious_violations(axe, page)
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    for role in ROLES:
        _walk(page, base, role, screenshot, axe, phone=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_role_walks_its_workspace_on_a_desktop(live_server, page, screenshot, axe):
    _world()
    base = live_server.url
    page.goto(base + "/")
    # A row of links: no menu button on a wide screen.
    assert not page.locator("header .nav-toggle").is_visible()
    assert page.locator("#site-nav a[href='/complaints/new/']").is_visible()
    for role in ROLES:
        _walk(page, base, role, screenshot, axe, phone=False)
    # The admin index shows the same queues, and leads back to the workspace.
    _login(page, base, role_user("municipal_staff"))
    page.click("main a[href='/admin/']")
    page.wait_for_load_state()
    queues = page.locator("#work-queues")
    assert queues.is_visible()
    assert queues.locator("tr[data-queue='guardian_applications'] a").count() == 1
    screenshot(page, "admin-index")
    page.click("#work-queues a[href='/workspace/']")
    page.wait_for_load_state()
    assert page.url == base + "/workspace/"
    _logout(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_header_links_stay_reachable(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert not page.locator("header .nav-toggle").is_visible()
        for href in ("/map/", "/complaints/new/", "/open-data/", "/accounts/login/"):
            assert page.locator(f"#site-nav a[href='{href}']").is_visible(), href
    finally:
        context.close()
