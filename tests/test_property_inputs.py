"""Property-based tests (hypothesis) on the public forms, the map API's query parameters and
the import parsers: arbitrary text and numbers never raise an unhandled exception or answer a
500; invalid input yields form errors or a rejection report with a message, and changes
nothing."""

import csv
import io
import json

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.forms import ComplaintForm
from complaints.imports import complaints_import_csv
from complaints.models import Complaint
from contracts.imports import import_spaces_file
from findings.imports import service_status_import
from findings.models import KnownIssue, WorkLog
from guardians.forms import GuardianApplicationForm
from territory.imports import SpaceImportError
from territory.models import PublicSpace, ServiceArea
from territory.tests.factories import ColoniaFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db

FAST = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run, so CI is deterministic
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text without the NUL character, which no form or database field can hold: forms refuse it
# (Django's ProhibitNullCharactersValidator) and the strategies below add it on purpose.
text = st.text(max_size=60)
numberish = st.one_of(
    text,
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["", " ", "1e309", "-0", "nan", "inf", "28.63", "-106.08", "\x00"]),
)


@pytest.fixture
def service(municipality):
    return ServiceTypeFactory(municipality=municipality, code="green-spaces")


@pytest.fixture
def colonia(municipality):
    return ColoniaFactory(municipality=municipality)


# --- Public forms -----------------------------------------------------------------------------


def test_the_complaint_form_never_raises(municipality, service):
    @FAST
    @given(
        data=st.fixed_dictionaries(
            {},
            optional={
                "service_type": st.one_of(numberish, st.just(str(service.pk))),
                "description": st.text(max_size=5000),
                "lat": numberish,
                "lon": numberish,
                "address": text,
                "reporter_name": text,
                "reporter_email": text,
                "reporter_phone": numberish,
            },
        )
    )
    def run(data):
        form = ComplaintForm(data, municipality=municipality)
        if not form.is_valid():
            assert form.errors
            assert all(str(m).strip() for ms in form.errors.values() for m in ms)

    run()


def test_the_guardian_join_form_never_raises(municipality, service, colonia):
    @FAST
    @given(
        data=st.fixed_dictionaries(
            {},
            optional={
                "full_name": text,
                "email": st.one_of(text, st.emails()),
                "phone": numberish,
                "colonia": st.one_of(numberish, st.just(str(colonia.pk))),
                "service_types": st.lists(st.one_of(numberish, st.just(str(service.pk)))),
                "motivation": st.text(max_size=3000),
                "accept_privacy_notice": st.sampled_from(["", "on", "off", "1", "\x00"]),
            },
        )
    )
    def run(data):
        form = GuardianApplicationForm(data, municipality=municipality)
        if not form.is_valid():
            assert form.errors
            assert all(str(m).strip() for ms in form.errors.values() for m in ms)

    run()


@override_settings(COMPLAINTS_SUBMIT_RATE="100000/h", GUARDIANS_JOIN_RATE="100000/h")
def test_posting_arbitrary_data_to_the_public_forms_never_answers_500(client, service):
    client.raise_request_exception = False

    @FAST
    @given(
        url=st.sampled_from(["/complaints/new/", "/guardians/join/"]),
        data=st.dictionaries(
            st.sampled_from(
                ["service_type", "description", "lat", "lon", "full_name", "email", "colonia"]
            ),
            numberish,
        ),
    )
    def run(url, data):
        before = Complaint.private_objects.count()
        response = client.post(url, data)
        assert response.status_code < 500, (url, data)
        if response.status_code == 200:  # the form again, with its errors
            assert b'role="alert"' in response.content or b"errorlist" in response.content
            assert Complaint.private_objects.count() == before

    run()


# --- The map API --------------------------------------------------------------------------------


def test_the_map_api_never_answers_500_to_any_query(client, service):
    client.raise_request_exception = False

    @FAST
    @given(
        url=st.sampled_from(["/api/spaces.geojson", "/api/spaces/nearest.json", "/map/"]),
        query=st.dictionaries(
            st.sampled_from(
                ["bbox", "zoom", "q", "service", "company", "contract", "colonia", "kind"]
                + ["lat", "lon", "limit", "page", "format"]
            ),
            st.one_of(
                numberish,
                st.lists(st.floats(allow_nan=True), min_size=3, max_size=5).map(
                    lambda xs: ",".join(map(str, xs))
                ),
            ),
        ),
    )
    def run(url, query):
        response = client.get(url, query)
        assert response.status_code < 500, (url, query)
        if response.status_code == 400 and response["Content-Type"].startswith("application/"):
            assert json.loads(response.content)  # a JSON body saying what is wrong

    run()


# --- Import parsers -----------------------------------------------------------------------------


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


HEADER = ["folio", "fecha", "servicio", "descripcion", "colonia", "latitud", "longitud", "estatus"]


def test_the_072_csv_import_rejects_bad_files_whole(municipality, service):
    @FAST
    @given(
        data=st.one_of(
            st.binary(max_size=300),
            st.lists(st.lists(numberish, max_size=9), max_size=6).map(
                lambda rows: _csv([HEADER, *rows])
            ),
            st.lists(st.lists(text, max_size=9), max_size=4).map(_csv),
        )
    )
    def run(data):
        before = Complaint.private_objects.count()
        result = complaints_import_csv(municipality=municipality, data=data)
        if not result.ok:
            assert Complaint.private_objects.count() == before
            messages = [*result.errors, *(r.reason for r in result.rejected)]
            assert messages and all(str(m).strip() for m in messages)

    run()


@pytest.mark.parametrize("kind", ["work-logs", "known-issues"])
def test_the_service_status_import_rejects_bad_rows_whole(municipality, service, kind):
    columns = ["service", "space", "service_area", "contract", "item_code", "done_on", "since"]
    columns += ["description", "status", "reported_by", "external_id", "bogus"]

    @FAST
    @given(rows=st.lists(st.dictionaries(st.sampled_from(columns), numberish), max_size=5))
    def run(rows):
        before = (WorkLog.objects.count(), KnownIssue.objects.count())
        report = service_status_import(municipality=municipality, kind=kind, rows=rows)
        if not report.ok:
            assert (WorkLog.objects.count(), KnownIssue.objects.count()) == before
            assert all(line >= 2 and message.strip() for line, message in report.errors)

    run()


coordinate = st.floats(allow_nan=True, allow_infinity=True, width=32)
position = st.lists(coordinate, min_size=0, max_size=3)
geometry = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Point", "Polygon", "MultiPolygon", "LineString", "Nope"]),
            "coordinates": st.one_of(
                position,
                st.lists(position, max_size=5),
                st.lists(st.lists(position, max_size=6), max_size=2),
            ),
        }
    ),
)
properties = st.dictionaries(
    st.sampled_from(["code", "name", "kind", "colonia", "description", "service", "x"]),
    st.one_of(text, st.integers(), st.none(), st.booleans()),
)
feature = st.fixed_dictionaries(
    {"type": st.just("Feature"), "properties": properties, "geometry": geometry}
)


def test_the_geojson_importer_rejects_bad_files_with_a_message(municipality, tmp_path):
    def snapshot():
        return (PublicSpace.objects.count(), ServiceArea.objects.count())

    @FAST
    @given(
        features=st.lists(feature, max_size=4),
        extra=st.dictionaries(st.sampled_from(["crs", "name"]), st.one_of(text, properties)),
        junk=st.booleans(),
    )
    def run(features, extra, junk):
        path = tmp_path / "spaces.geojson"
        document = {"type": "FeatureCollection", **extra, "features": features}
        body = json.dumps(document, allow_nan=True)
        path.write_text(body[: len(body) // 2] if junk else body)
        before = snapshot()
        try:
            import_spaces_file(municipality=municipality, path=path, progress=False)
        except SpaceImportError as error:
            assert str(error).strip()
            assert snapshot() == before

    run()
