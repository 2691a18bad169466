"""Import of historical complaints from a CSV export of the 072 call centre.

Shared by ``manage.py import_complaints`` and the admin's upload screen. Columns are found by
header (Spanish or English), dates are Mexican (dd/mm/yyyy [HH:MM]). The import is all or
nothing: one rejected row and nothing is written; a folio already imported is skipped, so the
same file can be imported twice.
"""

import csv
import datetime
import io
import unicodedata
from dataclasses import dataclass, field

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from territory.models import Colonia, Municipality, ServiceType

from .models import Complaint
from .services import complaint_create

HEADER_ALIASES = {
    "external_id": {"folio", "id", "numero", "no", "numero de folio"},
    "created_at": {"fecha", "fecha de reporte", "fecha reporte", "date", "reported"},
    "service": {"servicio", "tipo", "tipo de servicio", "service", "service code"},
    "description": {"descripcion", "description", "detalle", "reporte"},
    "colonia": {"colonia", "fraccionamiento", "neighbourhood", "neighborhood"},
    "lat": {"latitud", "lat", "latitude"},
    "lon": {"longitud", "lon", "lng", "long", "longitude"},
    "address": {"direccion", "domicilio", "calle", "address"},
    "status": {"estatus", "status", "estado"},
    "reporter_name": {"nombre", "ciudadano", "name"},
    "reporter_phone": {"telefono", "phone"},
    "reporter_email": {"correo", "correo electronico", "email", "e-mail"},
}
REQUIRED_COLUMNS = ("external_id", "created_at", "service", "description")
STATUS_ALIASES = {
    "recibida": "received",
    "recibido": "received",
    "nueva": "received",
    "abierta": "received",
    "atendida": "acknowledged",
    "turnada": "acknowledged",
    "en proceso": "in_progress",
    "en atencion": "in_progress",
    "resuelta": "resolved",
    "resuelto": "resolved",
    "solucionada": "resolved",
    "cerrada": "closed",
    "cerrado": "closed",
    "rechazada": "rejected",
    "improcedente": "rejected",
    "duplicada": "duplicate",
    "duplicado": "duplicate",
}
DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y")


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace("_", " ").split())


@dataclass
class RejectedRow:
    line: int
    folio: str
    reason: str


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.errors


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _parse_date(value: str) -> datetime.datetime:
    value = value.strip()
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.datetime.strptime(value, fmt)  # noqa: DTZ007 (made aware below)
        except ValueError:
            continue
        return timezone.make_aware(parsed)
    raise ValueError(_("the date %(value)s is not dd/mm/yyyy [HH:MM]") % {"value": value})


def _parse_coordinate(value: str, low: float, high: float, name: str) -> float:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError as error:
        raise ValueError(
            _("%(name)s %(value)s is not a number") % {"name": name, "value": value}
        ) from error
    if not low <= number <= high:
        raise ValueError(_("%(name)s %(value)s is out of range") % {"name": name, "value": value})
    return number


def complaints_import_csv(
    *, municipality: Municipality, data: bytes, dry_run: bool = False
) -> ImportResult:
    """Imports the rows of a 072 CSV export: everything or, if any row is rejected, nothing."""
    result = ImportResult()
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        result.errors.append(_("The file is empty."))
        return result
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        normal = _normal(name)
        for column, aliases in HEADER_ALIASES.items():
            if normal in aliases and column not in columns:
                columns[column] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        labels = {
            "external_id": "folio",
            "created_at": "fecha",
            "service": "servicio",
            "description": "descripcion",
        }
        result.errors.append(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(labels[c] for c in missing)}
        )
        return result

    services: dict[str, ServiceType] = {}
    for service in ServiceType.objects.for_municipality(municipality):
        services[_normal(service.code)] = service
        services[_normal(service.name)] = service
    colonias = {_normal(c.name): c for c in Colonia.objects.for_municipality(municipality)}
    existing = set(
        Complaint.private_objects.for_municipality(municipality)
        .exclude(external_id="")
        .values_list("external_id", flat=True)
    )
    seen: set[str] = set()
    rows: list[dict] = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue

        def get(column, values=values):
            index = columns.get(column)
            return values[index].strip() if index is not None and index < len(values) else ""

        folio = get("external_id")
        try:
            if not folio:
                raise ValueError(_("the folio is empty"))
            if folio in seen:
                raise ValueError(_("the folio appears twice in the file"))
            seen.add(folio)
            created_at = _parse_date(get("created_at"))
            service = services.get(_normal(get("service")))
            if service is None:
                raise ValueError(_("unknown service %(value)s") % {"value": get("service")})
            description = get("description")
            if not description:
                raise ValueError(_("the description is empty"))
            point = None
            if get("lat") or get("lon"):
                lat = _parse_coordinate(get("lat"), -90, 90, _("latitude"))
                lon = _parse_coordinate(get("lon"), -180, 180, _("longitude"))
                point = Point(lon, lat, srid=4326)
            colonia = None
            if get("colonia") and point is None:
                colonia = colonias.get(_normal(get("colonia")))
                if colonia is None:
                    raise ValueError(_("unknown colonia %(value)s") % {"value": get("colonia")})
            address = get("address") or (colonia.name if colonia else "")
            if point is None and not address:
                raise ValueError(_("no place: give latitud and longitud, direccion or colonia"))
            raw_status = _normal(get("status"))
            status = STATUS_ALIASES.get(raw_status, raw_status or Complaint.Status.RECEIVED)
            if status not in Complaint.Status.values:
                raise ValueError(_("unknown status %(value)s") % {"value": get("status")})
        except ValueError as error:
            result.rejected.append(RejectedRow(line, folio, str(error)))
            continue
        if folio in existing:
            result.skipped += 1
            continue
        rows.append(
            {
                "line": line,
                "external_id": folio,
                "created_at": created_at,
                "service_type": service,
                "description": description[:4000],
                "point": point,
                "colonia": colonia,
                "address": address[:300],
                "status": status,
                "reporter_name": get("reporter_name")[:200],
                "reporter_phone": get("reporter_phone")[:40],
                "reporter_email": get("reporter_email"),
            }
        )
    if result.rejected or dry_run:
        return result
    try:
        with transaction.atomic():
            for row in rows:
                line = row.pop("line")
                try:
                    complaint_create(
                        municipality=municipality, source=Complaint.Source.PHONE, **row
                    )
                except ValidationError as error:
                    result.rejected.append(
                        RejectedRow(line, row["external_id"], "; ".join(error.messages))
                    )
                    continue
                result.created += 1
            if result.rejected:
                raise _RollBack
    except _RollBack:
        result.created = 0
    return result


class _RollBack(Exception):
    """Leaves the atomic block so that nothing of a rejected file is written."""
