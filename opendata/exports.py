"""The open-data downloads: what each holds, its columns, and the generators that stream it.

Every download reads ``values_list`` rows through ``.iterator(chunk_size=CHUNK_ROWS)`` (a
server-side cursor on PostGIS) and yields text a chunk of rows at a time, so memory stays flat
whatever the number of rows. Only the listed columns are read: complaints never select the
reporter's name, e-mail or phone, and their coordinates are rounded to 3 decimals (about 110 m)
so that a point does not single out a home: the rule of every public surface, in
``complaints.public.public_coordinates``. Free text (complaint descriptions and addresses,
community needs) is left out for the same reason: people write names and phone numbers in it.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Allocation, Need
from complaints.models import Complaint
from complaints.public import public_coordinates
from contracts.models import Contract
from core.spreadsheets import csv_writer
from findings.models import Finding
from territory.models import Municipality, PublicSpace

from .ocds import LICENSE_URL

CHUNK_ROWS = 1000
SPACE_DECIMALS = 6
LICENSE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"

Absolute = Callable[[str], str]


@dataclass(frozen=True)
class Column:
    name: str
    description: str


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[Municipality, Absolute], Iterable[tuple]]
    last_update: Callable[[Municipality], datetime.date | datetime.datetime | None]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


def _round(value: float | None, decimals: int):
    return None if value is None else round(value, decimals)


def _date(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value.isoformat()


def _space_rows(municipality, absolute):
    rows = (
        PublicSpace.objects.for_municipality(municipality)
        .order_by("code")
        .values_list(
            "code", "name", "kind", "colonia__name", "area_m2", "centroid", "directorate__name"
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for code, name, kind, colonia, area, centroid, directorate in rows:
        yield (
            code,
            name,
            kind,
            colonia or "",
            round(area, 1),
            _round(centroid.x, SPACE_DECIMALS),
            _round(centroid.y, SPACE_DECIMALS),
            directorate or "",
        )


def _contract_status(start, end, today) -> str:
    return "planned" if today < start else "ended" if today > end else "active"


def _contract_rows(municipality, absolute):
    today = timezone.localdate()
    rows = (
        Contract.objects.for_municipality(municipality)
        .with_coverage_counts()
        .order_by("pk")
        .values_list(
            "pk",
            "number",
            "lot",
            "title",
            "company__legal_name",
            "company__rfc",
            "service_type__code",
            "directorate__name",
            "procurement_method",
            "monthly_amount",
            "total_amount",
            "amounts_include_vat",
            "start_date",
            "end_date",
            "space_count",
            "area_count",
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for pk, *values, start, end, spaces, areas in rows:
        yield (
            *values,
            _date(start),
            _date(end),
            _contract_status(start, end, today),
            spaces,
            areas,
            absolute(reverse("opendata:contract_ocds", kwargs={"pk": pk})),
        )


def _complaint_rows(municipality, absolute):
    # public_objects defers the reporter's fields; values_list names the only columns read.
    rows = (
        Complaint.public_objects.for_municipality(municipality)
        .order_by("created_at", "id")
        .values_list(
            "code",
            "service_type__code",
            "status",
            "source",
            "created_at",
            "updated_at",
            "colonia__name",
            "space__code",
            "directorate__name",
            "location",
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for *values, created, updated, colonia, space, directorate, location in rows:
        point = public_coordinates(location)
        yield (
            *values,
            _date(timezone.localdate(created)),
            _date(timezone.localdate(updated)),
            colonia or "",
            space or "",
            directorate or "",
            point.longitude if point else "",
            point.latitude if point else "",
        )


def _finding_rows(municipality, absolute):
    rows = (
        Finding.objects.for_municipality(municipality)
        .order_by("created_at", "id")
        .values_list(
            "pk",
            "kind",
            "severity",
            "status",
            "service_type__code",
            "space__code",
            "colonia__name",
            "directorate__name",
            "contract__number",
            "company__legal_name",
            "item_text",
            "obligation__task",
            "period_start",
            "period_end",
            "created_at",
            "due_at",
            "resolved_at",
            "verified_at",
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for row in rows:
        yield tuple(
            _date(value) if isinstance(value, datetime.date) else ("" if value is None else value)
            for value in row
        )


def _need_rows(municipality, absolute):
    rows = (
        Need.objects.for_municipality(municipality)
        .order_by("pk")
        .values_list(
            "pk",
            "category",
            "colonia__name",
            "committee__name",
            "people_affected",
            "estimated_cost",
            "priority",
            "status",
            "created_at",
            "updated_at",
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for *values, created, updated in rows:
        yield (
            *("" if value is None else value for value in values),
            _date(timezone.localdate(created)),
            _date(timezone.localdate(updated)),
        )


def _allocation_rows(municipality, absolute):
    rows = (
        Allocation.objects.for_municipality(municipality)
        .order_by("delivered_on", "pk")
        .values_list(
            "pk",
            "delivered_on",
            "colonia__name",
            "item",
            "quantity",
            "unit",
            "value",
            "source",
            "program__name",
            "need_id",
            "committee__name",
            "work__name",
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for pk, delivered, *values in rows:
        yield (pk, _date(delivered), *("" if value is None else value for value in values))


def _latest(queryset, field: str):
    def last_update(municipality):
        return queryset().filter(municipality=municipality).aggregate(last=Max(field))["last"]

    return last_update


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        slug="spaces",
        title=_("Public spaces"),
        description=_(
            "Parks, gardens, medians and other public spaces whose upkeep citizens watch. "
            "The GeoJSON file holds their boundaries (longitude, latitude; WGS 84)."
        ),
        columns=(
            Column("code", _("Code of the space, e.g. AC-Z11-0001.")),
            Column("name", _("Name.")),
            Column("kind", _("Kind: park, garden, median, triangle, sports, plaza or other.")),
            Column("colonia", _("Colonia that contains it.")),
            Column("area_m2", _("Area in square metres.")),
            Column("longitude", _("Longitude of its centroid (WGS 84).")),
            Column("latitude", _("Latitude of its centroid (WGS 84).")),
            Column("directorate", _("Directorate in charge when no contract covers it.")),
        ),
        rows=_space_rows,
        last_update=_latest(PublicSpace.objects.all, "updated_at"),
    ),
    Dataset(
        slug="contracts",
        title=_("Service contracts"),
        description=_(
            "The municipality's service contracts. The same contracts, with their sites, "
            "obligations, monthly delivery per site and failures found, are published in the "
            "Open Contracting Data Standard (OCDS 1.1)."
        ),
        columns=(
            Column("number", _("Contract number.")),
            Column("lot", _("Lot (partida) of the tender.")),
            Column("title", _("Title.")),
            Column("company", _("Legal name of the company.")),
            Column("rfc", _("RFC (taxpayer id) of the company.")),
            Column("service", _("Service code: green-spaces, garbage, lighting...")),
            Column("directorate", _("Directorate in charge.")),
            Column("procurement_method", _("open, selective or direct.")),
            Column("monthly_amount", _("Monthly amount in MXN.")),
            Column("total_amount", _("Total amount in MXN.")),
            Column("amounts_include_vat", _("True when the amounts include VAT (IVA).")),
            Column("start_date", _("Start date (YYYY-MM-DD).")),
            Column("end_date", _("End date (YYYY-MM-DD).")),
            Column("status", _("planned, active or ended, today.")),
            Column("spaces", _("Number of public spaces covered.")),
            Column("service_areas", _("Number of service areas covered.")),
            Column("ocds_url", _("Address of its OCDS release package.")),
        ),
        rows=_contract_rows,
        last_update=_latest(Contract.objects.all, "updated_at"),
    ),
    Dataset(
        slug="complaints",
        title=_("Complaints (anonymised)"),
        description=_(
            "Complaints about public services. Anonymised: no name, e-mail, phone, address or "
            "description of the person who reported; the location is rounded to 3 decimals "
            "(about 110 m)."
        ),
        columns=(
            Column("code", _("Tracking code.")),
            Column("service", _("Service code.")),
            Column("status", _("received, acknowledged, in_progress, resolved, closed, ...")),
            Column("source", _("web, open311, phone (072) or staff.")),
            Column("reported_on", _("Date reported.")),
            Column("updated_on", _("Date of the last change.")),
            Column("colonia", _("Colonia.")),
            Column("space", _("Code of the public space, if any.")),
            Column("directorate", _("Directorate in charge.")),
            Column("longitude", _("Longitude rounded to 3 decimals.")),
            Column("latitude", _("Latitude rounded to 3 decimals.")),
        ),
        rows=_complaint_rows,
        last_update=_latest(Complaint.public_objects.all, "updated_at"),
    ),
    Dataset(
        slug="findings",
        title=_("Findings"),
        description=_(
            "Failures found by reconciling citizens' surveillance cards with what the "
            "municipality and its contractors report, and overdue obligations."
        ),
        columns=(
            Column("id", _("Finding number.")),
            Column("type", _("unreported, contradiction or overdue.")),
            Column("severity", _("1 (low) to 3 (high).")),
            Column("status", _("open, notified, acknowledged, resolved, verified, ...")),
            Column("service", _("Service code.")),
            Column("space", _("Code of the public space.")),
            Column("colonia", _("Colonia.")),
            Column("directorate", _("Directorate in charge.")),
            Column("contract", _("Contract number.")),
            Column("company", _("Company.")),
            Column("item", _("Card question that failed.")),
            Column("obligation", _("Contract obligation overdue.")),
            Column("period_start", _("First day of the period.")),
            Column("period_end", _("Last day of the period.")),
            Column("raised_at", _("When it was raised.")),
            Column("due_at", _("When an answer is due.")),
            Column("resolved_at", _("When the directorate said it was fixed.")),
            Column("verified_at", _("When a guardian verified the fix.")),
        ),
        rows=_finding_rows,
        last_update=_latest(Finding.objects.all, "updated_at"),
    ),
    Dataset(
        slug="needs",
        title=_("Community needs"),
        description=_(
            "Needs raised by citizen committees and forums, with their status. Descriptions "
            "are left out: they may name people."
        ),
        columns=(
            Column("id", _("Need number.")),
            Column("category", _("water, drainage, electricity, roads, housing, ...")),
            Column("community", _("Colonia or locality.")),
            Column("committee", _("Committee that raised it.")),
            Column("people_affected", _("People affected.")),
            Column("estimated_cost", _("Estimated cost in MXN.")),
            Column("priority", _("Priority set by the committee (1 is the most urgent).")),
            Column("status", _("identified, prioritised, requisitioned, approved, ...")),
            Column("filed_on", _("Date filed.")),
            Column("updated_on", _("Date of the last change.")),
        ),
        rows=_need_rows,
        last_update=_latest(Need.objects.all, "updated_at"),
    ),
    Dataset(
        slug="allocations",
        title=_("Allocations to communities"),
        description=_("Materials and works given to communities and signed for by committees."),
        columns=(
            Column("id", _("Allocation number.")),
            Column("delivered_on", _("Date delivered.")),
            Column("community", _("Colonia or locality.")),
            Column("item", _("What was given.")),
            Column("quantity", _("Quantity.")),
            Column("unit", _("Unit.")),
            Column("value", _("Value in MXN.")),
            Column("source", _("municipal, state or federal.")),
            Column("program", _("Program that funded it.")),
            Column("need", _("Number of the need it answers.")),
            Column("committee", _("Committee that received it.")),
            Column("public_work", _("Public work it belongs to.")),
        ),
        rows=_allocation_rows,
        last_update=_latest(Allocation.objects.all, "delivered_on"),
    ),
)
DATASETS_BY_SLUG = {dataset.slug: dataset for dataset in DATASETS}


def csv_chunks(
    header: list[str], rows: Iterable[tuple], chunk_rows: int = CHUNK_ROWS
) -> Iterator[str]:
    """The CSV text, one chunk of ``chunk_rows`` rows at a time (the header comes first); text
    that a spreadsheet would run as a formula is written as text (core.spreadsheets)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    if buffer.tell():
        yield buffer.getvalue()


def dataset_csv(*, dataset: Dataset, municipality: Municipality, absolute: Absolute):
    return csv_chunks(dataset.header, dataset.rows(municipality, absolute))


def spaces_geojson(*, municipality: Municipality, chunk_rows: int = CHUNK_ROWS) -> Iterator[str]:
    """A GeoJSON FeatureCollection of the spaces, streamed; the database writes each geometry."""
    from django.contrib.gis.db.models.functions import AsGeoJSON

    rows = (
        PublicSpace.objects.for_municipality(municipality)
        .annotate(geojson=AsGeoJSON("geometry", precision=SPACE_DECIMALS))
        .order_by("code")
        .values_list("code", "name", "kind", "colonia__name", "area_m2", "geojson")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    parts = ['{"type":"FeatureCollection","license":', json.dumps(LICENSE_URL), ',"features":[']
    for count, (code, name, kind, colonia, area, geometry) in enumerate(rows, start=1):
        properties = {
            "code": code,
            "name": name,
            "kind": kind,
            "colonia": colonia,
            "area_m2": round(area, 1),
        }
        parts.append(
            ("," if count > 1 else "")
            + '{"type":"Feature","id":'
            + json.dumps(code)
            + ',"geometry":'
            + geometry
            + ',"properties":'
            + json.dumps(properties, ensure_ascii=False)
            + "}"
        )
        if count % chunk_rows == 0:
            yield "".join(parts)
            parts = []
    parts.append("]}")
    yield "".join(parts)


def dataset_summaries(*, municipality: Municipality) -> list[dict]:
    """What the open-data page lists: each dataset with its last update (one query each)."""
    return [
        {"dataset": dataset, "last_update": dataset.last_update(municipality)}
        for dataset in DATASETS
    ]


LICENSE = {"name": LICENSE_NAME, "url": LICENSE_URL}
