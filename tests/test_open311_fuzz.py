"""A fuzz run of the Open311 API against the GeoReport v2 swagger of shared/standards/open311
(schemathesis generates the requests from the spec; they are sent to the Django app in process
through the test client): no answer is a server error, and every rejection of the API carries
a description in the Open311 error format.

The spec names the parameters of POST /requests in the query; GeoReport v2 clients send them
as a form body, which is what the portal reads, so the generated POST parameters go there. The
response format, the jurisdiction, the service code and the API key are often the real ones, so
that the generated values get past the first checks and reach the deeper code.
"""

import json
import xml.etree.ElementTree as ET  # noqa: S405 (our own responses)
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from complaints.services import open311_key_create
from complaints.tests.factories import make_complaint
from territory.models import ServiceType
from territory.tests.factories import ServiceTypeFactory

SWAGGER = Path(str(settings.SHARED_DIR)) / "standards" / "open311" / "swagger.json"
BASE = "/open311/v2"
SCHEMA = schemathesis.openapi.from_path(SWAGGER)
OPERATIONS = [
    (result.ok().method.upper(), result.ok().path) for result in SCHEMA.get_all_operations()
]
# The spec's /request/{id} is served at /requests/{id}, as in the GeoReport v2 text.
PATHS = {"/request/{service_request_id}.{response_format}": "/requests/{service_request_id}"}

pytestmark = pytest.mark.django_db


def test_the_spec_has_the_operations_we_fuzz():
    assert ("POST", "/requests.{response_format}") in OPERATIONS
    assert len(OPERATIONS) == 6


@pytest.fixture
def world(municipality):
    lighting = ServiceTypeFactory(
        municipality=municipality, code="lighting", category=ServiceType.Category.LIGHTING
    )
    ServiceTypeFactory(municipality=municipality, code="green-spaces")
    complaint = make_complaint(municipality=municipality, service_type=lighting, lon=-106.08)
    key = open311_key_create(municipality=municipality, name="fuzz")[1]
    return {
        "slug": municipality.slug,
        "key": key,
        "services": ["lighting", "green-spaces"],
        "request_id": complaint.code,
        "token": str(complaint.token),
    }


def _path(template: str, parameters: dict, fmt: str) -> str:
    template = PATHS.get(template, template.split(".{response_format}")[0])
    for name, value in parameters.items():
        if name != "response_format":
            template = template.replace("{" + name + "}", str(value))
    return f"{BASE}{template}.{fmt}"


def _assert_clear_rejection(response, fmt):
    if fmt == "json":
        errors = json.loads(response.content)
        assert errors and all(e["code"] == response.status_code for e in errors)
        assert all(str(e["description"]).strip() for e in errors), errors
    else:
        root = ET.fromstring(response.content)  # noqa: S314 (our own responses)
        assert root.tag == "errors"
        assert all((e.findtext("description") or "").strip() for e in root.iter("error"))


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_open311_operation_answers_a_server_error(client, world, method, path):
    operation = SCHEMA[path][method]

    @hypothesis_settings(
        max_examples=30,
        derandomize=True,  # the same examples on every run: CI stays deterministic
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        case=operation.as_strategy(),
        fmt=st.sampled_from(["json", "xml"]),
        real=st.fixed_dictionaries(
            {
                "jurisdiction": st.booleans(),
                "key": st.integers(0, 4),
                "service": st.sampled_from([None, *world["services"]]),
                "id": st.booleans(),
            }
        ),
    )
    def run(case, fmt, real):
        parameters = dict(case.path_parameters or {})
        query = {k: v for k, v in (case.query or {}).items() if v is not None}
        if real["jurisdiction"]:
            query["jurisdiction_id"] = world["slug"]
        if real["service"] and "service_code" in (parameters | query):
            target = parameters if "service_code" in parameters else query
            target["service_code"] = real["service"]
        if real["id"]:
            for name, value in (("service_request_id", "request_id"), ("token_id", "token")):
                if name in parameters:
                    parameters[name] = world[value]
        url = _path(path, parameters, fmt)
        if method == "POST":
            if real["key"]:  # a valid key four times in five
                query["api_key"] = world["key"]
            response = client.post(url, query)
        else:
            response = client.get(url, query)
        assert response.status_code < 500, (method, url, query, response.content[:500])
        if 400 <= response.status_code < 500 and response["Content-Type"].startswith(
            ("application/json", "text/xml")
        ):
            _assert_clear_rejection(response, fmt)

    run()


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-30T00:00:00",  # well formed, no such day
        "2026-02-30",
        "2026-01-01T00:00:00+99:00",  # no such offset
        "0001-01-01T00:00:00+05:00",  # overflows in UTC
        "0001-01-01",
        "9999-12-31T23:59:59-05:00",
        "9999-12-31",
    ],
)
def test_impossible_dates_are_rejected_with_a_message(client, municipality, value):
    for name in ("start_date", "end_date"):
        response = client.get(f"{BASE}/requests.json", {name: value})
        assert response.status_code == 400
        [error] = response.json()
        assert name in error["description"]


@pytest.mark.parametrize("bad", ["\x1b", "\x0c", "\ufffe"])
def test_input_echoed_in_xml_errors_keeps_the_xml_well_formed(client, municipality, bad):
    response = client.get(f"{BASE}/requests.xml", {"jurisdiction_id": f"x{bad}y"})
    assert response.status_code == 404
    root = ET.fromstring(response.content)  # noqa: S314 (our own responses)
    assert "xy" in root.findtext("error/description")


def test_nul_characters_are_refused_with_a_message(client, world):
    response = client.get(f"{BASE}/requests.json", {"service_code": "a\x00"})
    assert response.status_code == 400
    assert "NUL" in response.json()[0]["description"]
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": world["key"],
            "service_code": "green-spaces",
            "address_string": "Parque\x00 Lerdo",
            "description": "Basura\x00",
            "first_name": "A\x00",
        },
    )
    assert response.status_code == 400
