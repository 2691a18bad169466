"""ARCO: the places an address follows and its digests are exported and cancelled, in the
municipality asked only."""

import pytest
from django.utils import timezone

from accounts.privacy.arco import Subject, anonymisers, exporters
from alerts.arco import anonymise, export
from alerts.models import DigestDelivery, Subscription
from territory.tests.factories import MunicipalityFactory, PublicSpaceFactory

pytestmark = pytest.mark.django_db

EMAIL = "vecina@example.org"


def _follow(municipality, space, email=EMAIL):
    now = timezone.now()
    Subscription.objects.create(
        municipality=municipality, email=email, kind="space", space=space, confirmed_at=now
    )
    DigestDelivery.objects.create(
        municipality=municipality,
        email=email,
        day=timezone.localdate(),
        period_start=now,
        period_end=now,
        items=3,
        sent_at=now,
    )


def test_export_and_cancel_an_address_in_its_municipality_only(world):
    _follow(world.municipality, world.spaces[0])
    _follow(world.municipality, world.spaces[1], email="otra@example.org")
    other = MunicipalityFactory(slug="villaflores")
    _follow(other, PublicSpaceFactory(municipality=other, code="VF-1"))
    assert ("alerts", export) in exporters() and ("alerts", anonymise) in anonymisers()

    subject = Subject(municipality=world.municipality, emails=frozenset({EMAIL}))
    data = export(subject)
    assert [row["place"] for row in data["following_places"]] == ["Parque 0 (AC-0)"]
    assert data["digests_sent"][0]["changes"] == 3

    removed = anonymise(subject)
    assert len(removed["alerts.subscription"]) == 1 and len(removed["alerts.digestdelivery"]) == 1
    assert not Subscription.objects.filter(municipality=world.municipality, email=EMAIL).exists()
    assert Subscription.objects.filter(email="otra@example.org").exists()
    assert Subscription.objects.filter(municipality=other, email=EMAIL).exists()
    assert DigestDelivery.objects.filter(municipality=other, email=EMAIL).exists()
    assert export(subject) == {}


def test_staff_read_subscriptions_in_the_admin_of_their_municipality_only(client, world):
    from accounts.services import user_create

    _follow(world.municipality, world.spaces[0])
    other = MunicipalityFactory(slug="villaflores")
    _follow(other, PublicSpaceFactory(municipality=other, code="VF-1"), email="ajena@example.org")
    admin = user_create(
        username="admin",
        password=None,
        municipality=world.municipality,
        is_staff=True,
        is_superuser=True,
    )
    client.force_login(admin)
    for url in ("/admin/alerts/subscription/", "/admin/alerts/digestdelivery/"):
        listing = client.get(url)
        assert listing.status_code == 200, url
        assert EMAIL.encode() in listing.content and b"ajena@example.org" not in listing.content
    assert client.get("/admin/alerts/subscription/add/").status_code == 403
