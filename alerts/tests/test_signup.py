"""Following a place by e-mail: double opt-in, bad input, one-click unsubscribe, scoping."""

import re
import time
import uuid
from unittest import mock

import pytest
from django.test import Client

from alerts.models import Subscription
from alerts.selectors import space_place
from alerts.services import subscription_request
from territory.selectors import forget_municipality_hosts
from territory.tests.factories import MunicipalityFactory, PublicSpaceFactory

pytestmark = pytest.mark.django_db

EMAIL = "vecina@example.org"


def _link(message) -> str:
    """The path of the one portal link in an e-mail."""
    (url,) = re.findall(r"https://chihuahua\.example(/\S+)", message.body)
    return url


def follow_data(**extra):
    return {"email": EMAIL, "accept_privacy_notice": "on", **extra}


def test_signing_up_stores_nothing_until_the_confirm_button_is_pressed(
    en_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    space = world.spaces[0]
    url = f"/alerts/follow/spaces/{space.code}/"
    form = en_client.get(url)
    assert form.status_code == 200 and f"Follow {space.name}" in form.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(url, follow_data(email=" Vecina@Example.org "))
    assert response.status_code == 302 and response["Location"] == space.get_absolute_url()
    assert Subscription.objects.count() == 0  # nothing stored until confirmed
    (message,) = mailoutbox
    assert message.to == [EMAIL] and space.name in message.subject
    confirm_path = _link(message)
    assert confirm_path.startswith("/alerts/confirm/")
    page = en_client.get(space.get_absolute_url()).content.decode()
    assert "Check your e-mail" in page

    # A mail scanner (or the citizen) opening the link creates nothing: only the button does.
    for _ in range(2):
        opened = en_client.get(confirm_path)
        assert opened.status_code == 200
        assert "Confirm: follow this place" in opened.content.decode()
    assert Subscription.objects.count() == 0

    confirmed = en_client.post(confirm_path)
    assert confirmed.status_code == 302 and confirmed["Location"] == space.get_absolute_url()
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.kind, subscription.space) == (EMAIL, "space", space)
    assert subscription.municipality == world.municipality and subscription.language == "en"
    assert "Confirmed: you follow" in en_client.get(space.get_absolute_url()).content.decode()
    # Confirming twice changes nothing.
    assert en_client.post(confirm_path).status_code == 302
    assert Subscription.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "no-es-correo"}, "email", "Enter a valid e-mail address."),
        ({"email": ""}, "email", "Enter your e-mail address."),
        (
            {"accept_privacy_notice": ""},
            "accept_privacy_notice",
            "You must accept the privacy notice to follow a place.",
        ),
    ],
)
def test_bad_input_gets_a_field_error_keeps_what_was_typed_and_sends_nothing(
    en_client, world, mailoutbox, data, field, message
):
    url = f"/alerts/follow/spaces/{world.spaces[0].code}/"
    response = en_client.post(url, follow_data(**data))
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}-errors"' in body and message in body
    if data.get("email"):
        assert f'value="{data["email"]}"' in body
    assert mailoutbox == [] and Subscription.objects.count() == 0


def test_a_colonia_can_be_followed_whole_or_for_one_service(
    en_client, world, mailoutbox, django_capture_on_commit_callbacks
):
    url = f"/alerts/follow/colonias/{world.colonia.pk}/"
    assert "Every service" in en_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        en_client.post(url, follow_data(service="lighting"))
        en_client.post(url, follow_data())
    for message in mailoutbox:
        en_client.post(_link(message))
    rows = {(s.kind, s.colonia_id, s.service_type_id) for s in Subscription.objects.all()}
    assert rows == {
        ("colonia_service", world.colonia.pk, world.lighting.pk),
        ("colonia", world.colonia.pk, None),
    }
    bad = en_client.post(url, follow_data(service="no-such-service"))
    assert bad.status_code == 400 and Subscription.objects.count() == 2


def test_an_area_can_be_followed(en_client, world, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        en_client.post(f"/alerts/follow/areas/{world.area.pk}/", follow_data())
    en_client.post(_link(mailoutbox[0]))
    assert Subscription.objects.get().area == world.area


def test_a_forged_expired_or_foreign_link_creates_nothing(en_client, world, mailoutbox):
    place = space_place(municipality=world.municipality, code=world.spaces[0].code)
    token = subscription_request(place=place, email=EMAIL)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = en_client.post(f"/alerts/confirm/{forged}/")
    assert response.status_code == 400 and "not valid or has expired" in response.content.decode()
    with mock.patch("time.time", return_value=time.time() + 4 * 24 * 3600):
        assert en_client.post(f"/alerts/confirm/{token}/").status_code == 400
    # A link made for another municipality's space does not work on this one's host.
    other = MunicipalityFactory(slug="villaflores", hosts="villaflores.localhost")
    other_space = PublicSpaceFactory(municipality=other, code="VF-1")
    other_token = subscription_request(
        place=space_place(municipality=other, code="VF-1"), email=EMAIL
    )
    assert en_client.post(f"/alerts/confirm/{other_token}/").status_code == 400
    assert Subscription.objects.count() == 0
    # ...but on its own host it does.
    forget_municipality_hosts()
    Client(HTTP_HOST="villaflores.localhost").post(f"/alerts/confirm/{other_token}/")
    assert Subscription.objects.get().space == other_space


def test_unknown_places_are_404(en_client, world):
    for url in (
        "/alerts/follow/spaces/NO-SUCH/",
        "/alerts/follow/areas/999999/",
        "/alerts/follow/colonias/999999/",
    ):
        assert en_client.get(url).status_code == 404
    other = MunicipalityFactory(slug="villaflores", hosts="villaflores.localhost")
    space = PublicSpaceFactory(municipality=other, code="VF-2")
    assert en_client.get(f"/alerts/follow/spaces/{space.code}/").status_code == 404


def _subscribe(world, email=EMAIL, space=None):
    from django.utils import timezone

    return Subscription.objects.create(
        municipality=world.municipality,
        email=email,
        kind="space",
        space=space or world.spaces[0],
        confirmed_at=timezone.now(),
    )


def test_unsubscribe_is_one_click_and_needs_no_csrf_token(world):
    subscription = _subscribe(world)
    keep = _subscribe(world, space=world.spaces[1])
    client = Client(enforce_csrf_checks=True)
    url = f"/alerts/unsubscribe/{subscription.token}/"
    page = client.get(url)
    assert page.status_code == 200 and Subscription.objects.count() == 2
    # RFC 8058: the mail client POSTs this body, with no cookie and no token.
    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert list(Subscription.objects.all()) == [keep]
    assert client.post(url).status_code == 404
    assert client.get(f"/alerts/unsubscribe/{uuid.uuid4()}/").status_code == 404


def test_another_municipality_cannot_unsubscribe_by_token(world):
    subscription = _subscribe(world)
    MunicipalityFactory(slug="villaflores", hosts="villaflores.localhost")
    other = Client(HTTP_HOST="villaflores.localhost")
    assert other.post(f"/alerts/unsubscribe/{subscription.token}/").status_code == 404
    assert Subscription.objects.count() == 1


def test_the_space_area_and_colonia_pages_offer_to_follow_and_the_feed(en_client, world):
    pages = {
        world.spaces[0].get_absolute_url(): (
            f"/alerts/follow/spaces/{world.spaces[0].code}/",
            f"/alerts/spaces/{world.spaces[0].code}/feed/",
        ),
        f"/areas/{world.area.pk}/": (
            f"/alerts/follow/areas/{world.area.pk}/",
            f"/alerts/areas/{world.area.pk}/feed/",
        ),
        f"/colonias/{world.colonia.pk}/": (
            f"/alerts/follow/colonias/{world.colonia.pk}/",
            f"/alerts/colonias/{world.colonia.pk}/feed/",
        ),
    }
    for page, (follow, feed) in pages.items():
        body = en_client.get(page).content.decode()
        assert f'href="{follow}"' in body and "Follow this place" in body, page
        assert f'href="{feed}"' in body, page


def test_following_is_rate_limited_per_ip(en_client, world, settings):
    settings.ALERTS_FOLLOW_RATE = "2/h"
    url = f"/alerts/follow/spaces/{world.spaces[0].code}/"
    for n in range(2):
        assert en_client.post(url, follow_data(email=f"v{n}@example.org")).status_code == 302
    assert en_client.post(url, follow_data()).status_code == 429


def test_the_daily_digest_is_scheduled():
    from findings.schedules import crontabs

    assert crontabs()["alerts: daily digests"] == ("alerts.tasks.send_digests", "30", "7")


def test_the_digests_one_click_link_stops_every_alert_of_the_address_only(world):
    first = _subscribe(world)
    _subscribe(world, space=world.spaces[1])
    other = _subscribe(world, email="otra@example.org")
    client = Client(enforce_csrf_checks=True)
    url = f"/alerts/unsubscribe-all/{first.token}/"
    assert client.get(url).status_code == 200 and Subscription.objects.count() == 3
    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert list(Subscription.objects.all()) == [other]
    assert client.post(url).status_code == 404
