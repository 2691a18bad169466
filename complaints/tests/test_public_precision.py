"""One rule for where a complaint is in public (complaints.public.public_coordinates): every
public surface publishes the open-data precision (3 decimals, about 110 m) and never the
free-text address; staff pages keep the exact point."""

import csv
import io
import xml.etree.ElementTree as ET  # noqa: S405 (parsing our own response)  # nosec B405

import pytest
from django.urls import reverse

from complaints.public import public_distance_m

from .factories import make_complaint

pytestmark = pytest.mark.django_db

EXACT = {"lon": -106.0812345678, "lat": 28.6312345678}
PUBLIC = {"lon": -106.081, "lat": 28.631}
HOME = "Privada Los Pinos 123, casa azul de dos pisos"


@pytest.fixture
def complaint(municipality, lighting, colonia):
    return make_complaint(municipality=municipality, service_type=lighting, address=HOME, **EXACT)


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def test_every_public_surface_rounds_like_open_data_and_hides_the_address(client, complaint):
    code = complaint.code
    urls = [
        complaint.get_absolute_url(),
        reverse("complaints:geojson"),
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{code}.json",
        f"/open311/v2/requests/{code}.xml",
        reverse("opendata:dataset_csv", kwargs={"slug": "complaints"}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = _body(response)
        assert HOME not in body and "Privada" not in body, url
        assert "28.6312" not in body and "106.0812" not in body, url
        assert "28.631" in body and "-106.081" in body, url

    geojson = client.get(reverse("complaints:geojson")).json()
    assert geojson["features"][0]["geometry"]["coordinates"] == [PUBLIC["lon"], PUBLIC["lat"]]
    (request,) = client.get(f"/open311/v2/requests/{code}.json").json()
    assert (request["long"], request["lat"], request["address"]) == (
        PUBLIC["lon"],
        PUBLIC["lat"],
        None,
    )
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{code}.xml").content)  # noqa: S314
    assert xml.find("request/lat").text == "28.631"
    rows = list(
        csv.DictReader(
            io.StringIO(
                _body(client.get(reverse("opendata:dataset_csv", kwargs={"slug": "complaints"})))
            )
        )
    )
    assert (float(rows[0]["longitude"]), float(rows[0]["latitude"])) == (
        PUBLIC["lon"],
        PUBLIC["lat"],
    )


def test_the_nearby_check_measures_to_the_public_point_not_the_home(client, complaint):
    """Distances to the exact point from three places would give the home back."""
    nearby = "/complaints/nearby.json"

    at_home = client.get(nearby, {"service": "lighting", **EXACT}).json()["complaints"]
    at_public = client.get(nearby, {"service": "lighting", **PUBLIC}).json()["complaints"]

    assert at_public[0]["distance_m"] == 0
    assert at_home[0]["distance_m"] == round(
        public_distance_m(complaint.location, complaint.location)
    )
    assert at_home[0]["distance_m"] > 25


def test_staff_still_see_the_exact_point_and_the_address(client, complaint, sindicatura_user):
    client.force_login(sindicatura_user)
    page = client.get(reverse("complaints:inbox_detail", kwargs={"code": complaint.code}))
    body = page.content.decode()
    assert HOME in body and "28.631234" in body and "-106.081234" in body
