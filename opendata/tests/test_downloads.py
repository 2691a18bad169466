import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.tests.factories import AllocationFactory, NeedFactory
from complaints.tests.factories import make_complaint
from findings.models import Finding
from findings.services import findings_reconcile
from opendata import exports
from territory.models import PublicSpace
from territory.tests.factories import square

pytestmark = pytest.mark.django_db


def download(client, url):
    """The response, its chunks as they stream, and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        chunks = list(response.streaming_content) if response.streaming else []
    return response, [chunk.decode() for chunk in chunks], len(queries)


def rows_of(chunks):
    return list(csv.reader(io.StringIO("".join(chunks))))


def add_spaces(municipality, count, start=0):
    spaces = []
    for n in range(start, start + count):
        geometry = square(-106.2 + (n % 100) * 0.002, 28.5 + (n // 100) * 0.002)
        spaces.append(
            PublicSpace(
                municipality=municipality,
                code=f"BULK-{n:05d}",
                name=f"Jardín {n}",
                geometry=geometry,
                centroid=geometry.centroid,
                area_m2=100.0,
            )
        )
    PublicSpace.objects.bulk_create(spaces)


def test_the_open_data_page_lists_every_dataset_with_licence_columns_and_update(
    client, municipality
):
    add_spaces(municipality, 1)

    response = client.get(reverse("opendata:index"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    for dataset in exports.DATASETS:
        assert reverse("opendata:dataset_csv", kwargs={"slug": dataset.slug}) in page
        assert f"<code>{dataset.columns[-1].name}</code>" in page
    assert reverse("opendata:spaces_geojson") in page
    assert reverse("opendata:contracts_ocds") in page
    assert page.count("No data yet") == len(exports.DATASETS) - 1  # only spaces have rows


def test_downloads_stream_in_chunks_with_a_constant_number_of_queries(client, municipality):
    add_spaces(municipality, 10)
    url = reverse("opendata:dataset_csv", kwargs={"slug": "spaces"})
    client.get(url)  # the host's municipality is cached after the first request
    _response, few_chunks, few_queries = download(client, url)
    add_spaces(municipality, 2490, start=10)

    response, chunks, queries = download(client, url)

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert len(few_chunks) == 1
    assert len(chunks) == 3  # 1,000 rows a chunk
    assert queries == few_queries
    rows = rows_of(chunks)
    assert rows[0] == exports.DATASETS_BY_SLUG["spaces"].header
    assert len(rows) == 2501
    assert rows[1][:3] == ["BULK-00000", "Jardín 0", "other"]
    assert (float(rows[1][5]), float(rows[1][6])) == (-106.1995, 28.5005)


def test_spaces_stream_as_geojson_longitude_first(client, municipality):
    add_spaces(municipality, 1200)

    response, chunks, _queries = download(client, reverse("opendata:spaces_geojson"))

    assert response.streaming and len(chunks) == 2
    collection = json.loads("".join(chunks))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 1200
    feature = collection["features"][0]
    assert feature["id"] == "BULK-00000"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["geometry"]["coordinates"][0][0][0] == [-106.2, 28.5]


def test_the_complaint_export_carries_no_reporter_data(client, municipality):
    from territory.tests.factories import ServiceTypeFactory

    service = ServiceTypeFactory(municipality=municipality)
    complaint = make_complaint(
        municipality=municipality,
        service_type=service,
        lon=-106.081234,
        lat=28.634567,
        description="Llame a Zacarías Q7X al 614-777-1234",
        address="Calle Secreta Q7X 123",
        reporter_name="Zacarías Q7X Ulloa",
        reporter_email="zq7x@correo.example",
        reporter_phone="6147771234",
    )

    response, chunks, _queries = download(
        client, reverse("opendata:dataset_csv", kwargs={"slug": "complaints"})
    )

    text = "".join(chunks)
    assert response.streaming
    for marker in ("Q7X", "q7x", "7771234", "777-1234", "correo.example", "Zacarías"):
        assert marker not in text
    rows = rows_of(chunks)
    assert rows[0] == exports.DATASETS_BY_SLUG["complaints"].header
    [row] = rows[1:]
    assert row[0] == complaint.code
    assert row[-2:] == ["-106.081", "28.635"]  # 3 decimals


def test_findings_needs_allocations_and_contracts_export_a_row_each(client, world):
    world.file(**{"grass-cut": "no"})
    findings_reconcile(municipality=world.municipality)
    need = NeedFactory(municipality=world.municipality, colonia=world.colonia)
    AllocationFactory(municipality=world.municipality, colonia=world.colonia, need=need)

    def csv_rows(slug):
        response, chunks, _queries = download(
            client, reverse("opendata:dataset_csv", kwargs={"slug": slug})
        )
        assert response.status_code == 200 and response.streaming
        rows = rows_of(chunks)
        assert rows[0] == exports.DATASETS_BY_SLUG[slug].header
        assert all(len(row) == len(rows[0]) for row in rows)
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    findings = csv_rows("findings")
    assert len(findings) == Finding.objects.count()
    unreported = next(row for row in findings if row["type"] == "unreported")
    assert (unreported["space"], unreported["contract"]) == ("AC-0", world.contract.number)
    [need_row] = csv_rows("needs")
    assert need_row["community"] == "Centro" and "description" not in need_row
    [allocation] = csv_rows("allocations")
    assert allocation["need"] == str(need.pk)
    [contract] = csv_rows("contracts")
    assert contract["spaces"] == "2"
    assert contract["ocds_url"] == (f"http://testserver/contracts/{world.contract.pk}/ocds.json")
    assert client.get("/open-data/reporters.csv").status_code == 404


def test_nothing_is_published_from_another_municipality(client, municipality):
    from territory.tests.factories import MunicipalityFactory

    add_spaces(MunicipalityFactory(), 3)
    _response, chunks, _queries = download(
        client, reverse("opendata:dataset_csv", kwargs={"slug": "spaces"})
    )
    assert len(rows_of(chunks)) == 1
