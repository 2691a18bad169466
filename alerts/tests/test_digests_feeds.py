"""The daily digests (once a day, never doubled, nothing lost) and the Atom feeds."""

import datetime
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import DigestDelivery, Subscription
from alerts.services import DigestsFailed, digests_send
from alerts.tasks import send_digests
from complaints.services import complaint_change_status
from complaints.tests.factories import REPORTER_EMAIL, REPORTER_NAME, make_complaint
from findings.services import findings_reconcile
from territory.tests.factories import ColoniaFactory, MunicipalityFactory, PublicSpaceFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
EMAIL = "vecina@example.org"


def _subscribe(world, *, email=EMAIL, days_ago=2, **place):
    place = place or {"kind": "space", "space": world.spaces[0]}
    return Subscription.objects.create(
        municipality=world.municipality,
        email=email,
        confirmed_at=timezone.now() - datetime.timedelta(days=days_ago),
        **place,
    )


def _activity(world):
    """A complaint on the first park and its status change, a card with failures there and the
    findings it raises."""
    complaint = make_complaint(
        municipality=world.municipality,
        service_type=world.green,
        lon=-106.0895,
        lat=28.6205,
        address="Calle Privada 123",
    )
    assert complaint.space == world.spaces[0]
    complaint_change_status(complaint=complaint, status="in_progress", note="Cuadrilla asignada")
    world.file(**{"grass-cut": "no"})
    findings_reconcile(municipality=world.municipality)
    return complaint


def test_a_digest_lists_the_places_changes_once_a_day(world, mailoutbox):
    subscription = _subscribe(world)
    _subscribe(world, email="otra@example.org", kind="space", space=world.spaces[2])  # quiet
    complaint = _activity(world)
    mailoutbox.clear()

    assert digests_send() == 1
    (message,) = mailoutbox
    assert message.to == [EMAIL]
    body = message.body
    assert f"New complaint {complaint.code}" in body
    assert f"Complaint {complaint.code} (Mantenimiento de áreas verdes): In progress" in body
    assert "Surveillance card filed at Parque 0" in body
    assert "Problem found at Parque 0" in body
    assert f"https://chihuahua.example/alerts/unsubscribe/{subscription.token}/" in body
    # Public data only: never the reporter or the address.
    for private in (REPORTER_EMAIL, REPORTER_NAME, "Calle Privada"):
        assert private not in body
    # One-click unsubscribe (RFC 8058) in the headers.
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<https://chihuahua.example/alerts/unsubscribe-all/{subscription.token}/>"
    )
    delivery = DigestDelivery.objects.get()
    assert (delivery.email, delivery.day, delivery.items) == (EMAIL, timezone.localdate(), 4)

    # The task running again the same day (beat twice, a retry) sends nothing more, even with
    # new changes: they wait for tomorrow's digest.
    complaint_change_status(complaint=complaint, status="resolved")
    assert send_digests.apply().get() == 0
    assert len(mailoutbox) == 1 and DigestDelivery.objects.count() == 1

    # Tomorrow: only what changed since the last digest.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert digests_send(now=tomorrow) == 1
    body = mailoutbox[-1].body
    assert "Resolved" in body and "New complaint" not in body and "Surveillance card" not in body
    # The day after, nothing changed: no e-mail, no row.
    assert digests_send(now=tomorrow + datetime.timedelta(days=1)) == 0
    assert DigestDelivery.objects.count() == 2 and len(mailoutbox) == 2


def test_a_failed_send_loses_nothing_and_the_retry_sends_it(world, mailoutbox):
    _subscribe(world)
    _subscribe(world, email="otra@example.org")
    complaint = _activity(world)
    mailoutbox.clear()
    real_send = __import__("django.core.mail", fromlist=["EmailMessage"]).EmailMessage.send

    def flaky(message, *args, **kwargs):
        if message.to == [EMAIL]:
            raise ConnectionRefusedError("SMTP down")
        return real_send(message, *args, **kwargs)

    # DigestsFailed is an OSError: the task's autoretry takes it.
    with mock.patch("django.core.mail.EmailMessage.send", flaky), pytest.raises(DigestsFailed):
        digests_send()
    assert [m.to for m in mailoutbox] == [["otra@example.org"]]
    assert list(DigestDelivery.objects.values_list("email", flat=True)) == ["otra@example.org"]

    # The retry sends the failed one, with the same changes, and not the other one again.
    assert digests_send() == 1
    assert [m.to for m in mailoutbox] == [["otra@example.org"], [EMAIL]]
    assert f"New complaint {complaint.code}" in mailoutbox[-1].body
    assert DigestDelivery.objects.count() == 2


def test_one_digest_per_address_covers_every_place_it_follows(world, mailoutbox):
    _subscribe(world)
    _subscribe(world, kind="colonia_service", colonia=world.colonia, service_type=world.green)
    _activity(world)
    mailoutbox.clear()
    assert digests_send() == 1
    body = mailoutbox[0].body
    assert "== Parque 0 (AC-0) ==" in body
    assert "== Mantenimiento de áreas verdes in Centro ==" in body


def test_another_municipalitys_changes_never_reach_a_digest(world, mailoutbox):
    other = MunicipalityFactory(slug="villaflores")
    from territory.tests.factories import ServiceTypeFactory

    green = ServiceTypeFactory(municipality=other, code="green-spaces")
    ColoniaFactory(municipality=other, name="Centro")
    PublicSpaceFactory(municipality=other, code="AC-0", geometry=world.spaces[0].geometry)
    other_complaint = make_complaint(
        municipality=other, service_type=green, lon=-106.0895, lat=28.6205
    )
    _subscribe(world, kind="colonia", colonia=world.colonia)
    mine = _activity(world)
    mailoutbox.clear()
    digests_send()
    (message,) = mailoutbox
    assert mine.code in message.body and other_complaint.code not in message.body


# --- Feeds -----------------------------------------------------------------------------------


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own responses)


def test_each_place_has_a_valid_atom_feed_of_public_changes(en_client, world):
    complaint = _activity(world)
    lighting = make_complaint(
        municipality=world.municipality, service_type=world.lighting, lon=-106.08, lat=28.63
    )
    feed = _feed(en_client, f"/alerts/spaces/{world.spaces[0].code}/feed/")
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "Changes at Parque 0 (AC-0)"
    assert feed.find(f"{ATOM}id").text and feed.find(f"{ATOM}updated").text
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 4  # filed, in progress, the card, the finding it raised
    for entry in entries:
        for child in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{child}") is not None, child
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/")
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)
    titles = " ".join(e.find(f"{ATOM}title").text for e in entries)
    assert complaint.code in titles and lighting.code not in titles
    raw = en_client.get(f"/alerts/spaces/{world.spaces[0].code}/feed/").content.decode()
    for private in (REPORTER_EMAIL, REPORTER_NAME, "Calle Privada"):
        assert private not in raw

    colonia = _feed(en_client, f"/alerts/colonias/{world.colonia.pk}/feed/")
    colonia_titles = " ".join(e.find(f"{ATOM}title").text for e in colonia.iter(f"{ATOM}entry"))
    assert complaint.code in colonia_titles and lighting.code in colonia_titles
    only_lighting = _feed(en_client, f"/alerts/colonias/{world.colonia.pk}/lighting/feed/")
    lighting_titles = [e.find(f"{ATOM}title").text for e in only_lighting.iter(f"{ATOM}entry")]
    assert lighting_titles == [f"New complaint {lighting.code} (Street lighting)"] or all(
        lighting.code in t for t in lighting_titles
    )
    assert lighting_titles and not any(complaint.code in t for t in lighting_titles)
    area = _feed(en_client, f"/alerts/areas/{world.area.pk}/feed/")
    assert complaint.code in " ".join(
        e.find(f"{ATOM}title").text for e in area.iter(f"{ATOM}entry")
    )


def test_unknown_or_foreign_feeds_are_404(en_client, world):
    other = MunicipalityFactory(slug="villaflores")
    foreign_colonia = ColoniaFactory(municipality=other, name="Otra")
    PublicSpaceFactory(municipality=other, code="VF-9")
    for url in (
        "/alerts/spaces/NO-SUCH/feed/",
        "/alerts/spaces/VF-9/feed/",
        "/alerts/areas/999999/feed/",
        "/alerts/colonias/999999/feed/",
        f"/alerts/colonias/{foreign_colonia.pk}/feed/",
        f"/alerts/colonias/{world.colonia.pk}/no-such-service/feed/",
    ):
        assert en_client.get(url).status_code == 404, url


def test_a_feed_costs_the_same_queries_with_more_changes(world):
    client = Client()
    url = f"/alerts/colonias/{world.colonia.pk}/feed/"
    _activity(world)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()  # warm: the host map, the first request's one-off reads
    few = count()
    for n in range(8):
        make_complaint(
            municipality=world.municipality,
            service_type=world.lighting,
            lon=-106.08 + n * 0.001,
            lat=28.63,
        )
        world.file(space=world.spaces[1], days_ago=n + 2, **{"irrigation": "no"})
    findings_reconcile(municipality=world.municipality)
    assert count() == few <= 8
