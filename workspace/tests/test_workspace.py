"""Each role's workspace: where the login lands, what it shows and what it must not (pages the
role would be refused, another municipality's or another directorate's work), its queues'
counts and oldest items, and a constant, small number of queries."""

import datetime
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from accounts import access
from accounts.models import ArcoRequest, Role
from accounts.services import user_create
from accounts.tests.world import ROLES, build_access_world
from committees.models import Need, Requisition
from committees.tests.factories import NeedFactory
from complaints.models import Complaint
from complaints.tests.factories import make_complaint
from findings.models import Finding
from guardians.models import GuardianApplication
from guardians.tests.factories import GuardianApplicationFactory
from territory.tests.factories import ColoniaFactory, MunicipalityFactory

pytestmark = pytest.mark.django_db

WORKSPACE = "/workspace/"
HREF = re.compile(r'href="([^"]+)"')
LOGGED_IN_ROLES = [role for role in ROLES if role != "anonymous"]
STAFF = (Role.MUNICIPAL_STAFF, Role.ADMINISTRATOR)
QUERY_BUDGET = 12

# The sections this helper's modules add, by role (other helpers add more: not checked here).
SECTIONS = {
    "authenticated": {"account", "messages"},
    Role.GUARDIAN: {"account", "messages", "guardian"},
    Role.LEAD_GUARDIAN: {"account", "messages", "guardian"},
    Role.COMMITTEE_MEMBER: {"account", "messages", "participation"},
    Role.CIVIL_EMPLOYEE: {"account", "messages", "participation"},
    Role.DIRECTORATE_STAFF: {"account", "messages", "complaints", "findings", "contracts"},
    Role.MUNICIPAL_STAFF: {
        "account",
        "messages",
        "guardians_program",
        "complaints",
        "findings",
        "participation_staff",
        "contracts",
        "privacy",
    },
}
SECTIONS[Role.ADMINISTRATOR] = SECTIONS[Role.MUNICIPAL_STAFF]
ALL_MINE = set().union(*SECTIONS.values())


@pytest.fixture
def world(municipality):
    return build_access_world(municipality)


def links_in_main(html: str) -> set[str]:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return {unescape(href) for href in HREF.findall(main) if not href.startswith("#")}


def workspace(client, user):
    client.force_login(user)
    response = client.get(WORKSPACE)
    assert response.status_code == 200
    return response


def queue(response, key):
    for section in response.context["sections"]:
        for item in section.queues:
            if item.key == key:
                return item
    raise AssertionError(f"no queue {key}")


def section_keys(response) -> set[str]:
    return {section.key for section in response.context["sections"]}


def test_every_login_lands_on_its_workspace(client, municipality):
    user_create(
        username="sindica",
        password="a-long-password-1",
        municipality=municipality,
        roles=[Role.MUNICIPAL_STAFF],
    )
    response = client.post(
        reverse("accounts:login"), {"username": "sindica", "password": "a-long-password-1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:home")


def test_the_workspace_asks_anonymous_visitors_to_log_in(client, municipality):
    response = client.get(WORKSPACE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_each_role_sees_its_sections_and_not_the_others(client, world):
    for role in LOGGED_IN_ROLES:
        keys = section_keys(workspace(client, world.users[role]))
        assert SECTIONS[role] <= keys, role
        assert not (ALL_MINE - SECTIONS[role]) & keys, (role, keys)


def test_every_link_of_every_workspace_is_allowed_to_the_role_and_opens(client, world):
    """No link the role would be refused (403, login): each resolves to a route that
    accounts.access allows the role, and answers 200."""
    failures = []
    for role in LOGGED_IN_ROLES:
        user = world.users[role]
        links = links_in_main(workspace(client, user).content.decode())
        assert links, role
        for link in sorted(links):
            path = urlsplit(link).path
            name = resolve(path).view_name
            if access.entry_for(name) not in access.ACCESS:
                failures.append(f"{role}: {link} ({name}) is missing from accounts.access")
            elif not access.is_allowed(name, role):
                failures.append(f"{role}: {link} ({name}) is not allowed")
                continue
            response = client.get(link)
            if response.status_code != 200:
                failures.append(f"{role}: {link} answered {response.status_code}")
            elif "admin" in name and "/admin/" in link and "?e=1" in response.get("Location", ""):
                failures.append(f"{role}: {link} has a filter the admin refuses")
    assert not failures, "\n".join(failures)


def test_staff_reach_the_pages_linked_from_nowhere_else(client, world):
    links = links_in_main(workspace(client, world.users[Role.MUNICIPAL_STAFF]).content.decode())
    paths = {urlsplit(link).path for link in links}
    for name in (
        "guardians:application_list",
        "guardians:visit_list",
        "guardians:training_report_all",
        "guardians:review_queue",
        "complaints:brief",
        "complaints:impact",
        "complaints:inbox",
        "findings:list",
        "findings:messages",
        "committees:dashboard",
        "committees:need_list",
        "committees:requisition_list",
        "committees:allocation_list",
        "committees:employee_list",
        "committees:activity_list",
        "privacy:my_data",
        "admin:index",
        "admin:accounts_arcorequest_changelist",
    ):
        assert reverse(name) in paths, name


def test_guardians_and_participants_get_no_staff_link(client, world):
    staff_roles = access.STAFF | {Role.DIRECTORATE_STAFF}
    staff_only = {
        reverse(name)
        for name, roles in access.ACCESS.items()
        if name != "admin:*" and roles <= staff_roles and _reversible(name)
    }
    assert reverse("guardians:application_list") in staff_only
    for role in (
        Role.GUARDIAN,
        Role.LEAD_GUARDIAN,
        Role.COMMITTEE_MEMBER,
        Role.CIVIL_EMPLOYEE,
        "authenticated",
    ):
        html = workspace(client, world.users[role]).content.decode()
        paths = {urlsplit(link).path for link in links_in_main(html)}
        assert not paths & staff_only, (role, paths & staff_only)
        assert not any(path.startswith("/admin/") for path in paths), role


def _reversible(name: str) -> bool:
    try:
        reverse(name)
    except Exception:  # noqa: BLE001 - routes that need arguments
        return False
    return True


def _age(model_queryset, field, days):
    model_queryset.update(**{field: timezone.now() - datetime.timedelta(days=days)})


def test_queues_count_this_municipality_only_with_the_oldest_item(client, world, municipality):
    elsewhere = MunicipalityFactory()
    elsewhere_colonia = ColoniaFactory(municipality=elsewhere)
    for _ in range(3):
        GuardianApplicationFactory(municipality=elsewhere, colonia=elsewhere_colonia)
    ArcoRequest.objects.create(municipality=elsewhere, kind="access", email="x@example.org")
    old = GuardianApplicationFactory(municipality=municipality, colonia=world.colonia)
    _age(GuardianApplication.private_objects.filter(pk=old.pk), "created_at", 12)
    GuardianApplicationFactory(
        municipality=municipality, colonia=world.colonia, status=GuardianApplication.Status.APPROVED
    )
    response = workspace(client, world.users[Role.MUNICIPAL_STAFF])
    applications = queue(response, "guardian_applications")
    assert applications.count == 2  # the world's own pending one and the old one
    assert applications.oldest.date() == (timezone.now() - datetime.timedelta(days=12)).date()
    assert applications.url == reverse("guardians:application_list") + "?status=pending&o=created"
    assert queue(response, "arco_pending").count == 0
    # The page shows the count and links it to the filtered list.
    html = response.content.decode()
    assert 'href="/guardians/applications/?status=pending&amp;o=created"' in html


def test_arco_requests_are_counted_by_their_legal_deadline(client, world, municipality):
    late = ArcoRequest.objects.create(municipality=municipality, kind="access", email="a@x.org")
    ArcoRequest.objects.create(municipality=municipality, kind="opposition", email="b@x.org")
    ArcoRequest.objects.create(
        municipality=municipality, kind="access", email="c@x.org", status="done"
    )
    # 40 calendar days are always more than 20 working days.
    _age(ArcoRequest.objects.filter(pk=late.pk), "created_at", 40)
    arco = queue(workspace(client, world.users[Role.ADMINISTRATOR]), "arco_pending")
    assert (arco.count, arco.overdue) == (2, 1)
    assert arco.oldest == ArcoRequest.objects.get(pk=late.pk).created_at
    assert arco.url.startswith(reverse("admin:accounts_arcorequest_changelist"))


def test_a_directorate_sees_only_its_own_complaints_and_findings(client, world, municipality):
    mine = world.complaint
    Complaint.private_objects.filter(pk=mine.pk).update(directorate=world.parks)
    theirs = make_complaint(municipality=municipality, service_type=world.lighting)
    Complaint.private_objects.filter(pk=theirs.pk).update(
        directorate=world.lights, status=Complaint.Status.RECEIVED
    )
    other_finding = Finding.objects.get(pk=world.finding.pk)
    other_finding.pk = None
    other_finding.directorate = world.lights
    other_finding.item_code = "lamp-on"
    other_finding.save()
    Finding.objects.filter(pk=world.finding.pk).update(status=Finding.Status.NOTIFIED)

    own = workspace(client, world.users[Role.DIRECTORATE_STAFF])
    status = Complaint.private_objects.get(pk=mine.pk).status
    assert queue(own, f"complaints_{status}").count == 1
    complaint_total = sum(
        item.count
        for section in own.context["sections"]
        if section.key == "complaints"
        for item in section.queues
    )
    assert complaint_total == 1
    assert queue(own, "findings_open").count == 1
    assert not [
        item
        for section in own.context["sections"]
        for item in section.queues
        if item.key.startswith("findings_directorate_")
    ]

    sindicatura = workspace(client, world.users[Role.MUNICIPAL_STAFF])
    assert queue(sindicatura, "findings_open").count == 2
    by_directorate = queue(sindicatura, f"findings_directorate_{world.lights.pk}")
    assert by_directorate.count == 1
    assert f"directorate={world.lights.pk}" in by_directorate.url
    total = sum(
        item.count
        for section in sindicatura.context["sections"]
        if section.key == "complaints"
        for item in section.queues
    )
    assert total == 2


def test_the_filtered_lists_the_queues_open_list_the_waiting_items_oldest_first(
    client, world, municipality
):
    client.force_login(world.users[Role.MUNICIPAL_STAFF])
    old = GuardianApplicationFactory(
        municipality=municipality, colonia=world.colonia, full_name="Ana Antigua"
    )
    _age(GuardianApplication.private_objects.filter(pk=old.pk), "created_at", 30)
    # Plain names (a random one may be escaped in the HTML).
    GuardianApplication.private_objects.filter(pk=world.application.pk).update(
        full_name="Beto Reciente"
    )
    done = GuardianApplicationFactory(
        municipality=municipality,
        colonia=world.colonia,
        status=GuardianApplication.Status.REJECTED,
        full_name="Rechazada Persona",
    )
    html = client.get(reverse("guardians:application_list") + "?status=pending&o=created")
    text = html.content.decode()
    assert done.full_name not in text
    assert text.index("Ana Antigua") < text.index("Beto Reciente")

    need = NeedFactory(municipality=municipality, colonia=world.community)
    Need.objects.filter(pk=need.pk).update(status=Need.Status.DELIVERED)
    response = client.get(reverse("committees:need_list") + "?waiting=true&o=created")
    listed = {n.pk for n in response.context["page"]}
    assert world.need.pk in listed and need.pk not in listed

    Requisition.objects.filter(pk=world.requisition.pk).update(
        status=Requisition.Status.SUBMITTED, submitted_on=world.today
    )
    response = client.get(reverse("committees:requisition_list") + "?status=submitted&o=submitted")
    assert [r.pk for r in response.context["page"]] == [world.requisition.pk]
    response = client.get(reverse("committees:requisition_list") + "?status=approved")
    assert list(response.context["page"]) == []

    Finding.objects.filter(pk=world.finding.pk).update(status=Finding.Status.NOTIFIED)
    response = client.get(reverse("findings:list") + "?awaiting=answer&o=created")
    assert [f.pk for f in response.context["page"]] == [world.finding.pk]
    response = client.get(reverse("findings:list") + "?awaiting=fix&escalated=true")
    assert list(response.context["page"]) == []
    Finding.objects.filter(pk=world.finding.pk).update(escalated_at=timezone.now())
    response = client.get(reverse("findings:list") + "?awaiting=fix&escalated=true&o=created")
    assert [f.pk for f in response.context["page"]] == [world.finding.pk]

    newer = make_complaint(municipality=municipality, service_type=world.green)
    response = client.get(reverse("complaints:inbox") + "?o=created")
    codes = [c.code for c in response.context["page"]]
    assert codes.index(world.complaint.code) < codes.index(newer.code)


def _grow(world, municipality, n):
    """More of everything the queues count, so that an N+1 would show."""
    for i in range(n):
        GuardianApplicationFactory(municipality=municipality, colonia=world.colonia)
        make_complaint(municipality=municipality, service_type=world.green)
        NeedFactory(municipality=municipality, colonia=world.community)
        ArcoRequest.objects.create(municipality=municipality, kind="access", email=f"{i}@x.org")
        copy = Finding.objects.get(pk=world.finding.pk)
        copy.pk = None
        copy.item_code = f"item-{i}"
        copy.directorate = world.lights if i % 2 else world.parks
        copy.save()


def _queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("home"))  # the host map and the session, as on any later page
    with CaptureQueriesContext(connection) as captured:
        assert client.get(WORKSPACE).status_code == 200
    return len(captured)


def test_the_workspace_costs_a_constant_small_number_of_queries(client, world, municipality):
    before = {role: _queries(client, world.users[role]) for role in LOGGED_IN_ROLES}
    _grow(world, municipality, 12)
    after = {role: _queries(client, world.users[role]) for role in LOGGED_IN_ROLES}
    assert after == before
    assert max(after.values()) <= QUERY_BUDGET, after


def test_the_admin_index_shows_the_same_queues(client, world, municipality):
    GuardianApplicationFactory(municipality=MunicipalityFactory(), colonia=world.colonia)
    client.force_login(world.users[Role.MUNICIPAL_STAFF])
    html = client.get(reverse("admin:index")).content.decode()
    assert 'id="work-queues"' in html
    assert 'data-queue="guardian_applications"' in html
    assert 'href="/guardians/applications/?status=pending&amp;o=created"' in html
    expected = queue(workspace(client, world.users[Role.MUNICIPAL_STAFF]), "guardian_applications")
    row = html.split('data-queue="guardian_applications"', 1)[1].split("</tr>", 1)[0]
    assert f'<td class="numeric">{expected.count}</td>' in row


def test_the_header_shows_the_workspace_and_the_public_links_only(client, world):
    client.force_login(world.users[Role.MUNICIPAL_STAFF])
    html = client.get(reverse("home")).content.decode()
    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    assert f'href="{reverse("workspace:home")}"' in header
    assert 'class="nav-toggle" aria-expanded="false" aria-controls="site-nav" hidden' in header
    for staff_page in ("guardians:review_queue", "complaints:impact", "findings:list"):
        assert f'href="{reverse(staff_page)}"' not in header
    client.logout()
    header = client.get(reverse("home")).content.decode().split("</header>", 1)[0]
    assert f'href="{reverse("workspace:home")}"' not in header
    assert f'href="{reverse("accounts:login")}"' in header


def test_counted_queues_are_read_together_in_one_query(world, municipality):
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Count, Min, Q

    from workspace.registry import Queue, Section, read_tallies

    old = GuardianApplicationFactory(municipality=municipality, colonia=world.colonia)
    _age(GuardianApplication.private_objects.filter(pk=old.pk), "created_at", 5)
    applications = GuardianApplication.private_objects.for_municipality(municipality)

    def sections():
        return [
            Section(
                key=f"s{n}",
                title="s",
                queues=[
                    Queue.counted(
                        key="applications",
                        label="a",
                        url="/",
                        queryset=applications,
                        count=Count("pk"),
                        oldest=Min("created_at"),
                        overdue=Count("pk", filter=Q(pk=old.pk)),
                    ),
                    Queue.counted(
                        key="none",
                        label="n",
                        url="/",
                        queryset=applications.none(),
                        count=Count("pk"),
                    ),
                    Queue(key="plain", label="p", count=7, url="/"),
                ],
            )
            for n in range(3)
        ]

    together = sections()
    with CaptureQueriesContext(connection) as captured:
        read_tallies(together, user=world.users[Role.MUNICIPAL_STAFF])
    assert len(captured) == 1
    one_by_one = sections()
    read_tallies(one_by_one, user=AnonymousUser())
    for section in (*together, *one_by_one):
        first, empty, plain = section.queues
        assert (first.count, first.overdue, first.tally) == (2, 1, None)
        assert first.oldest == GuardianApplication.private_objects.get(pk=old.pk).created_at
        assert (empty.count, empty.oldest, empty.overdue) == (0, None, None)
        assert plain.count == 7
