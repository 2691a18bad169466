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
