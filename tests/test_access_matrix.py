"""Every URL pattern of the project, requested as every role, answers as ``accounts.access``
declares: allowed roles get the page (200, or 400/405 for a request without its data), the
others are sent to the login page (anonymous) or refused (403/404)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import access
from accounts.models import Role
from accounts.services import user_create
from accounts.tests.world import ROLES, build_access_world, route_kwargs
from territory.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def iter_route_names(resolver=None, namespace=""):
    """(name, namespace, pattern) for every URL pattern reachable from the root resolver;
    unnamed patterns come back with name None."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from iter_route_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield name, namespace, pattern


def project_route_names() -> set[str]:
    """Every named route; unnamed ones come back as ``<unnamed namespace:pattern>``."""
    names = set()
    for name, namespace, pattern in iter_route_names():
        names.add(name or f"<unnamed {namespace}{pattern.pattern}>")
    return names


def test_every_route_is_in_the_table_and_the_table_names_only_routes():
    names = project_route_names()
    # The admin's own unnamed redirects and catch-all are covered by its one entry.
    unnamed = sorted(
        n for n in names if n.startswith("<unnamed") and not n.startswith("<unnamed admin:")
    )
    assert not unnamed, f"Routes without a name cannot be declared: {unnamed}"
    named = {n for n in names if not n.startswith("<unnamed")}
    missing = sorted(n for n in named if access.entry_for(n) not in access.ACCESS)
    assert not missing, f"Routes missing from accounts.access.ACCESS: {missing}"
    entries = {access.entry_for(n) for n in named}
    stale = sorted(set(access.ACCESS) - entries)
    assert not stale, f"accounts.access.ACCESS names routes that no longer exist: {stale}"


# The object each role is asked about where the object is someone's own: the lead guardian
# opens their own card (object-level rules are tested per app).
OWN_OBJECT = {("guardians:card_detail", Role.LEAD_GUARDIAN): "other_card"}

ELSEWHERE = "municipal_staff of another municipality"


def _is_login_redirect(response, name: str = "") -> bool:
    """Sent to the portal's login page, the admin's own (the admin sends there everyone who
    is not staff, logged in or not) or the second-factor pages (which send to each other:
    verifying with no device yet is setting one up)."""
    logins = (reverse("accounts:login"), reverse("admin:login"))
    if not name.startswith("accounts:otp_"):
        logins += tuple(reverse(n) for n in ("accounts:otp_verify", "accounts:otp_setup"))
    return response.status_code == 302 and response["Location"].startswith(logins)


def request_route(client, name, kwargs):
    url = reverse(name, kwargs=kwargs or None)
    response = client.get(url)
    if response.status_code == 405:
        # A POST-only route: an empty POST tells who may use it (a form error, not a 403).
        response = client.post(url, {})
    return url, response


def verdict(name, role, response) -> str | None:
    """None when the response matches the table, else why not."""
    status = response.status_code
    if access.is_allowed(name, role):
        if status in (401, 403, 404) or _is_login_redirect(response, name):
            return f"allowed but answered {status}"
        if status >= 500:
            return f"allowed but answered {status}"
        return None
    if role == "anonymous":
        if access.roles_for(name) == access.API_CLIENTS:
            return None if status in (401, 403) else f"token-only but answered {status}"
        return None if _is_login_redirect(response) else f"denied but answered {status}"
    if status in (403, 404) or (access.roles_for(name) == access.API_CLIENTS and status == 401):
        return None
    if access.entry_for(name) == "admin:*" and _is_login_redirect(response):
        return None  # the admin sends logged-in non-staff to its own login page
    return f"denied but answered {status}"


def test_every_route_answers_every_role_as_the_table_says(client, municipality):
    w = build_access_world(municipality)
    kwargs_by_name = route_kwargs(w)
    names = sorted(
        name
        for name in project_route_names()
        if not name.startswith("<unnamed")
        and access.entry_for(name) != "admin:*"
        and access.entry_for(name) in access.ACCESS  # the test above reports the others
    )
    names.append("admin:index")
    # The Sindicatura of another municipality is, here, just someone logged in.
    w.users[ELSEWHERE] = user_create(
        username="elsewhere-staff",
        password=None,
        municipality=MunicipalityFactory(),
        roles=[Role.MUNICIPAL_STAFF],
        is_staff=True,
    )
    failures = []
    for role in [*ROLES, ELSEWHERE]:
        client.logout()
        if role != "anonymous":
            client.force_login(w.users[role])
        for name in names:
            if role == ELSEWHERE and name == "admin:index":
                continue  # they administer their own municipality there
            kwargs = dict(kwargs_by_name.get(name, {}))
            own = OWN_OBJECT.get((name, role))
            if own:
                kwargs["pk"] = getattr(w, own).pk
            if name == "accounts:logout":
                continue  # would log the role out; checked below
            url, response = request_route(client, name, kwargs)
            problem = verdict(name, "authenticated" if role == ELSEWHERE else role, response)
            if problem:
                failures.append(f"{role} {name} {url}: {problem}")
    assert not failures, "Routes answering differently from accounts.access:\n" + "\n".join(
        failures
    )


def test_logout_is_open_to_everyone(client, municipality):
    w = build_access_world(municipality)
    for role in ("anonymous", Role.GUARDIAN):
        if role != "anonymous":
            client.force_login(w.users[role])
        response = client.post(reverse("accounts:logout"))
        assert response.status_code in (200, 302)
        assert not _is_login_redirect(response)


# --- Object-level rules ----------------------------------------------------------------------
# A directorate's own complaints: complaints/tests/test_views.py
# (test_directorate_staff_see_only_their_directorate); its own findings:
# findings/tests/test_views.py (test_directorate_staff_see_only_their_directorates_findings);
# a committee's own needs: committees/tests/test_views.py
# (test_member_cannot_see_or_change_needs_of_other_committees); a civil employee's own
# communities: committees/tests/test_views_staff.py. Only the guardians' own cards had none.


def test_a_guardian_opens_only_their_own_cards_and_a_lead_only_their_colonias(client, municipality):
    from guardians.tests.factories import GuardianFactory
    from territory.tests.factories import ColoniaFactory

    w = build_access_world(municipality)
    url = reverse("guardians:card_detail", kwargs={"pk": w.card.pk})
    colleague = GuardianFactory(municipality=municipality, colonia=w.colonia)
    elsewhere = ColoniaFactory(municipality=municipality, name="Otra colonia")
    other_lead = GuardianFactory(municipality=municipality, colonia=elsewhere, is_lead=True)

    client.force_login(w.guardian.user)
    assert client.get(url).status_code == 200
    for stranger in (colleague.user, other_lead.user):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        listing = client.get(reverse("guardians:card_list")).content.decode()
        assert url not in listing
    client.force_login(w.lead.user)  # the lead of the card's colonia
    assert client.get(url).status_code == 200


def test_a_user_with_only_is_staff_gets_403_on_participation_staff_pages(client, municipality):
    """The exploit of issue 14: ``is_staff`` with no role group (e.g. an admin login given for
    one table) was treated as the Sindicatura on the portal's staff pages. Staff rights come
    from the role groups and the municipality (``accounts.selectors.staff_role_for``)."""
    w = build_access_world(municipality)
    kwargs_by_name = route_kwargs(w)
    only_is_staff = user_create(
        username="only-is-staff", password=None, municipality=municipality, is_staff=True
    )
    client.force_login(only_is_staff)
    assert client.get(reverse("committees:employee_list")).status_code == 403
    assert client.get(reverse("committees:need_list")).status_code == 403
    staff_routes = sorted(
        name
        for name, roles in access.ACCESS.items()
        if name != "admin:*" and roles & access.STAFF and access.AUTHENTICATED not in roles
    )
    failures = []
    for name in staff_routes:
        url, response = request_route(client, name, dict(kwargs_by_name.get(name, {})))
        problem = verdict(name, "authenticated", response)
        if problem:
            failures.append(f"{name} {url}: {problem}")
    assert not failures, "\n".join(failures)
