import datetime
import json
import xml.etree.ElementTree as ET  # noqa: S405 (our own responses)
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource

from complaints.models import Complaint
from complaints.services import complaint_change_status, open311_key_create

from .factories import REPORTER_EMAIL, REPORTER_NAME, REPORTER_PHONE, jpeg_upload, make_complaint

pytestmark = pytest.mark.django_db
SCHEMAS = Path(str(settings.SHARED_DIR)) / "standards" / "open311"
BASE = "/open311/v2"


def schema_validator(name: str) -> Draft7Validator:
    registry = Registry()
    for path in SCHEMAS.glob("*.json"):
        registry = registry.with_resource(path.name, Resource.opaque(json.loads(path.read_text())))
    swagger = json.loads((SCHEMAS / "swagger.json").read_text())
    if name.startswith("#/definitions/"):
        schema = {"type": "array", "items": {"$ref": "swagger.json" + name}}
    else:
        schema = json.loads((SCHEMAS / name).read_text())
    assert swagger["definitions"]
    return Draft7Validator(schema, registry=registry, format_checker=FormatChecker())


def assert_valid(data, name):
    errors = [e.message for e in schema_validator(name).iter_errors(data)]
    assert errors == [], errors


def assert_private_data_absent(content: bytes):
    for secret in (REPORTER_EMAIL, REPORTER_PHONE, REPORTER_NAME):
        assert secret.encode() not in content


def xml_root(response):
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own responses)


@pytest.fixture
def key(municipality):
    return open311_key_create(municipality=municipality, name="Línea 072")[1]


@pytest.fixture
def complaints(municipality, lighting, directorate, colonia):
    first = make_complaint(
        municipality=municipality,
        service_type=lighting,
        lon=-106.0812345678,
        lat=28.6312345678,
        photos=[jpeg_upload()],
        address="Av. Juárez 100",
    )
    second = make_complaint(municipality=municipality, service_type=lighting, lon=-106.07)
    complaint_change_status(complaint=second, status="resolved", note="Lámpara cambiada")
    return first, second


def test_discovery_in_both_formats(client, municipality):
    data = client.get(f"{BASE}/discovery.json").json()
    assert data["endpoints"][0]["url"].endswith("/open311/v2")
    assert "text/xml" in data["endpoints"][0]["formats"]
    root = xml_root(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["text/xml", "application/json"]


def test_services_and_definitions_validate(client, lighting, green):
    services = client.get(f"{BASE}/services.json").json()
    assert_valid(services, "services.json")
    assert {s["service_code"] for s in services} == {"lighting", "green-spaces"}
    assert next(s for s in services if s["service_code"] == "lighting")["metadata"] is True
    root = xml_root(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == 2
    definition = client.get(f"{BASE}/services/lighting.json").json()
    assert_valid(definition, "service-definition.json")
    assert definition["attributes"][0]["code"] == "lamp_condition"
    root = xml_root(client.get(f"{BASE}/services/lighting.xml"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key").text == "off"


def test_unknown_service_is_a_404_in_the_spec_error_format(client, municipality):
    response = client.get(f"{BASE}/services/nope.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404 and "nope" in response.json()[0]["description"]
    response = client.get(f"{BASE}/services/nope.xml")
    assert response.status_code == 404
    assert xml_root(response).find("error/code").text == "404"


def test_an_unknown_jurisdiction_is_a_404(client, municipality):
    assert client.get(f"{BASE}/services.json?jurisdiction_id=otro").status_code == 404
    assert (
        client.get(f"{BASE}/services.json?jurisdiction_id={municipality.slug}").status_code == 200
    )


def test_requests_listing_validates_and_hides_the_reporter(client, complaints):
    first, second = complaints
    response = client.get(f"{BASE}/requests.json")
    data = response.json()
    assert_valid(data, "requests.json")
    assert_private_data_absent(response.content)
    by_id = {r["service_request_id"]: r for r in data}
    # Rounded as every public surface rounds (complaints.public), the address left out.
    assert by_id[first.code]["lat"] == 28.631 and by_id[first.code]["long"] == -106.081
    assert by_id[first.code]["address"] is None
    assert by_id[first.code]["media_url"].startswith("http://testserver/media/complaints/")
    assert by_id[first.code]["agency_responsible"] == "Alumbrado Público"
    assert by_id[second.code]["status"] == "closed"
    assert by_id[second.code]["status_notes"] == "Lámpara cambiada"
    assert (
        datetime.datetime.fromisoformat(by_id[first.code]["requested_datetime"]).tzinfo is not None
    )
    xml = client.get(f"{BASE}/requests.xml")
    assert_private_data_absent(xml.content)
    root = xml_root(xml)
    assert root.tag == "service_requests" and len(root.findall("request")) == 2
    assert root.find("request/lat").text in {"28.631", "28.63"}


def test_requests_filters(client, complaints, municipality, green):
    first, second = complaints
    old = make_complaint(
        municipality=municipality,
        service_type=green,
        created_at=timezone.now() - datetime.timedelta(days=120),
    )

    def codes(query):
        response = client.get(f"{BASE}/requests.json?{query}")
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert codes("") == {first.code, second.code}  # default: the last 90 days
    assert codes(f"service_request_id={old.code},{first.code}") == {old.code, first.code}
    assert codes("status=open") == {first.code}
    assert codes("status=closed") == {second.code}
    assert codes("status=open,closed") == {first.code, second.code}
    assert codes("service_code=green-spaces") == set()
    start = (timezone.now() - datetime.timedelta(days=130)).isoformat()
    end = (timezone.now() - datetime.timedelta(days=100)).isoformat()
    from urllib.parse import quote

    assert codes(f"start_date={quote(start)}&end_date={quote(end)}") == {old.code}


@pytest.mark.parametrize(
    "query",
    [
        "start_date=2026-01-01T00:00:00Z&end_date=2026-05-01T00:00:00Z",
        "start_date=yesterday",
        "start_date=2026-03-01T00:00:00Z&end_date=2026-02-01T00:00:00Z",
        "status=pending",
    ],
)
def test_bad_listing_parameters_are_400(client, municipality, query):
    response = client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400
    assert xml_root(client.get(f"{BASE}/requests.xml?{query}")).tag == "errors"


def test_listing_query_count_does_not_grow_with_rows(
    client, municipality, lighting, directorate, django_assert_num_queries
):
    make_complaint(municipality=municipality, service_type=lighting, photos=[jpeg_upload()])
    client.get(f"{BASE}/services.json")  # warms the host → municipality cache
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(f"{BASE}/requests.json").json()) == 1
    selects = [q["sql"] for q in few.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 1, selects  # one SELECT; the rest are the request's savepoints
    for index in range(15):
        complaint = make_complaint(
            municipality=municipality, service_type=lighting, photos=[jpeg_upload()]
        )
        complaint_change_status(complaint=complaint, status="acknowledged", note=f"nota {index}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(f"{BASE}/requests.json").json()) == 16


def test_a_post_is_seven_queries_in_one_transaction(client, key, lighting, colonia, directorate):
    """The intake, through the ORM on every database: the key, the service, its questions
    with their answers (one statement), then in
    complaint_create's own transaction the placement (one query), the tracking code's check and
    the two inserts. The request has no transaction around it: the SAVEPOINT and RELEASE are
    complaint_create's atomic block inside the test's transaction (BEGIN and COMMIT outside)."""
    data = {"api_key": key, "service_code": "lighting", "lat": "28.63", "long": "-106.08"}
    data["attribute[lamp_condition]"] = "damaged"
    assert client.post(f"{BASE}/requests.json", data).status_code == 200  # key's first use
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == 200
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements == [
        *("SELECT", "SELECT", "SELECT"),
        *("SAVEPOINT", "SELECT", "SELECT", "INSERT", "INSERT", "RELEASE"),
    ], statements
    complaint = Complaint.private_objects.get(code=response.json()[0]["service_request_id"])
    assert (complaint.colonia, complaint.directorate) == (colonia, directorate)
    assert complaint.updates.count() == 1


def test_request_detail_and_token(client, key, lighting, colonia):
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": "lighting",
            "lat": "28.63",
            "long": "-106.08",
            "description": "Poste caído",
            "attribute[lamp_condition]": "damaged",
            "email": REPORTER_EMAIL,
            "phone": REPORTER_PHONE,
            "first_name": "Rosalba",
            "last_name": "Quiñónez Tepehuana",
        },
    )
    assert response.status_code == 200, response.content
    created = response.json()
    assert_valid(created, "#/definitions/RequestResponse")
    code, token = created[0]["service_request_id"], created[0]["token"]
    complaint = Complaint.private_objects.get(code=code)
    assert complaint.source == "open311" and complaint.reporter_email == REPORTER_EMAIL
    assert complaint.attributes == {"lamp_condition": "damaged"} and complaint.colonia == colonia
    assert complaint.open311_client.name == "Línea 072"

    detail = client.get(f"{BASE}/requests/{code}.json")
    assert_valid(detail.json(), "requests.json")
    assert_private_data_absent(detail.content)
    assert detail.json()[0]["description"] == "Poste caído"
    assert (
        xml_root(client.get(f"{BASE}/requests/{code}.xml")).find("request/service_request_id").text
        == code
    )

    tokens = client.get(f"{BASE}/tokens/{token}.json")
    assert_valid(tokens.json(), "#/definitions/TokenResponse")
    assert tokens.json() == [{"service_request_id": code, "token": token}]
    assert xml_root(client.get(f"{BASE}/tokens/{token}.xml")).find("request/token").text == token


def test_unknown_request_and_token_are_404(client, municipality):
    assert client.get(f"{BASE}/requests/NOPE1234.json").status_code == 404
    assert client.get(f"{BASE}/tokens/not-a-uuid.json").status_code == 404
    response = client.get(f"{BASE}/tokens/8a0e1b0c-6d7c-4a5e-9a7f-2f1d3c4b5a69.xml")
    assert response.status_code == 404 and xml_root(response).find("error/code").text == "404"


def test_post_xml_response(client, key, green):
    response = client.post(
        f"{BASE}/requests.xml",
        {"api_key": key, "service_code": "green-spaces", "address_string": "Parque Lerdo"},
    )
    assert response.status_code == 200
    root = xml_root(response)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (
            {
                "service_code": "lighting",
                "lat": "28.6",
                "long": "-106",
                "attribute[lamp_condition]": "off",
            },
            403,
        ),
        ({"api_key": "wrong", "service_code": "lighting", "lat": "28.6", "long": "-106"}, 403),
        ({"api_key": "{key}", "lat": "28.6", "long": "-106"}, 400),
        ({"api_key": "{key}", "service_code": "nope", "lat": "28.6", "long": "-106"}, 404),
        ({"api_key": "{key}", "service_code": "lighting", "attribute[lamp_condition]": "off"}, 400),
        (
            {
                "api_key": "{key}",
                "service_code": "lighting",
                "lat": "north",
                "long": "-106",
                "attribute[lamp_condition]": "off",
            },
            400,
        ),
        ({"api_key": "{key}", "service_code": "lighting", "lat": "28.6", "long": "-106"}, 400),
        (
            {
                "api_key": "{key}",
                "service_code": "lighting",
                "lat": "28.6",
                "long": "-106",
                "attribute[lamp_condition]": "purple",
            },
            400,
        ),
        (
            {
                "api_key": "{key}",
                "service_code": "lighting",
                "lat": "28.6",
                "long": "-106",
                "attribute[lamp_condition]": "off",
                "description": "x" * 4001,
            },
            400,
        ),
        (
            {
                "api_key": "{key}",
                "service_code": "lighting",
                "lat": "28.6",
                "long": "-106",
                "attribute[lamp_condition]": "off",
                "email": "not-an-email",
            },
            400,
        ),
    ],
)
def test_post_errors_change_nothing(client, key, lighting, data, status):
    data = {k: v.replace("{key}", key) for k, v in data.items()}
    for fmt in ("json", "xml"):
        response = client.post(f"{BASE}/requests.{fmt}", data)
        assert response.status_code == status, response.content
        if fmt == "json":
            assert response.json()[0]["code"] == status and response.json()[0]["description"]
        else:
            assert xml_root(response).find("error/code").text == str(status)
    assert not Complaint.private_objects.exists()


def test_a_revoked_key_is_refused(client, municipality, lighting):
    from complaints.services import open311_key_revoke

    client_system, key = open311_key_create(municipality=municipality, name="Vieja app")
    open311_key_revoke(client=client_system)
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": "lighting",
            "address_string": "x",
            "attribute[lamp_condition]": "off",
        },
    )
    assert response.status_code == 403
