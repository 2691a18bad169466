"""Imports public spaces and service areas from KML or GeoJSON files (read through GDAL).

The geometry half of ``contracts.imports.import_spaces_file`` (the ``import_spaces`` command),
which adds the contract that covers what is imported: territory never imports contracts. Two
phases: every feature is read and checked first (``parse_file``), and only a file without
problems is written (``features_write``), inside the caller's transaction.

What the real files of Chihuahua (``territory/data/chihuahua/``, shipped for the demo) taught
this module:

- Green-space lots (``Partida 11`` … ``14``): every placemark is a polygon whose description
  starts with the space code (``AC-Z11-0001``); codes are unique inside each file, names are not
  ("Plaza Pública", "Delicias-Chihuahua" repeat), so the code is the key. Lots 11 and 12 repeat
  in every description the concessionaire, the monthly amount "(IVA incluido)" and the period
  ("Vigencia: dd/mm/yyyy - dd/mm/yyyy") between ``<br>`` tags; lots 13 and 14 hold only the code.
  Names carry soft hyphens (U+00AD) and doubled spaces, which are removed.
- Garbage routes: one KML folder per contractor. A placemark name reads "route, colonias,
  company" ("A-L128, VALLE DEL ARBOL, JESUS DE LA CASAS CADENA"), with variations (no company,
  "R-200 RURAL SUR" as the route, "PARTIDAS 11 Y 13" with the routes in the description, the
  company misspelt). A route is drawn as several polygons (one per colonia; "R-200 RURAL SUR, SE"
  twenty times), so the key of an area is the route as written before the first comma, and a
  repeated route gets " #2", " #3"… in file order (the first keeps the bare route, so adding a
  polygon later does not rename the existing ones). The company of a folder is the most common
  last part of its names.
- The KML files were drawn in Google Earth and keep drawing leftovers: pins (points such as
  "EMPALME", "Marca de posición sin título", "ESTO NO ES"), one polygon with no coordinates
  (R-146, drawn again further on) and one polygon with no name. In KML these are skipped and
  listed as warnings; in GeoJSON, which machines write, they are errors.
- Three polygons (R-101, R-146, A-L33) intersect themselves; GEOS ``make_valid`` repairs them
  into polygons, which is accepted (and listed). A repair that yields no polygon is an error.
- The lighting file is the "LIFER DEL NORTE, CONTRATOS CD08-11 Y CD09-11" folder of the garbage
  file on its own (the same 39 polygons and 7 pins). Nothing in it says which area belongs to
  which contract, nor the contracts' period or amount, so garbage and lighting areas are linked
  to a contract only through ``contract_number``.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib.gis.gdal import (
    CoordTransform,
    DataSource,
    GDALException,
    OGRGeometry,
    SpatialReference,
)
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from tqdm import tqdm

from .geometry import WGS84, as_multipolygon
from .models import Directorate, Municipality, PublicSpace, ServiceArea, ServiceType
from .services import service_area_upsert, space_upsert

PROGRESS_THRESHOLD = 50

SPACE_CODE_RE = re.compile(r"^\s*([A-Z]{2,3}-Z(\d+)-\d{3,5})\b")
LOT_RE = re.compile(r"\bpartida\s+(\d+)\b", re.IGNORECASE)
CONCESSIONAIRE_RE = re.compile(r"Concesionario:\s*(?P<name>[^\n]+)", re.IGNORECASE)
MONTHLY_AMOUNT_RE = re.compile(
    r"Monto mensual[^$]*\$\s*(?P<amount>[\d,]+(?:\.\d{1,2})?)\s*(?P<vat>\(IVA incluido\))?",
    re.IGNORECASE,
)
PERIOD_RE = re.compile(
    r"Vigencia:\s*(?P<start>\d{1,2}/\d{1,2}/\d{4})\s*[-–]\s*(?P<end>\d{1,2}/\d{1,2}/\d{4})",
    re.IGNORECASE,
)
TOTAL_SPACES_RE = re.compile(r"Total de espacios[^:]*:\s*(\d+)", re.IGNORECASE)
CONTRACT_NUMBER_RE = re.compile(r"\b(?:CD|OM)[- ]?\d+[-/]\d+(?:-?[A-Z])?\b")
BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)

CODE_MAX = ServiceArea._meta.get_field("code").max_length
AREA_NAME_MAX = ServiceArea._meta.get_field("name").max_length
COLONIAS_MAX = ServiceArea._meta.get_field("colonias_text").max_length
SPACE_NAME_MAX = PublicSpace._meta.get_field("name").max_length


@dataclass(frozen=True)
class ServiceDefaults:
    code: str
    name: str
    category: str
    color: str
    directorate: str
    email_user: str
    keywords: tuple[str, ...]


# Service types and the directorate put in charge when the municipality has none for them.
SERVICES = {
    "green-spaces": ServiceDefaults(
        "green-spaces",
        "Mantenimiento de áreas verdes",
        ServiceType.Category.GREEN_SPACES,
        "#2e7d32",
        "Dirección de Servicios Públicos Municipales",
        "serviciospublicos",
        ("partida", "areas verdes", "áreas verdes", "green"),
    ),
    "garbage": ServiceDefaults(
        "garbage",
        "Recolección de basura",
        ServiceType.Category.GARBAGE,
        "#6d4c41",
        "Dirección de Aseo Urbano",
        "aseourbano",
        ("recoleccion", "recolección", "aseo", "basura", "garbage"),
    ),
    "lighting": ServiceDefaults(
        "lighting",
        "Alumbrado público",
        ServiceType.Category.LIGHTING,
        "#f9a825",
        "Dirección de Alumbrado Público",
        "alumbrado",
        ("alumbrado", "luminaria", "lighting"),
    ),
}
SPACE_KIND_WORDS = [
    ("parque", PublicSpace.Kind.PARK),
    ("jardín", PublicSpace.Kind.GARDEN),
    ("jardin", PublicSpace.Kind.GARDEN),
    ("camellón", PublicSpace.Kind.MEDIAN),
    ("camellon", PublicSpace.Kind.MEDIAN),
    ("triángulo", PublicSpace.Kind.TRIANGLE),
    ("triangulo", PublicSpace.Kind.TRIANGLE),
    ("glorieta", PublicSpace.Kind.TRIANGLE),
    ("cancha", PublicSpace.Kind.SPORTS),
    ("plaza", PublicSpace.Kind.PLAZA),
    ("plazoleta", PublicSpace.Kind.PLAZA),
]


class SpaceImportError(Exception):
    """The file cannot be imported; ``problems`` lists "feature N: reason" lines."""

    def __init__(self, message: str, problems: Iterable[str] = ()):
        self.problems = list(problems)
        super().__init__("\n".join([message, *self.problems]) if self.problems else message)


@dataclass
class ContractTerms:
    company: str
    monthly_amount: Decimal
    amounts_include_vat: bool
    start_date: datetime.date
    end_date: datetime.date
    total_spaces: int | None


@dataclass
class ParsedFeature:
    number: int
    key: str
    name: str
    geometry: MultiPolygon
    kind: str = ""
    colonias_text: str = ""
    company: str = ""
    layer: str = ""


@dataclass
class ImportReport:
    service_type: ServiceType | None = None
    target: str = ""  # "spaces" or "areas"
    created: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    uncovered: int = 0
    directorate: Directorate | None = None
    companies_named: list[str] = field(default_factory=list)
    contracts_named: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated


# --- Text helpers --------------------------------------------------------------------------


def clean_text(value: str | None) -> str:
    """Drops soft hyphens and HTML, and collapses whitespace."""
    if not value:
        return ""
    value = strip_tags(BR_RE.sub("\n", value)).replace("\u00ad", "").replace("\xa0", " ")
    return re.sub(r"[ \t]+", " ", value).strip()


def one_line(value: str | None) -> str:
    return re.sub(r"\s+", " ", clean_text(value)).strip()


def parse_mexican_date(value: str) -> datetime.date:
    day, month, year = (int(part) for part in value.split("/"))
    return datetime.date(year, month, day)


def parse_contract_terms(description: str) -> ContractTerms | None:
    """Company, monthly amount and period of lots 11 and 12; None when the text lacks them."""
    text = clean_text(description)
    company = CONCESSIONAIRE_RE.search(text)
    amount = MONTHLY_AMOUNT_RE.search(text)
    period = PERIOD_RE.search(text)
    if not (company and amount and period):
        return None
    try:
        monthly_amount = Decimal(amount["amount"].replace(",", ""))
        start, end = parse_mexican_date(period["start"]), parse_mexican_date(period["end"])
    except (InvalidOperation, ValueError):
        return None
    total = TOTAL_SPACES_RE.search(text)
    return ContractTerms(
        company=company["name"].strip(),
        monthly_amount=monthly_amount,
        amounts_include_vat=bool(amount["vat"]),
        start_date=start,
        end_date=end,
        total_spaces=int(total[1]) if total else None,
    )


def space_kind_from_name(name: str) -> str:
    lowered = name.lower()
    for word, kind in SPACE_KIND_WORDS:
        if lowered.startswith(word):
            return kind
    return ""


def _is_company(part: str, company: str) -> bool:
    return bool(company) and difflib.SequenceMatcher(None, part, company).ratio() >= 0.8


def split_area_name(name: str, company: str) -> tuple[str, str]:
    """(route, colonias) of "A-L128, VALLE DEL ARBOL, JESUS DE LA CASAS CADENA"."""
    parts = [part.strip() for part in name.split(",") if part.strip()]
    route = parts[0].upper() if parts else ""
    rest = parts[1:]
    if rest and _is_company(rest[-1].upper(), company):
        rest = rest[:-1]
    elif rest and company and rest[-1].upper().endswith(company):
        # "…TORRES DEL REY. LIFER DEL NORTE": the company after a full stop.
        rest = [*rest[:-1], rest[-1][: -len(company)].rstrip(" .")]
    return route, ", ".join(rest)


# --- Reading -------------------------------------------------------------------------------


@dataclass
class RawFeature:
    number: int
    layer: str
    fields: dict
    geometry: OGRGeometry | None


def _read_features(path: Path) -> tuple[str, list[RawFeature]]:
    try:
        source = DataSource(str(path))
    except GDALException as error:
        raise SpaceImportError(
            _("%(file)s cannot be read as KML or GeoJSON: %(error)s")
            % {"file": path.name, "error": error}
        ) from error
    driver = str(source.driver)
    if driver not in ("KML", "LIBKML", "GeoJSON"):
        raise SpaceImportError(
            _("%(file)s is a %(driver)s file; only KML and GeoJSON are imported.")
            % {"file": path.name, "driver": driver}
        )
    features = []
    number = 0
    for layer in source:
        srs = layer.srs
        if srs is None:
            raise SpaceImportError(
                _("Layer “%(layer)s” has no coordinate reference system.") % {"layer": layer.name}
            )
        to_wgs84 = None
        if srs.srid != WGS84 and "CRS84" not in (srs.name or ""):
            to_wgs84 = CoordTransform(srs, SpatialReference(WGS84))
        for feature in layer:
            number += 1
            fields = {name.lower(): feature.get(name) for name in feature.fields}
            try:
                geometry = feature.geom.clone()
            except GDALException:
                geometry = None
            if geometry is not None and to_wgs84 is not None:
                geometry.transform(to_wgs84)
            features.append(RawFeature(number, layer.name, fields, geometry))
    return driver, features


def _check_geojson_crs(path: Path) -> None:
    """GDAL silently reads a GeoJSON whose ``crs`` it does not know as WGS84: refuse it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise SpaceImportError(
            _("%(file)s is not valid GeoJSON: %(error)s") % {"file": path.name, "error": error}
        ) from error
    crs = document.get("crs") if isinstance(document, dict) else None
    if not crs:
        return  # RFC 7946: no crs member means WGS84 longitude, latitude.
    name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
    try:
        if not name:
            raise GDALException("no name")
        SpatialReference(name)
    except GDALException as error:
        raise SpaceImportError(
            _("%(file)s uses an unknown coordinate reference system: %(crs)s")
            % {"file": path.name, "crs": name or crs}
        ) from error


def _is_empty(geometry: OGRGeometry) -> bool:
    try:
        return geometry.geos.empty
    except (GEOSException, GDALException):
        return False  # unreadable, not empty: _polygonal reports it


def _polygonal(geometry: OGRGeometry, number: int, report: ImportReport) -> MultiPolygon:
    """The feature's geometry as a valid 2-D MultiPolygon in WGS84, or a ValueError."""
    try:
        geos = geometry.geos
    except (GEOSException, GDALException) as error:
        raise ValueError(_("the geometry cannot be read (%(error)s)") % {"error": error}) from None
    if geos.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(
            _("the geometry is a %(type)s; a polygon is expected") % {"type": geos.geom_type}
        )
    if geos.empty:
        raise ValueError(_("the geometry is empty"))
    geos.srid = WGS84
    xmin, ymin, xmax, ymax = geos.extent
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        raise ValueError(_("the coordinates are outside longitude/latitude bounds"))
    multipolygon = as_multipolygon(geos)
    if not multipolygon.valid:
        reason = multipolygon.valid_reason
        repaired = _polygonal_part(multipolygon.make_valid())
        if repaired is None or repaired.area <= 0:
            raise ValueError(_("invalid polygon (%(reason)s)") % {"reason": reason})
        report.repaired.append(
            _("feature %(number)s: repaired (%(reason)s)") % {"number": number, "reason": reason}
        )
        multipolygon = repaired
    if multipolygon.area <= 0:
        raise ValueError(_("the polygon has no area"))
    return multipolygon


def _polygonal_part(geometry: GEOSGeometry) -> MultiPolygon | None:
    if isinstance(geometry, Polygon | MultiPolygon):
        return as_multipolygon(geometry)
    polygons = []
    for part in getattr(geometry, "__iter__", lambda: iter(()))():
        if isinstance(part, Polygon):
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(part)
    return MultiPolygon(*polygons, srid=WGS84) if polygons else None


# --- Parsing: which file, which features ---------------------------------------------------


@dataclass
class ParsedFile:
    service_code: str
    features: list[ParsedFeature]
    lot: str = ""
    title: str = ""
    terms: ContractTerms | None = None
    contracts_named: list[str] = field(default_factory=list)


def _detect_service(path: Path, raw: list[RawFeature], is_kml: bool) -> str | None:
    if not is_kml:
        return "green-spaces"
    if any(SPACE_CODE_RE.match(clean_text(f.fields.get("description"))) for f in raw):
        return "green-spaces"
    text = " ".join({f.layer for f in raw} | {path.stem.replace("-", " ")}).lower()
    found = [
        code for code, defaults in SERVICES.items() if any(k in text for k in defaults.keywords)
    ]
    found = [code for code in found if code != "green-spaces"]
    return found[0] if len(found) == 1 else None


def _parse_spaces(raw: list[RawFeature], is_kml: bool, report: ImportReport):
    problems, features, terms_seen, lots = [], [], [], set()
    seen: dict[str, int] = {}
    for item in raw:
        if (
            is_kml
            and item.geometry is not None
            and item.geometry.geom_type.name.startswith("Point")
        ):
            report.skipped.append(
                _("feature %(number)s: a pin (“%(name)s”), skipped")
                % {"number": item.number, "name": one_line(item.fields.get("name"))}
            )
            continue
        if is_kml:
            description = item.fields.get("description") or ""
            match = SPACE_CODE_RE.match(clean_text(description))
            code = match[1] if match else ""
            if match:
                lots.add(str(int(match[2])))
            terms = parse_contract_terms(description)
            if terms:
                terms_seen.append(terms)
            kind = ""
        else:
            code = one_line(str(item.fields.get("code") or ""))
            kind = one_line(str(item.fields.get("kind") or ""))
            if kind and kind not in PublicSpace.Kind.values:
                problems.append(
                    _("feature %(number)s: unknown kind “%(kind)s” (use one of %(kinds)s)")
                    % {"number": item.number, "kind": kind, "kinds": ", ".join(PublicSpace.Kind)}
                )
                continue
        name = one_line(item.fields.get("name"))[:SPACE_NAME_MAX]
        if not code:
            problems.append(
                _("feature %(number)s: no space code (“%(name)s”)")
                % {"number": item.number, "name": name}
            )
            continue
        if code in seen:
            problems.append(
                _("feature %(number)s: code %(code)s repeats feature %(first)s")
                % {"number": item.number, "code": code, "first": seen[code]}
            )
            continue
        seen[code] = item.number
        if item.geometry is None:
            problems.append(_("feature %(number)s: no geometry") % {"number": item.number})
            continue
        try:
            geometry = _polygonal(item.geometry, item.number, report)
        except ValueError as error:
            problems.append(f"feature {item.number}: {error}")
            continue
        features.append(
            ParsedFeature(
                number=item.number,
                key=code,
                name=name or code,
                geometry=geometry,
                kind=kind or space_kind_from_name(name),
                layer=item.layer,
            )
        )
    return problems, features, terms_seen, lots


def _parse_areas(raw: list[RawFeature], is_kml: bool, report: ImportReport):
    problems, features = [], []
    companies = {}
    if is_kml:
        for layer in dict.fromkeys(f.layer for f in raw):
            endings = Counter(
                one_line(f.fields.get("name")).split(",")[-1].strip().upper()
                for f in raw
                if f.layer == layer and "," in (f.fields.get("name") or "")
            )
            companies[layer] = endings.most_common(1)[0][0] if endings else ""
    occurrences: Counter = Counter()
    for item in raw:
        name = one_line(item.fields.get("name"))
        geometry_type = item.geometry.geom_type.name if item.geometry is not None else ""
        if is_kml and (geometry_type.startswith("Point") or not name):
            reason = _("a pin") if geometry_type.startswith("Point") else _("no name")
            report.skipped.append(
                _("feature %(number)s: %(reason)s (“%(name)s”), skipped")
                % {"number": item.number, "reason": reason, "name": name}
            )
            continue
        if is_kml and item.geometry is not None and _is_empty(item.geometry):
            report.skipped.append(
                _("feature %(number)s: a shape with no coordinates (“%(name)s”), skipped")
                % {"number": item.number, "name": name}
            )
            continue
        company = companies.get(item.layer, "")
        if is_kml:
            route, colonias = split_area_name(name, company)
        else:
            route = one_line(str(item.fields.get("code") or ""))
            colonias = one_line(str(item.fields.get("colonias") or ""))
        if not route:
            problems.append(
                _("feature %(number)s: no area code (“%(name)s”)")
                % {"number": item.number, "name": name}
            )
            continue
        occurrences[route] += 1
        key = route if occurrences[route] == 1 else f"{route} #{occurrences[route]}"
        if len(key) > CODE_MAX:
            problems.append(
                _("feature %(number)s: the code “%(code)s” is longer than %(max)s characters")
                % {"number": item.number, "code": key, "max": CODE_MAX}
            )
            continue
        if not is_kml and occurrences[route] > 1:
            problems.append(
                _("feature %(number)s: code %(code)s repeats an earlier feature")
                % {"number": item.number, "code": route}
            )
            continue
        if item.geometry is None:
            problems.append(_("feature %(number)s: no geometry") % {"number": item.number})
            continue
        try:
            geometry = _polygonal(item.geometry, item.number, report)
        except ValueError as error:
            problems.append(f"feature {item.number}: {error}")
            continue
        features.append(
            ParsedFeature(
                number=item.number,
                key=key,
                name=(name or key)[:AREA_NAME_MAX],
                geometry=geometry,
                colonias_text=colonias[:COLONIAS_MAX],
                company=company,
                layer=item.layer,
            )
        )
    return problems, features


def parse_file(
    *,
    path: Path,
    service_code: str | None,
    report: ImportReport,
    municipality: Municipality | None = None,
) -> ParsedFile:
    """Phase one: reads and checks every feature; raises SpaceImportError listing problems."""
    path = Path(path)
    if not path.is_file():
        raise SpaceImportError(_("File not found: %(path)s") % {"path": path})
    if path.suffix.lower() in (".geojson", ".json"):
        _check_geojson_crs(path)
    driver, raw = _read_features(path)
    is_kml = driver != "GeoJSON"
    detected = service_code or _detect_service(path, raw, is_kml)
    if detected is None:
        raise SpaceImportError(
            _(
                "Cannot tell whether %(file)s holds green spaces, garbage routes or lighting "
                "areas: give the service code."
            )
            % {"file": path.name}
        )
    if not raw:
        raise SpaceImportError(_("%(file)s holds no features.") % {"file": path.name})
    parsed = ParsedFile(service_code=detected, features=[])
    category = SERVICES[detected].category if detected in SERVICES else None
    if municipality is not None:
        category = (
            ServiceType.objects.filter(municipality=municipality, code=detected)
            .values_list("category", flat=True)
            .first()
        ) or category
    if category == ServiceType.Category.GREEN_SPACES or (category is None and not is_kml):
        problems, parsed.features, terms_seen, lots = _parse_spaces(raw, is_kml, report)
        layer_lots = {m[1] for f in raw if (m := LOT_RE.search(f.layer))}
        lot_candidates = sorted(layer_lots or lots)
        parsed.lot = lot_candidates[0] if len(lot_candidates) == 1 else ""
        parsed.title = raw[0].layer if layer_lots else ""
        distinct_terms = {
            (t.company, t.monthly_amount, t.start_date, t.end_date) for t in terms_seen
        }
        if len(distinct_terms) > 1:
            problems.append(
                _("the descriptions name %(count)s different contracts; one lot per file")
                % {"count": len(distinct_terms)}
            )
        elif terms_seen:
            parsed.terms = terms_seen[0]
            if parsed.terms.total_spaces not in (None, len(parsed.features)):
                report.notes.append(
                    _("The descriptions say %(said)s spaces; the file holds %(count)s.")
                    % {"said": parsed.terms.total_spaces, "count": len(parsed.features)}
                )
        report.target = "spaces"
    else:
        problems, parsed.features = _parse_areas(raw, is_kml, report)
        parsed.contracts_named = sorted(
            {
                number
                for layer in {f.layer for f in raw}
                for number in CONTRACT_NUMBER_RE.findall(layer)
            }
        )
        report.target = "areas"
    if problems:
        raise SpaceImportError(
            _("%(file)s was not imported; nothing was written:") % {"file": path.name}, problems
        )
    if not parsed.features:
        raise SpaceImportError(_("%(file)s holds no polygons to import.") % {"file": path.name})
    return parsed


# --- Writing -------------------------------------------------------------------------------


def service_type_for_code(*, municipality: Municipality, code: str) -> ServiceType:
    """The municipality's service type with this code, created for the three known codes."""
    existing = ServiceType.objects.filter(municipality=municipality, code=code).first()
    if existing:
        return existing
    defaults = SERVICES.get(code)
    if defaults is None:
        raise SpaceImportError(
            _("Unknown service “%(code)s”; known services: %(codes)s")
            % {
                "code": code,
                "codes": ", ".join(
                    sorted(
                        {
                            *SERVICES,
                            *ServiceType.objects.filter(municipality=municipality).values_list(
                                "code", flat=True
                            ),
                        }
                    )
                ),
            }
        )
    service_type, _created = ServiceType.objects.get_or_create(
        municipality=municipality,
        code=code,
        defaults={"name": defaults.name, "category": defaults.category, "color": defaults.color},
    )
    return service_type


def _email_domain(municipality: Municipality) -> str:
    if "@" in municipality.contact_email:
        return municipality.contact_email.rsplit("@", 1)[1]
    if municipality.website:
        return re.sub(r"^https?://(www\.)?", "", municipality.website).split("/")[0]
    if municipality.host_list:
        return municipality.host_list[0]
    return f"{municipality.slug}.example.org"


def directorate_for_service(
    *, municipality: Municipality, service_type: ServiceType
) -> Directorate:
    """The directorate in charge of the service; a realistic one is created when none is."""
    existing = (
        Directorate.objects.filter(municipality=municipality, services=service_type)
        .order_by("id")
        .first()
    )
    if existing:
        return existing
    defaults = SERVICES.get(service_type.code) or next(
        (d for d in SERVICES.values() if d.category == service_type.category),
        SERVICES["green-spaces"],
    )
    directorate, _created = Directorate.objects.get_or_create(
        municipality=municipality,
        name=defaults.directorate,
        defaults={"email": f"{defaults.email_user}@{_email_domain(municipality)}"},
    )
    directorate.services.add(service_type)
    return directorate


def _progress(iterable, *, total: int, progress: bool | None, description: str):
    enabled = total > PROGRESS_THRESHOLD and sys.stderr.isatty() if progress is None else progress
    return tqdm(iterable, total=total, disable=not enabled, file=sys.stderr, desc=description)


def features_write(
    *, municipality: Municipality, parsed: ParsedFile, report: ImportReport, progress: bool | None
) -> list[PublicSpace] | list[ServiceArea]:
    """Phase two: the service type, its directorate and the spaces or areas, upserted by code.

    Call it inside a transaction, after ``parse_file``. Spaces are updated by code and areas by
    (service, code), so a re-import never duplicates.
    """
    service_type = service_type_for_code(municipality=municipality, code=parsed.service_code)
    report.service_type = service_type
    directorate = directorate_for_service(municipality=municipality, service_type=service_type)
    report.directorate = directorate
    if report.target == "spaces":
        return _write_spaces(municipality, parsed, directorate, report, progress)
    return _write_areas(municipality, parsed, service_type, report, progress)


def _write_spaces(municipality, parsed, directorate, report, progress) -> list[PublicSpace]:
    with_directorate = set(
        PublicSpace.objects.filter(
            municipality=municipality,
            code__in=[f.key for f in parsed.features],
            directorate__isnull=False,
        ).values_list("code", flat=True)
    )
    records = []
    for feature in _progress(
        parsed.features, total=len(parsed.features), progress=progress, description=_("spaces")
    ):
        space, created = space_upsert(
            municipality=municipality,
            code=feature.key,
            name=feature.name,
            geometry=feature.geometry,
            kind=feature.kind or None,
            # The fallback responsible; one set by hand (e.g. in the admin) is kept.
            directorate=None if feature.key in with_directorate else directorate,
        )
        records.append(space)
        report.created += created
        report.updated += not created
    return records


def _write_areas(municipality, parsed, service_type, report, progress) -> list[ServiceArea]:
    records = []
    for feature in _progress(
        parsed.features, total=len(parsed.features), progress=progress, description=_("areas")
    ):
        area, created = service_area_upsert(
            municipality=municipality,
            service_type=service_type,
            code=feature.key,
            name=feature.name,
            geometry=feature.geometry,
            colonias_text=feature.colonias_text,
        )
        records.append(area)
        report.created += created
        report.updated += not created
    return records
