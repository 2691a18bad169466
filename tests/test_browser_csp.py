"""The Content-Security-Policy in a real Chromium: every page with a map draws it, and the
browser reports no refused script, style or request (the ``page`` fixture fails any test whose
pages trip the policy; this test visits every map of the portal on the demo data)."""

import pytest
from django.core.management import call_command

PASSWORD = "villaguard-demo"


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _map_drawn(page, selector):
    """Leaflet initialised the map (its panes exist) and drew at least one vector layer."""
    page.wait_for_selector(f"{selector}.leaflet-container .leaflet-map-pane", state="attached")
    page.wait_for_function(
        f"""() => document.querySelectorAll(
            '{selector} path.leaflet-interactive, {selector} .leaflet-marker-icon,'
            + ' {selector} canvas').length > 0"""
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_map_draws_under_the_content_security_policy(live_server, page, screenshot, settings):
    settings.ALLOW_DEMO_USERS = True
    from complaints.models import Complaint
    from contracts.models import Contract
    from territory.models import Municipality, PublicSpace
    from territory.selectors import forget_municipality_hosts

    call_command("seed_demo", "--allow-demo-users", verbosity=0)
    chihuahua = Municipality.objects.get(slug="chihuahua")
    base = live_server.url

    response = page.goto(base + "/map/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    _map_drawn(page, "#spaces-map")
    screenshot(page, "map")

    # The policy is enforced: a script injected without the nonce does not run, and the
    # browser reports it (the same report that fails any other browser test).
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.injected = true'; document.body.appendChild(s); }"""
    )
    page.wait_for_function("() => true")
    assert page.evaluate("() => window.injected === undefined")
    assert any("script-src" in text for text in page.csp_violations), page.csp_violations
    page.csp_violations.clear()

    space = PublicSpace.objects.filter(municipality=chihuahua).order_by("code").first()
    page.goto(f"{base}/spaces/{space.code}/")
    _map_drawn(page, "#space-map")
    screenshot(page, "space")

    contract = Contract.objects.filter(municipality=chihuahua, spaces__isnull=False).first()
    page.goto(base + contract.get_absolute_url())
    _map_drawn(page, "#contract-map")

    complaint = (
        Complaint.private_objects.filter(municipality=chihuahua, location__isnull=False)
        .select_related("colonia")
        .filter(colonia__isnull=False)
        .order_by("-created_at")
        .first()
    )
    page.goto(base + complaint.get_absolute_url())
    _map_drawn(page, "#detail-map")

    page.goto(base + "/complaints/new/")
    page.wait_for_selector("#complaint-map.leaflet-container .leaflet-map-pane", state="attached")
    page.click("#complaint-map", position={"x": 200, "y": 150})
    page.wait_for_selector("#complaint-map .leaflet-marker-icon")
    screenshot(page, "complaint-form")

    # Staff pages: the pre-visit brief (map and print button) and the admin's map widget.
    _login(page, base, "demo-staff")
    day = complaint.created_at.date()
    page.goto(
        f"{base}/complaints/brief/?colonia={complaint.colonia_id}"
        f"&start={day.replace(day=1).isoformat()}&end={day.isoformat()}"
    )
    _map_drawn(page, "#brief-map")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click("button[data-print]")
    assert page.evaluate("() => window.printed") == 1
    screenshot(page, "brief")

    page.goto(f"{base}/admin/territory/publicspace/{space.pk}/change/")
    page.wait_for_selector(".leaflet-container .leaflet-map-pane", state="attached")
    page.wait_for_selector(".leaflet-container path.leaflet-interactive")
    screenshot(page, "admin-space")
    page.goto(base + "/admin/")
    assert page.locator("#portal-counts td.numeric").count() > 0
    assert page.eval_on_selector(
        "#portal-counts td.numeric", "el => getComputedStyle(el).textAlign"
    ) in ("right", "end")

    # Villaflores: the equity map and the needs map (the default municipality is the host's).
    Municipality.objects.update(is_default=False)
    Municipality.objects.filter(slug="villaflores").update(is_default=True)
    forget_municipality_hosts()
    page.goto(base + "/equity/")
    _map_drawn(page, "#equity-map")
    screenshot(page, "equity")
    _login(page, base, "demo-committee")
    page.goto(base + "/participation/needs/")
    _map_drawn(page, "#needs-map")
    screenshot(page, "needs")

    assert page.csp_violations == []
