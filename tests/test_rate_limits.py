"""Rate limits on the public forms and per Open311 API key."""

import pytest
from django.test import override_settings
from django.urls import reverse

from complaints.services import open311_key_create
from territory.tests.factories import ColoniaFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def green(municipality):
    return ServiceTypeFactory(municipality=municipality, code="green-spaces")


@override_settings(OPEN311_POST_RATE="2/m")
def test_open311_posts_are_limited_per_api_key(client, municipality, green):
    first = open311_key_create(municipality=municipality, name="072")[1]
    second = open311_key_create(municipality=municipality, name="App")[1]
    data = {"service_code": "green-spaces", "address_string": "Parque Lerdo"}
    url = "/open311/v2/requests.json"
    for _ in range(2):
        assert client.post(url, {**data, "api_key": first}).status_code == 200
    response = client.post(url, {**data, "api_key": first})
    assert response.status_code == 429
    [error] = response.json()
    assert error["code"] == 429 and "Too many requests for this api_key" in error["description"]
    # Another key has its own allowance.
    assert client.post(url, {**data, "api_key": second}).status_code == 200
    # XML too, in the Open311 error format.
    response = client.post("/open311/v2/requests.xml", {**data, "api_key": first})
    assert response.status_code == 429 and b"<errors><error><code>429</code>" in response.content


@override_settings(GUARDIANS_JOIN_RATE="2/h", LANGUAGE_CODE="en")
def test_the_guardian_join_form_is_rate_limited(client, municipality):
    colonia = ColoniaFactory(municipality=municipality)
    url = reverse("guardians:join")
    for _ in range(2):
        assert client.post(url, {"full_name": "X", "colonia": colonia.pk}).status_code == 200
    response = client.post(url, {"full_name": "X", "colonia": colonia.pk})
    assert response.status_code == 429
    assert client.get(url).status_code == 200  # reading the form is never limited
