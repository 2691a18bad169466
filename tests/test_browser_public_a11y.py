"""Every public page is accessible: the test walks every URL pattern that ``accounts.access``
declares PUBLIC (not a hand list), fills its kwargs from the demo data of BOTH demo
municipalities (Chihuahua and Villaflores, chosen by host name), and opens each HTML page in
Spanish (es-MX) and English on a 390 px wide phone: axe-core reports no serious or critical
violation, nothing scrolls sideways and the Content-Security-Policy refuses nothing.

A new public route fails here until it has kwargs below (or a reason to be excluded); a new
public page that fails axe or overflows a phone fails here too. Routes whose answer is not an
HTML page (JSON, GeoJSON, CSV, Atom, JavaScript, Open311) are skipped by their content type.
"""

import datetime
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import access
from tests.test_access_matrix import iter_route_names

# Public routes that are not pages a visitor opens, so never requested here.
EXCLUDED = {
    "accounts:logout": "POST only: it logs out and redirects",
    "set_language": "POST only: it sets the language and redirects",
    "media": "uploaded files (PDF, photos), not pages",
}
HOSTS = {"chihuahua": "chihuahua.localhost", "villaflores": "villaflores.localhost"}
LANGUAGES = ("es-MX", "en")
PHONE = {"width": 390, "height": 844}

OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    return Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > width + 1
                     && !e.closest('.table-scroll, .table-wrap, .leaflet-container'))
        .slice(0, 5)
        .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + (e.className && typeof e.className === 'string'
                     ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
}"""


def public_route_names() -> list[str]:
    """Every named URL pattern the access table opens to everyone."""
    names = {
        name
        for name, _namespace, _pattern in iter_route_names()
        if name
        and access.entry_for(name) in access.ACCESS
        and access.ANONYMOUS in access.roles_for(name)
    }
    return sorted(names)


def demo_kwargs(municipality) -> dict[str, dict]:
    """URL kwargs for the public routes that take some, from the municipality's demo data
    (tokens made the way the apps make them). A route whose row this municipality's demo does
    not have (Villaflores has no spaces or contracts, Chihuahua no committees) is left out for
    it; the test requires every such route to be checked in at least one municipality."""
    from accounts.privacy.arco import complaint_request_token
    from alerts.models import Subscription
    from alerts.selectors import space_place
    from alerts.services import subscription_request
    from committees import services as committee_services
    from committees.models import Allocation, CitizenCommittee, Forum, RegistrationCertificate
    from committees.permissions import Participant
    from complaints import services as complaint_services
    from complaints.constants import OPEN_STATUSES
    from complaints.models import Complaint, FixedQuestion
    from contracts.models import Company, Contract
    from core.tokens import token_make
    from guardians import services as guardian_services
    from guardians.models import Guardian, Visit
    from territory.models import Colonia, PublicSpace, ServiceArea

    m = municipality
    kwargs: dict[str, dict] = {}
    first = lambda queryset: queryset.filter(municipality=m).order_by("pk").first()  # noqa: E731
    colonia = first(Colonia.objects.filter(spaces__isnull=False)) or first(Colonia.objects)
    by_colonia = {"pk": colonia.pk}
    for name in ("territory:colonia_detail", "alerts:follow_colonia", "alerts:colonia_feed"):
        kwargs[name] = by_colonia
    kwargs["territory:layer_geojson"] = {"key": "spaces"}  # GeoJSON: skipped by content type

    space = first(PublicSpace.objects)
    if space:
        by_code = {"code": space.code}
        for name in ("territory:space_detail", "alerts:follow_space", "alerts:space_feed"):
            kwargs[name] = by_code
        subscription, _created = Subscription.objects.get_or_create(
            municipality=m,
            email="a11y-alerts@example.org",
            kind="space",
            space=space,
            defaults={"confirmed_at": timezone.now()},
        )
        kwargs["alerts:unsubscribe"] = {"token": subscription.token}
        kwargs["alerts:unsubscribe_all"] = {"token": subscription.token}
        kwargs["alerts:confirm"] = {
            "token": subscription_request(
                place=space_place(municipality=m, code=space.code),
                email="a11y-subscriber@example.org",
            )
        }
    area = first(ServiceArea.objects)
    if area:
        by_area = {"pk": area.pk}
        for name in ("territory:area_detail", "alerts:follow_area", "alerts:area_feed"):
            kwargs[name] = by_area
    contract = first(Contract.objects)
    if contract:
        kwargs["contracts:contract_detail"] = {"pk": contract.pk}
        kwargs["opendata:contract_ocds"] = {"pk": contract.pk}
    company = first(Company.objects)
    if company:
        kwargs["contracts:company_detail"] = {"pk": company.pk}
    kwargs["opendata:dataset_csv"] = {"slug": "spaces"}

    complaint = first(Complaint.public_objects.filter(status__in=OPEN_STATUSES))
    if complaint:
        code = complaint.code
        service = complaint.service_type.code
        follower, _created = complaint_services.complaint_follow(
            complaint=complaint, email="a11y-follower@example.org"
        )
        question, _created = FixedQuestion.objects.get_or_create(
            complaint=complaint, defaults={"created_at": timezone.now(), "email_pending": False}
        )
        kwargs.update(
            {
                "privacy:complaint_request_confirm": {
                    "token": complaint_request_token(
                        municipality=m,
                        complaint_code=code,
                        email="a11y-reporter@example.org",
                        kind="access",
                    )
                },
                "complaints:detail": {"code": code},
                "complaints:follow": {"code": code},
                "complaints:follow_confirm": {
                    "code": code,
                    "token": complaint_services.complaint_follow_request(
                        complaint=complaint, email="a11y-confirm@example.org"
                    ),
                },
                "complaints:unfollow": {"code": code, "token": follower.token},
                "complaints:fixed_answer": {
                    "token": token_make(
                        {"q": question.pk}, salt=complaint_services.FIXED_QUESTION_SALT
                    )
                },
                "complaints:open311_service": {"code": service, "fmt": "json"},
                "complaints:open311_request": {"code": code, "fmt": "json"},
                "complaints:open311_token": {"token": str(complaint.token), "fmt": "json"},
                "alerts:colonia_service_feed": {"pk": colonia.pk, "service": service},
            }
        )
    for name in ("discovery", "services", "requests"):
        kwargs[f"complaints:open311_{name}"] = {"fmt": "json"}

    guardian = first(Guardian.private_objects.filter(user__isnull=False))
    if guardian:
        kwargs["guardians:welcome"] = {
            "uidb64": urlsafe_base64_encode(force_bytes(guardian.user.pk)),
            "token": default_token_generator.make_token(guardian.user),
        }
    if space:  # the guardians' programme runs where the demo has spaces
        visit = first(Visit.objects.filter(brief_token__gt="")) or guardian_services.visit_plan(
            municipality=m,
            date=timezone.localdate() + datetime.timedelta(days=3),
            colonia=colonia,
        )
        kwargs["guardians:visit_brief"] = {"token": visit.brief_token}

    committee = first(CitizenCommittee.objects)
    if committee:
        kwargs["committees:committee_detail"] = {"pk": committee.pk}
        certificate = first(RegistrationCertificate.objects)
        if certificate is None:
            if not committee.registration_number:
                committee.registration_number = f"CPC-{committee.pk}"
                committee.registered_on = timezone.localdate()
                committee.save(update_fields=["registration_number", "registered_on"])
            certificate = committee_services.certificate_issue(
                committee=committee, participant=Participant(is_staff=True)
            )
        kwargs["committees:certificate_verify"] = {"code": certificate.code}
    forum = first(Forum.objects)
    if forum:
        kwargs["committees:forum_detail"] = {"pk": forum.pk}
    allocation = first(Allocation.objects)
    if allocation:
        kwargs["committees:allocation_history"] = {"pk": allocation.pk}
    return kwargs


def _needs_kwargs(name: str) -> bool:
    for route, _namespace, pattern in iter_route_names():
        if route == name:
            return bool(pattern.pattern.regex.groupindex)
    return False


def _outside(url: str) -> bool:
    return not re.match(r"https?://([a-z-]+\.)?localhost(:\d+)?/", url) and not url.startswith(
        "http://127.0.0.1"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_public_page_of_both_demo_cities_passes_axe_on_a_phone(
    live_server, browser, axe, screenshot, settings
):
    settings.ALLOW_DEMO_USERS = True
    from territory.models import Municipality
    from territory.selectors import forget_municipality_hosts

    call_command("seed_demo", "--allow-demo-users", verbosity=0)
    forget_municipality_hosts()
    port = live_server.url.rsplit(":", 1)[1]

    names = [n for n in public_route_names() if n not in EXCLUDED]
    urls: dict[str, list[tuple[str, str]]] = {}  # slug → (route, path)
    unchecked = {n for n in names if _needs_kwargs(n)}
    for slug in HOSTS:
        kwargs_by_name = demo_kwargs(Municipality.objects.get(slug=slug))
        unchecked -= set(kwargs_by_name)
        urls[slug] = [
            (n, reverse(n, kwargs=kwargs_by_name.get(n)))
            for n in names
            if n in kwargs_by_name or not _needs_kwargs(n)
        ]
    assert not unchecked, f"Public routes with no kwargs in demo_kwargs (add them): {unchecked}"

    # Which routes answer an HTML page: asked in-process, by host and content type.
    client = Client()
    pages: dict[str, list[tuple[str, str]]] = {}
    skipped: dict[str, str] = {}
    failures: list[str] = []
    for slug, host in HOSTS.items():
        pages[slug] = []
        for name, path in urls[slug]:
            response = client.get(path, HTTP_HOST=host, follow=True)
            content_type = response.get("Content-Type", "")
            if response.status_code == 405:
                skipped[name] = "POST only"
                continue
            if not content_type.startswith("text/html"):
                skipped[name] = content_type.split(";")[0]
                continue
            if response.status_code >= 400:
                failures.append(f"{host}{path} ({name}): answered {response.status_code}")
                continue
            pages[slug].append((name, path))
    checked = 0
    for language in LANGUAGES:
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale=language
        )
        context.route(_outside, lambda route: route.fulfill(status=204, body=""))
        page = context.new_page()
        refused: list[str] = []
        page.on(
            "console",
            lambda message, refused=refused: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        for slug, host in HOSTS.items():
            for name, path in pages[slug]:
                url = f"http://{host}:{port}{path}"
                page.goto(url)
                page.wait_for_load_state("load")
                where = f"{language} {host}{path} ({name})"
                checked += 1
                problems = [
                    f"{v['id']} ({v['impact']}): "
                    + "; ".join(" ".join(node["target"]) for node in v["nodes"][:3])
                    for v in axe(page)
                ]
                overflow = page.evaluate(OVERFLOW_JS)
                if overflow:
                    problems.append(f"scrolls sideways at 390 px: {overflow}")
                if refused:
                    problems.append(f"CSP refused: {refused[:2]}")
                    refused.clear()
                if problems:
                    screenshot(page, f"{language}-{slug}-{name.replace(':', '-')}")
                    failures.extend(f"{where}: {p}" for p in problems)
                elif language == "es-MX" and slug == "chihuahua":
                    screenshot(page, name.replace(":", "-"))
        context.close()

    assert not failures, "Public pages failing axe or a phone:\n" + "\n".join(failures)
    html_routes = {name for slug in HOSTS for name, _path in pages[slug]}
    assert checked == len(LANGUAGES) * sum(len(p) for p in pages.values())
    # The walk found the pages (a broken filter would pass on nothing).
    assert {"home", "territory:map", "complaints:list", "committees:forum_list"} <= html_routes
    print(  # shown with -s: what was checked and what was skipped by content type
        f"\n{checked} page visits: {len(html_routes)} public HTML routes × {len(HOSTS)} "
        f"municipalities × {len(LANGUAGES)} languages; skipped (not HTML): "
        f"{sorted(skipped.items())}; excluded: {sorted(EXCLUDED)}"
    )
