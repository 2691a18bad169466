"""Every page a role may open is linked from that role's pages (issue #16, item 5).

For each role, the test follows links the way a person clicks: from the page the login lands
on (the workspace; the home page for someone logged out), through the links of each page it
reaches, as deep as ``MAX_CLICKS``. It fails when a route that ``accounts.access`` opens to the
role is linked from none of the pages reached — a page only a typed URL reaches is a defect —
and, for the role's own pages (not the public ones), when the workspace does not reach it in
at most two clicks.

Routes that are not pages a person navigates to are named in ``NOT_NAVIGATED`` with the
reason: data and API endpoints, actions that a form posts to, links that arrive by e-mail or
are shared by hand.
"""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from accounts import access
from accounts.models import Role
from accounts.tests.world import build_access_world, route_kwargs
from tests.test_access_matrix import project_route_names

pytestmark = pytest.mark.django_db

MAX_CLICKS = 5  # from the landing page; the role's own pages must be within two
MAX_PAGES = 1500  # per role: a guard against a crawl that never ends

# Reached otherwise than by a link on a page, each for the reason given.
NOT_NAVIGATED = {
    # Machines read these; the pages that show them link the human versions.
    "healthz": "health check for the orchestrator",
    "javascript-catalog": "loaded by scripts",
    "media": "files, linked where shown (their paths depend on the upload)",
    "set_language": "the language form posts to it",
    "accounts:logout": "the header's button posts to it",
    "audit:head": "signed head for verifiers, published in the docs",
    "guardians:service_worker": "installed by the card form's script",
    # E-mail links carry a token made for one person.
    "accounts:otp_verify": "the login asks for it when the account has a device",
    "guardians:welcome": "e-mailed to a new guardian",
    "guardians:welcome_done": "where the welcome form sends",
    "privacy:email_confirm": "e-mailed to confirm an address",
    "privacy:complaint_request_confirm": "e-mailed to confirm an ARCO request",
    "complaints:follow_confirm": "e-mailed to confirm following a complaint",
    "complaints:unfollow": "in every e-mail about a followed complaint",
    "complaints:fixed_answer": "e-mailed to the reporter after closing",
    "alerts:confirm": "e-mailed to confirm an alert",
    "alerts:unsubscribe": "in every alert digest",
    "alerts:unsubscribe_all": "in every alert digest",
    "guardians:join_thanks": "where the join form sends",
    # A form posts to them; the page holding the form is what a person opens.
    "committees:need_status": "posted by the need's page",
    "committees:assignment_end": "posted by the employees page",
    "findings:act": "posted by the finding's page",
    "workspace:statistics:refresh": "posted by the statistics page",
    "committees:requisition_answer": "posted by the requisition's page once it is submitted",
    "reviews:publish": "posted by the review's page once the guardians submit it",
    "reviews:changes": "posted by the review's page once the guardians submit it",
    "reviews:observation_finding": "posted by the review's page once it is published",
    "reviews:observation_request": "posted by the review's page once it is published",
}
# Open to everyone, reached from a link that someone shared or an answer that named it.
SHARED = {
    "guardians:visit_brief": "the staff share the link with the community",
    "committees:certificate_verify": "printed on the certificate (QR code)",
    "complaints:open311_token": "given to the client that posted the request",
}
DATA_SUFFIXES = (
    ".json",
    ".geojson",
    ".csv",
    ".xml",
    ".pdf",
    ".txt",
    ".docx",
    ".odt",
    ".xlsx",
    ".js",
    ".atom",
)


class Links(HTMLParser):
    """The hrefs of ``<a>`` and the actions of GET forms (followed), and the actions of POST
    forms (a button reaches them; not followed)."""

    def __init__(self):
        super().__init__()
        self.hrefs = []
        self.posts = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            (self.hrefs if method == "get" else self.posts).append(attrs.get("action") or "")


def route_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def walk(client, start: str) -> tuple[dict[str, int], set[str]]:
    """Route name -> fewest clicks from ``start`` at which a link to it was seen; and the
    names of the routes linked as downloads (a file of the page's object, not a page)."""
    linked: dict[str, int] = {}
    downloads: set[str] = set()
    seen = {start}
    queue = deque([(start, 0)])
    pages = 0
    while queue and pages < MAX_PAGES:
        url, clicks = queue.popleft()
        response = client.get(url)
        pages += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(response.content.decode())
        for action in parser.posts:
            # A button on this page: the page is where the person is.
            name = route_name(urlsplit(action).path or urlsplit(url).path)
            if name is not None:
                linked[name] = min(linked.get(name, clicks), clicks)
        for href in parser.hrefs:
            parts = urlsplit(href)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            path = parts.path or urlsplit(url).path
            name = route_name(path)
            if name is None:
                continue
            linked[name] = min(linked.get(name, clicks + 1), clicks + 1)
            if path.endswith(DATA_SUFFIXES):
                downloads.add(name)
            target = path + (f"?{parts.query}" if parts.query else "")
            if (
                clicks + 1 < MAX_CLICKS
                and target not in seen
                and not name.startswith("admin:")
                and name not in NOT_NAVIGATED
                and not path.endswith(DATA_SUFFIXES)
            ):
                seen.add(target)
                queue.append((target, clicks + 1))
    return linked, downloads


def pages_for(role: str) -> set[str]:
    """The routes of the project that ``role`` may open and would navigate to."""
    names = set()
    for name in project_route_names():
        if name.startswith("<unnamed") or access.entry_for(name) == "admin:*":
            continue
        if access.entry_for(name) not in access.ACCESS:
            continue  # tests/test_access_matrix.py reports a route missing from the table
        if name in NOT_NAVIGATED or access.roles_for(name) == access.API_CLIENTS:
            continue
        if name.startswith("complaints:open311") or "api" in name.split(":")[-1]:
            continue  # Open311 and the JSON APIs: clients read them, documented in the README
        data = ("geojson", "csv", "json", "nearest", "nearby", "feed")
        if any(name.endswith(suffix) for suffix in data):
            continue  # data behind a page's map, table or download link
        if name in SHARED and role not in access.STAFF:
            continue  # the staff share them, so their pages link them
        if name == "accounts:login" and role != "anonymous":
            continue
        if access.is_allowed(name, role):
            names.add(name)
    return names


def own_pages(role: str) -> set[str]:
    """The routes open to the role but not to everyone: its job's pages."""
    return {name for name in pages_for(role) if not access.is_allowed(name, "anonymous")} - {
        "accounts:otp_setup"
    }


@pytest.mark.parametrize("role", ["anonymous", *Role.values])
def test_every_page_of_a_role_is_linked_from_its_pages(client, municipality, role):
    w = build_access_world(municipality)
    route_kwargs(w)  # the objects some routes are about (a contract review, a request...)
    if role == "anonymous":
        start = reverse("home")
    else:
        client.force_login(w.users[role])
        response = client.get(reverse("home"))
        start = reverse("workspace:home")
        # The login lands there (LOGIN_REDIRECT_URL); the header links it from every page.
        assert start in response.content.decode()
    linked, downloads = walk(client, start)
    missing = sorted(pages_for(role) - set(linked))
    assert not missing, f"{role}: pages linked from none of the role's pages: {missing}"
    if role != "anonymous":
        far = sorted(name for name in own_pages(role) - downloads if linked[name] > 2)
        assert not far, f"{role}: more than two clicks from the workspace: {far}"
