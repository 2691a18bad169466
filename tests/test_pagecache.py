"""The public page cache (core/pagecache.py) on the space page: hits, per-visitor tokens,
invalidation by every kind of write, and the visitors and failures that bypass it."""

import re
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from contracts.tests.factories import ObligationFactory
from core import pagecache
from territory.models import PublicSpace
from territory.panels import space_page_apps
from territory.selectors import forget_municipality_hosts
from territory.tests.factories import MunicipalityFactory
from territory.tests.test_map_api import build_city

URL = reverse("territory:space_detail", args=["AC-Z11-0001"])
APPS = space_page_apps()


@pytest.fixture
def city(municipality):
    pagecache.clear_local()
    return build_city(municipality)


def _hit(response) -> bool:
    return response.headers.get("X-Page-Cache") == "hit"


def _csrf(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def _nonces(response) -> set[str]:
    return set(re.findall(r'nonce="([^"]+)"', response.content.decode()))


@pytest.mark.django_db(transaction=True)
def test_the_second_visitor_gets_the_stored_page_with_its_own_token_and_nonce(city):
    first, second = Client(), Client()
    miss = first.get(URL)
    hit = second.get(URL)

    assert miss.status_code == hit.status_code == 200
    assert not _hit(miss) and _hit(hit)
    assert "Parque Lerdo" in hit.content.decode()
    # The CSRF token and the CSP nonce are this visitor's, not the first one's.
    assert _csrf(hit) != _csrf(miss)
    assert "csrftoken" in hit.cookies
    assert _nonces(hit) and _nonces(hit) != _nonces(miss)
    (nonce,) = _nonces(hit)
    assert f"'nonce-{nonce}'" in hit.headers["Content-Security-Policy"]
    # The replayed token works: the language switcher posts with it.
    second_strict = Client(enforce_csrf_checks=True)
    page = second_strict.get(URL)
    assert _hit(page)
    switched = second_strict.post(
        reverse("set_language"),
        {"language": "es-mx", "next": URL, "csrfmiddlewaretoken": _csrf(page)},
    )
    assert switched.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_language_and_municipality_are_kept_apart(city):
    english = Client().get(URL, HTTP_ACCEPT_LANGUAGE="en")
    spanish = Client().get(URL, HTTP_ACCEPT_LANGUAGE="es-MX")
    assert not _hit(spanish)
    assert english.headers["Content-Language"] == "en"
    assert spanish.headers["Content-Language"].lower() == "es-mx"
    assert _hit(Client().get(URL, HTTP_ACCEPT_LANGUAGE="es-MX"))

    other = MunicipalityFactory(name="Delicias", slug="delicias", hosts="delicias.localhost")
    forget_municipality_hosts()
    response = Client().get(URL, HTTP_HOST="delicias.localhost")
    assert response.status_code == 404 and not _hit(response)
    assert other.pk != city.park_a.municipality_id


@pytest.mark.django_db(transaction=True)
def test_any_write_shows_on_the_next_visit(city):
    client = Client()
    client.get(URL)
    assert _hit(client.get(URL))

    ObligationFactory(contract=city.contract_a, task="Riego nocturno")  # a related row
    response = client.get(URL)
    assert not _hit(response) and "Riego nocturno" in response.content.decode()

    PublicSpace.objects.filter(pk=city.park_a.pk).first().save()  # the space itself
    assert not _hit(client.get(URL))
    assert _hit(client.get(URL))

    city.contract_a.spaces.remove(city.park_a)  # a many-to-many change
    response = client.get(URL)
    assert not _hit(response) and "LP-11/2026" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_transaction_with_writes_gets_no_stored_page_and_its_commit_bumps_once(city):
    from django.db import transaction

    client = Client()
    client.get(URL)
    assert _hit(client.get(URL))
    versions = pagecache._current_versions(APPS, city.park_a.municipality_id)
    with mock.patch.object(pagecache, "bump", wraps=pagecache.bump) as bump:
        with transaction.atomic():
            for n in range(20):
                ObligationFactory(contract=city.contract_a, task=f"Tarea {n}")
            # This transaction sees its rows: it gets the page rendered, not the stored one.
            response = client.get(URL)
            assert not _hit(response) and "Tarea 19" in response.content.decode()
            assert bump.call_args_list == []  # nothing bumped before the commit ...
        # ... then once per version, however many rows: obligations have no municipality of
        # their own, so the global version of contracts (the factory's company and contract
        # rows add their own).
        assert bump.call_args_list.count(mock.call("contracts", None)) == 1
    assert pagecache._current_versions(APPS, city.park_a.municipality_id) != versions
    response = client.get(URL)
    assert not _hit(response) and "Tarea 19" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_hit_costs_no_query(city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert _hit(response)
    assert [q["sql"] for q in queries.captured_queries] == []  # not even BEGIN


@pytest.mark.django_db(transaction=True)
def test_sql_writers_bump_the_version(city):
    from findings.reconcile import reconcile

    client = Client()
    client.get(URL)
    findings = ("findings",)
    before = pagecache._current_versions(findings, city.park_a.municipality_id)
    with mock.patch("findings.reconcile._cards") as cards:
        cards.side_effect = lambda cursor, result, *args: setattr(result, "findings_raised", 1)
        reconcile(municipality_id=city.park_a.municipality_id)
    assert pagecache._current_versions(findings, city.park_a.municipality_id) != before
    # The space page shows the findings' counts (findings.panels): it is rendered again.
    assert "findings" in APPS and not _hit(client.get(URL))


@pytest.mark.django_db(transaction=True)
def test_a_complaint_filed_on_the_space_expires_its_page(city):
    """The space page lists its open complaints (complaints.panels), so filing one there
    renders the page again, with it."""
    from complaints.tests.factories import make_complaint

    client = Client()
    client.get(URL)
    assert _hit(client.get(URL))
    park = city.park_a
    complaint = make_complaint(
        municipality=park.municipality,
        service_type=city.green,
        lon=park.centroid.x,
        lat=park.centroid.y,
    )
    assert complaint.space_id == park.pk
    response = client.get(URL)
    assert "complaints" in APPS and not _hit(response)
    assert complaint.code in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_rows_the_page_does_not_show_leave_it_cached(city):
    from committees.tests.factories import CitizenCommitteeFactory

    client = Client()
    client.get(URL)
    CitizenCommitteeFactory(municipality=city.park_a.municipality, communities=[])
    assert _hit(client.get(URL))
    assert "committees" not in APPS


@pytest.mark.django_db(transaction=True)
def test_a_complaint_and_its_first_update_bump_their_municipalitys_version_once(city):
    """ComplaintUpdate has no municipality of its own: its complaint's (pagecache_parent)
    scopes the bump, so filing one complaint replaces one version, and other municipalities'
    pages of complaints stay cached."""
    from complaints.tests.factories import make_complaint

    place = city.park_a.municipality
    other = MunicipalityFactory(slug="otra")
    theirs = pagecache._current_versions(("complaints",), other.pk)
    with mock.patch.object(pagecache, "bump", wraps=pagecache.bump) as bump:
        make_complaint(municipality=place, service_type=city.green, lon=-106.0801, lat=28.6101)
    assert bump.call_args_list == [mock.call("complaints", place.pk)]
    assert pagecache._current_versions(("complaints",), other.pk) == theirs


@pytest.mark.django_db(transaction=True)
def test_a_write_after_a_rolled_back_savepoint_still_bumps(city):
    """The savepoint's rollback drops the callback its write registered: the later write of
    the same version must register its own, or the commit would bump nothing."""
    from django.db import transaction

    with mock.patch.object(pagecache, "bump", wraps=pagecache.bump) as bump:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ObligationFactory.build(contract=city.contract_a, task="Poda").save()
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
            ObligationFactory.build(contract=city.contract_a, task="Riego").save()
        assert bump.call_args_list == [mock.call("contracts", None)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_nothing_pending(city):
    from django.db import transaction

    client = Client()
    client.get(URL)
    with mock.patch.object(pagecache, "bump", wraps=pagecache.bump) as bump:
        try:
            with transaction.atomic():
                ObligationFactory.build(contract=city.contract_a, task="Poda").save()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert bump.call_args_list == []
    with transaction.atomic():  # the rolled-back write's mark does not outlive it
        assert not pagecache._writes_pending()
    assert _hit(client.get(URL))


def test_the_cache_reads_no_private_state_of_django():
    import inspect

    assert "run_on_commit" not in inspect.getsource(pagecache)


# --- Every public page behind the cache ------------------------------------------------------

#: The public HTML pages an anonymous visitor GETs (accounts/access.py), all behind
#: @public_page_cache: the pages, forms and notices, not the feeds, downloads, JSON and the
#: e-mailed one-person links.
CACHED_PAGES = (
    "home",
    "territory:map",
    "territory:space_detail",
    "territory:area_detail",
    "territory:colonia_detail",
    "complaints:list",
    "complaints:new",
    "complaints:detail",
    "complaints:privacy_notice",
    "contracts:contract_list",
    "contracts:contract_detail",
    "contracts:company_detail",
    "committees:committee_list",
    "committees:committee_detail",
    "committees:planning",
    "committees:forum_list",
    "committees:forum_detail",
    "committees:work_list",
    "committees:equity",
    "committees:certificate_verify",
    "committees:allocation_history",
    "findings:fix_rate",
    "guardians:program",
    "guardians:join",
    "guardians:join_thanks",
    "guardians:privacy_notice",
    "guardians:visit_brief",
    "opendata:index",
    "privacy:notice",
    "privacy:complaint_request",
)


@pytest.fixture
def world(municipality):
    from accounts.tests.world import build_access_world, route_kwargs

    pagecache.clear_local()
    # Built as the other tests build it, in one transaction whose commit never runs the
    # callbacks (the card's reconciliation would raise the finding the world then adds).
    with mock.patch("django.db.transaction.on_commit", new=lambda *args, **kwargs: None):
        w = build_access_world(municipality)
        kwargs = route_kwargs(w)  # and the rows of the routes' own apps (a review, a request)
    w.urls = {name: reverse(name, kwargs=kwargs.get(name)) for name in CACHED_PAGES}
    return w


def _depends_on(url) -> tuple[str, ...]:
    from django.urls import resolve

    depends_on = resolve(url).func.page_cache_depends_on
    return depends_on() if callable(depends_on) else depends_on


_CONTROL = re.compile(r"(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)


def _without_tokens(response) -> str:
    content = re.sub(r'value="[A-Za-z0-9]{64}"', 'value="csrf"', response.content.decode())
    return re.sub(r'nonce="[^"]+"', 'nonce=""', content)


#: One write of a row of each app, in the world's municipality (or its global version).
WRITES = {
    "accounts": lambda w: w.users["authenticated"].save(),
    "territory": lambda w: w.colonia.save(),
    "contracts": lambda w: w.company.save(),
    "complaints": lambda w: w.complaint.save(),
    "committees": lambda w: w.committee.save(),
    "guardians": lambda w: w.application.save(),
    "findings": lambda w: w.finding.save(),
    "reviews": lambda w: _review_save(w),
}


def _review_save(w):
    from reviews.models import ContractReview

    ContractReview.objects.filter(contract=w.contract).first().save()


@pytest.mark.django_db(transaction=True)
def test_every_page_is_served_again_without_a_query_and_the_same(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, url in world.urls.items():
        miss = Client().get(url)
        assert miss.status_code == 200 and not _hit(miss), name
        with CaptureQueriesContext(connection) as queries:
            hit = Client().get(url)
        assert _hit(hit), name
        # Not a statement; a form's hit opens its request's transaction (a BEGIN on SQLite).
        statements = [q["sql"] for q in queries.captured_queries if not _CONTROL.match(q["sql"])]
        assert statements == [], name
        assert _without_tokens(hit) == _without_tokens(miss), name


@pytest.mark.django_db(transaction=True)
def test_every_page_names_the_apps_of_every_table_it_reads(world):
    """The page cache expires a page only on writes of the apps it names and follows (APPS):
    every table its view, template and panels read must belong to one of those. (A page may
    name an app that adds a panel without rows, such as alerts' "Follow this place".)"""
    from django.apps import apps
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ours = {
        config.label
        for config in apps.get_app_configs()
        if config.path.startswith(str(settings.BASE_DIR))
    }
    tables = {
        model._meta.db_table: model._meta.app_label
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in ours
    }
    for name, url in world.urls.items():
        pagecache.clear_local()
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url).status_code == 200, name
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        read = {label for table, label in tables.items() if f'"{table}"' in sql}
        read -= {"audit"}  # appended with the write it records (core/pagecache.py)
        followed = set(_depends_on(url)) & set(pagecache.APPS)
        assert read <= followed, (name, read - followed)


@pytest.mark.django_db(transaction=True)
def test_a_write_of_each_app_a_page_names_expires_it(world):
    client = Client()
    for name, url in world.urls.items():
        for label in set(_depends_on(url)) & set(pagecache.APPS):
            client.get(url)
            assert _hit(client.get(url)), (name, label)
            WRITES[label](world)
            assert not _hit(client.get(url)), (name, label)


def _new_complaint(w):
    from complaints.tests.factories import make_complaint

    park = w.spaces[0]
    return make_complaint(
        municipality=w.municipality,
        service_type=w.green,
        lon=park.centroid.x,
        lat=park.centroid.y,
        description="Columpio roto junto a la fuente",
    ).code


def _new_committee(w):
    from committees.tests.factories import CitizenCommitteeFactory

    return CitizenCommitteeFactory(
        municipality=w.municipality, communities=[], name="Comité Vecinal Las Ánimas"
    ).name


def _new_obligation(w):
    return ObligationFactory(contract=w.contract, task="Poda de setos cada quince días").task


def _renamed_company(w):
    w.company.legal_name = "Jardines del Norte Renovados SA de CV"
    w.company.save()
    return w.company.legal_name


def _renamed_colonia(w):
    w.colonia.name = "Colonia Recién Nombrada"
    w.colonia.save()
    return w.colonia.name


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("complaints:list", _new_complaint),
        ("committees:committee_list", _new_committee),
        ("contracts:contract_detail", _new_obligation),
        ("contracts:contract_list", _renamed_company),
        ("findings:fix_rate", _renamed_company),
        ("guardians:join", _renamed_colonia),
    ],
)
def test_the_new_content_appears_after_a_write(world, name, write):
    client = Client()
    url = world.urls[name]
    client.get(url)
    assert _hit(client.get(url))
    text = write(world)
    response = client.get(url)
    assert not _hit(response) and text in response.content.decode()
