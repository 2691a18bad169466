"""Territory's part of the demo (``core.demo``): the municipalities and their places.

Named in ``TerritoryConfig.demo_seeders``; they run first, and the other apps' seeders build on
what they leave on the context. Everything is upserted by natural keys, and what is invented is
drawn from random generators with fixed seeds, so running it again leaves the same rows (the
same counts, no duplicates); it re-asserts the demo values over any edits.

What it creates:

- **Chihuahua, Chihuahua** (INEGI 08019, default municipality, ``chihuahua.localhost``): the
  real map the Sindicatura published in *Vigila tu ciudad* (2021), shipped in
  ``territory/data/chihuahua/`` (its README gives the source and terms) and read by the importer
  (``territory.imports``, the same code as ``manage.py import_spaces``): the 300 green spaces of
  maintenance lots 11–14 with their real codes and names, the 203 garbage-collection areas of
  the 227 placemarks and the 39 street-lighting areas of the 46 (the others are pins and drawing
  leftovers), with the contractor each folder names. The three watched services, the Dirección
  de Servicios Públicos Municipales and its departments. Colonias derived from the garbage
  routes (see ``derive_colonias``; their populations are invented), and ``spaces`` invented
  green spaces kept by the Departamento de Parques y Jardines (codes ``DEMO-PJ-NNNN``, which no
  published code can match).
- **Villaflores, Chiapas** (INEGI 07108, rural, ``villaflores.localhost``): its localities as
  points (approximate coordinates and populations; only the cabecera's INEGI locality code is
  given, the others are left blank rather than invented) and the cabecera's urban colonias.
"""

import functools
import math
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.db.models import Count
from django.utils.translation import gettext as _

from core.demo import DEMO_EMAIL_DOMAIN, DemoContext, DemoError

from .geometry import area_m2, as_multipolygon
from .imports import ImportReport, ParsedFile, features_write, parse_file
from .models import Colonia, Directorate, Municipality, PublicSpace, ServiceArea, ServiceType
from .services import municipality_create

GREEN, GARBAGE, LIGHTING = "green-spaces", "garbage", "lighting"
DIRECTORATE_GENERAL, PARKS, CLEANING, STREET_LIGHTING = "general", "parks", "cleaning", "lighting"

# --- Chihuahua: the published files ----------------------------------------------------------

DATA_DIR = Path(__file__).resolve().parent / "data" / "chihuahua"
# The green-space maintenance lots ("partidas") published; zone N of a code AC-ZN-… is lot N.
GREEN_LOTS = (11, 12, 13, 14)
GREEN_FILES = {lot: DATA_DIR / f"green-spaces-lot-{lot}.kml" for lot in GREEN_LOTS}
GARBAGE_FILE = DATA_DIR / "garbage-collection-routes.kml"
LIGHTING_FILE = DATA_DIR / "street-lighting-lifer-del-norte.kml"
# Invented spaces kept by the Departamento de Parques y Jardines: a prefix no real code has.
KEPT_PREFIX = "DEMO-PJ-"
MIN_SPACE_COUNT = 0
# Keys of DemoContext.service_areas: every area of a service, and one contractor's
# (``contractor_key``).
GARBAGE_ROUTES, LIGHTING_AREAS = "garbage-routes", "lighting-areas"
CHIHUAHUA_LOCALITY_CODE = "080190001"  # INEGI: the city of Chihuahua

CHIHUAHUA_CENTER = (-106.08, 28.64)  # between the centre and the spaces of lots 11–14
M_PER_DEG_LAT = 110_900.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(CHIHUAHUA_CENTER[1]))


def green_key(lot: int) -> str:
    """The key of a lot's parsed file in ``DemoContext.real_files``."""
    return f"{GREEN}-{lot}"


def contractor_key(service: str, company: str) -> str:
    """The key of one contractor's areas of a service in ``DemoContext.service_areas``."""
    return f"{service}:{company}"


# --- Chihuahua: colonias derived from the garbage routes -------------------------------------

# The published files hold no colonia boundaries, but the garbage routes name the colonias each
# of their polygons serves: "A-L128, VALLE DEL ARBOL, JESUS DE LA CASAS CADENA". Each distinct
# list of colonias becomes one colonia, with the union of the polygons that name it, less what
# an earlier one holds (neighbouring routes overlap a little). The routes leave gaps inside the
# city (a third of the green spaces lie in none), so the urban colonias then grow into them, a
# step at a time, inside the city only, each step taking ground no colonia holds yet: the result
# tiles the city with no overlap. An approximation for the demo, not the official boundaries
# (territory/data/chihuahua/README.md says so too).

# Route polygons that name no colonia: "SE" (sin especificar), a part number, nothing.
NO_COLONIA = {"", "SE", "PARTE 2"}
ROUTE_PREFIX_RE = re.compile(r"^[A-Z]-[A-Z]?\d+\s*,\s*")  # "A-M212, GRANJAS CERRO GRANDE"
LOWER_WORDS = {"de", "del", "la", "las", "los", "y", "e", "el"}
UPPER_WORDS = {"CDP", "CTM", "CNOP", "UP", "SE", "I", "II", "III", "IV", "V", "VI"}
GROWTH_STEP_DEG, GROWTH_STEPS = 0.007, 4  # about 700 m a step, 2.8 km at most
# The city: the convex hull of the green spaces and the urban routes, and about 500 m around.
CITY_MARGIN_DEG = 0.005
SLIVER_DEG2 = 1e-8  # about 100 m²: crumbs that differences leave are dropped


@dataclass(frozen=True)
class DerivedColonia:
    name: str
    kind: str
    is_rural: bool
    wkb: bytes

    @property
    def geometry(self) -> MultiPolygon:
        """A new geometry on every call (GEOS geometries are mutable)."""
        return GEOSGeometry(memoryview(self.wkb), srid=4326)


def colonia_name(text: str) -> str:
    """The title case of a published list of colonias: "RIBERAS DE SACRAMENTO III-VALLE SAN
    PEDRO" → "Riberas de Sacramento III-Valle San Pedro"."""
    words, starts = [], True
    for part in re.split(r"(\W+)", text.strip()):
        if not part or not part[0].isalnum():
            words.append(part)
            starts = starts or "-" in part or "," in part
            continue
        if part.upper() in UPPER_WORDS:
            words.append(part.upper())
        elif not starts and part.lower() in LOWER_WORDS:
            words.append(part.lower())
        else:
            words.append(part.capitalize())
        starts = False
    return "".join(words)


def _polygonal(geometry: GEOSGeometry) -> MultiPolygon | None:
    """The polygons of a union or difference (no lines, points or crumbs), or None."""
    parts = []
    pieces = [geometry] if geometry.geom_type == "Polygon" else list(geometry)
    for piece in pieces:
        polygons = [piece] if piece.geom_type == "Polygon" else []
        if piece.geom_type == "MultiPolygon":
            polygons = list(piece)
        parts += [p for p in polygons if not p.empty and p.area >= SLIVER_DEG2]
    return MultiPolygon(parts, srid=4326) if parts else None


def _is_rural_route(route: str) -> bool:
    """ "R-200 RURAL SUR", "R-227 RURAL NORTE": the routes of the rural localities."""
    return "RURAL" in route.upper()


def _colonia_kind(text: str, is_rural: bool) -> str:
    upper = text.upper()
    if upper.startswith("EJIDO"):
        return Colonia.Kind.EJIDO
    if upper.startswith("FRACC"):
        return Colonia.Kind.FRACCIONAMIENTO
    return Colonia.Kind.LOCALITY if is_rural else Colonia.Kind.COLONIA


@functools.cache
def derived_colonias() -> tuple[DerivedColonia, ...]:
    """Chihuahua's colonias as the module's comment describes them, in the file's order.

    Pure and cached per process (about 5 s of GEOS work): the files never change at run time.
    """
    garbage = parse_file(path=GARBAGE_FILE, service_code=GARBAGE, report=ImportReport())
    green = [
        polygon
        for path in GREEN_FILES.values()
        for feature in parse_file(path=path, service_code=GREEN, report=ImportReport()).features
        for polygon in feature.geometry
    ]
    urban = [
        polygon
        for feature in garbage.features
        if not _is_rural_route(feature.key)
        for polygon in feature.geometry
    ]
    city = MultiPolygon(green + urban, srid=4326).convex_hull.buffer(CITY_MARGIN_DEG)
    groups: dict[str, dict] = {}
    for feature in garbage.features:
        text = ROUTE_PREFIX_RE.sub("", feature.colonias_text.strip())
        route = feature.key.split(" #")[0]
        if text.upper() in NO_COLONIA:
            name, text = f"Zona de la ruta {colonia_name(route)}", ""
        else:
            name = colonia_name(text)
        group = groups.setdefault(name, {"polygons": [], "rural": False, "text": text})
        group["polygons"].extend(feature.geometry)
        group["rural"] |= _is_rural_route(route)
    covered = None
    derived = []  # [name, geometry, is_rural, text]
    for name, group in groups.items():
        geometry = MultiPolygon(group["polygons"], srid=4326).unary_union
        if covered is not None:
            geometry = geometry.difference(covered)
        geometry = _polygonal(geometry)
        if geometry is None:
            continue
        covered = geometry if covered is None else covered.union(geometry)
        derived.append([name, geometry, group["rural"], group["text"]])
    for _step in range(GROWTH_STEPS):
        for item in derived:
            if item[2]:
                continue
            grown = _polygonal(
                item[1].buffer(GROWTH_STEP_DEG, 2).intersection(city).difference(covered)
            )
            if grown is not None:
                item[1] = _polygonal(item[1].union(grown))
                covered = covered.union(grown)
    return tuple(
        DerivedColonia(name, _colonia_kind(text, is_rural), is_rural, bytes(geometry.wkb))
        for name, geometry, is_rural, text in derived
    )


# --- Chihuahua: invented spaces kept by the directorate --------------------------------------

PEOPLE = [
    "Benito Juárez",
    "Miguel Hidalgo",
    "Francisco Villa",
    "Josefa Ortiz de Domínguez",
    "Ignacio Allende",
    "Abraham González",
    "Manuel Ojinaga",
    "Melchor Ocampo",
    "Guadalupe Victoria",
    "Niños Héroes",
    "Venustiano Carranza",
    "Ignacio Zaragoza",
    "Vicente Guerrero",
    "Leona Vicario",
    "Sor Juana Inés de la Cruz",
    "José María Morelos",
    "Lázaro Cárdenas",
    "Ignacio Ramírez",
    "Simón Bolívar",
    "Batallón San Patricio",
]
THEMES = [
    "Los Pinos",
    "Las Palmas",
    "Los Álamos",
    "Los Nogales",
    "Las Flores",
    "del Maestro",
    "de la Amistad",
    "Infantil",
    "Central",
    "del Encino",
    "Honor a las Madres",
    "de la Juventud",
    "20 de Noviembre",
    "5 de Febrero",
    "16 de Septiembre",
    "Tres Castillos",
    "El Chamizal",
    "Lealtad",
]
AVENUES = [
    "Av. Tecnológico",
    "Av. Universidad",
    "Av. de las Industrias",
    "Av. Teófilo Borunda",
    "Av. Pacheco",
    "Av. Ocampo",
    "Av. Independencia",
    "Av. Cuauhtémoc",
    "Blvd. Ortiz Mena",
    "Av. Politécnico Nacional",
    "Av. Juan Escutia",
    "Av. Zarco",
    "Av. Fuerza Aérea",
    "Av. Homero",
    "Av. Colón",
    "Av. Francisco Villa",
]
STREETS = [
    "Calle 20 de Noviembre",
    "Calle 46a",
    "Calle Ernesto Talavera",
    "Calle Aldama",
    "Calle Libertad",
    "Calle Mina",
    "Calle Tamborel",
    "Calle Lerdo",
    "Calle Victoria",
    "Calle Juan Aldama",
    "Calle Madera",
    "Calle 25a",
]

# (kind, weight)
SPACE_KINDS = [
    (PublicSpace.Kind.PARK, 45),
    (PublicSpace.Kind.GARDEN, 20),
    (PublicSpace.Kind.MEDIAN, 15),
    (PublicSpace.Kind.TRIANGLE, 10),
    (PublicSpace.Kind.PLAZA, 5),
    (PublicSpace.Kind.SPORTS, 5),
]

# --- Villaflores -----------------------------------------------------------------------------

VILLAFLORES_CENTER = (-93.2675, 16.2336)
# (name, longitude, latitude, population): approximate, for the demo.
VILLAFLORES_LOCALITIES = [
    ("Villaflores", -93.2675, 16.2336, 40000),
    ("Jesús María Garza", -93.361, 16.317, 4800),
    ("Cristóbal Obregón", -93.447, 16.431, 4300),
    ("Villa Hidalgo", -93.196, 16.275, 3600),
    ("Nuevo México", -93.312, 16.180, 3300),
    ("Benito Juárez", -93.238, 16.290, 2900),
    ("Dr. Domingo Chanona", -93.290, 16.355, 2500),
    ("Francisco Villa", -93.333, 16.150, 2100),
    ("Guadalupe Victoria", -93.420, 16.278, 2000),
    ("Calzada Larga", -93.215, 16.197, 1700),
    ("Agrónomos Mexicanos", -93.207, 16.106, 1500),
    ("Unión Agropecuarios Lázaro Cárdenas", -93.200, 16.400, 1400),
    ("Roberto Barrios", -93.380, 16.380, 1300),
    ("Tierra y Libertad", -93.420, 16.120, 1200),
    ("16 de Septiembre", -93.150, 16.245, 1100),
    ("Nueva Independencia", -93.280, 16.060, 900),
]
VILLAFLORES_SEAT_LOCALITY_CODE = "071080001"
# The cabecera's urban colonias, a 3 × 2 grid whose second square holds the centre; their
# populations add up to the cabecera's.
VILLAFLORES_COLONIAS = [
    ("Barrio Guadalupe", 7500),
    ("Centro", 9000),
    ("Barrio San Sebastián", 6800),
    ("Barrio San Antonio", 6200),
    ("Linda Vista", 5600),
    ("Las Flores", 4900),
]

# --- Geometry helpers -----------------------------------------------------------------------


def _to_degrees(x_m: float, y_m: float) -> tuple[float, float]:
    return x_m / M_PER_DEG_LON, y_m / M_PER_DEG_LAT


def _ring(points: Iterable[tuple[float, float]]) -> Polygon:
    points = [(round(x, 7), round(y, 7)) for x, y in points]
    return Polygon([*points, points[0]], srid=4326)


def _derived(geometry) -> dict:
    """Area and centroid as ``territory.services`` derives them (centroid kept on the shape)."""
    multipolygon = as_multipolygon(geometry)
    centroid = multipolygon.centroid
    if not centroid.within(multipolygon):
        centroid = multipolygon.point_on_surface
    return {"geometry": multipolygon, "area_m2": area_m2(multipolygon), "centroid": centroid}


# --- Steps -----------------------------------------------------------------------------------


def _municipality(context: DemoContext, **fields) -> Municipality:
    """The municipality with this INEGI code; created if missing, left as it is otherwise."""
    municipality = Municipality.objects.filter(inegi_code=fields["inegi_code"]).first()
    if municipality is None:
        if fields.get("is_default") and Municipality.objects.filter(is_default=True).exists():
            fields["is_default"] = False  # keep the deployment's own default
        municipality = municipality_create(**fields)
        context.log(_("Created %(municipality)s.") % {"municipality": municipality})
    return municipality


def seed_municipalities(context: DemoContext) -> None:
    # The summary seed_demo prints, counted once everything is loaded.
    context.count(_("Municipalities"), Municipality.objects.all())
    context.count(_("Colonias and localities"), Colonia.objects.all())
    context.count(_("Public spaces"), PublicSpace.objects.all())
    context.count(_("Service areas"), ServiceArea.objects.all())
    context.chihuahua = _municipality(
        context,
        name="Chihuahua",
        slug="chihuahua",
        state="Chihuahua",
        inegi_code="08019",
        center=Point(*CHIHUAHUA_CENTER, srid=4326),
        zoom=12,
        hosts="chihuahua.localhost",
        is_default=True,
        contact_email=f"sindicatura@{DEMO_EMAIL_DOMAIN}",
        contact_phone="072",
    )
    context.villaflores = _municipality(
        context,
        name="Villaflores",
        slug="villaflores",
        state="Chiapas",
        inegi_code="07108",
        center=Point(*VILLAFLORES_CENTER, srid=4326),
        zoom=11,
        hosts="villaflores.localhost",
        is_rural=True,
        contact_email=f"copladem@{DEMO_EMAIL_DOMAIN}",
    )


def seed_services(context: DemoContext) -> None:
    """The three watched services and the directorates in charge of them (Chihuahua)."""
    municipality = context.chihuahua
    for code, name, category, color in [
        (GREEN, "Mantenimiento de áreas verdes", ServiceType.Category.GREEN_SPACES, "#2e7d32"),
        (GARBAGE, "Recolección de basura", ServiceType.Category.GARBAGE, "#6d4c41"),
        (LIGHTING, "Alumbrado público", ServiceType.Category.LIGHTING, "#f9a825"),
    ]:
        # territory.services has no service-type upsert; the natural key is (municipality, code).
        context.service_types[code], _created = ServiceType.objects.update_or_create(
            municipality=municipality,
            code=code,
            defaults={"name": name, "category": category, "color": color},
        )
    for key, name, email, phone, services in [
        (PARKS, "Departamento de Parques y Jardines", "parques.jardines", "072 ext. 2110", [GREEN]),
        (CLEANING, "Departamento de Aseo Urbano", "aseo.urbano", "072 ext. 2120", [GARBAGE]),
        (
            STREET_LIGHTING,
            "Departamento de Alumbrado Público",
            "alumbrado.publico",
            "072 ext. 2130",
            [LIGHTING],
        ),
        # Last: a new database gives each department a lower id, so the importer
        # (territory.imports.directorate_for_service) puts spaces in charge of Parques y
        # Jardines, not of the general directorate.
        (
            DIRECTORATE_GENERAL,
            "Dirección de Servicios Públicos Municipales",
            "servicios.publicos",
            "072 ext. 2100",
            [GREEN, GARBAGE, LIGHTING],
        ),
    ]:
        directorate, _created = Directorate.objects.update_or_create(
            municipality=municipality,
            name=name,
            defaults={"email": f"{email}@{DEMO_EMAIL_DOMAIN}", "phone": phone},
        )
        directorate.services.set([context.service_types[code] for code in services])
        context.directorates[key] = directorate


def _colonia_upsert(municipality: Municipality, name: str, **fields) -> Colonia:
    colonia, _created = Colonia.objects.update_or_create(
        municipality=municipality, name=name, defaults=fields
    )
    return colonia


def _space_shape(rng: random.Random, kind: str, centre: tuple[float, float]) -> Polygon:
    """A plausible outline for the kind of space, at most 135 m across, around ``centre``."""
    if kind == PublicSpace.Kind.MEDIAN:
        length, width = rng.uniform(90, 125), rng.uniform(6, 14)
        angle = rng.choice([0, 90]) + rng.uniform(-5, 5)
        points = [(-length / 2, -width / 2), (length / 2, -width / 2)]
        points += [(length / 2, width / 2), (-length / 2, width / 2)]
    elif kind == PublicSpace.Kind.TRIANGLE:
        a, b = rng.uniform(25, 70), rng.uniform(25, 70)
        angle = rng.uniform(0, 360)
        points = [(-a / 3, -b / 3), (2 * a / 3, -b / 3), (-a / 3, 2 * b / 3)]
    else:
        low, high = {
            PublicSpace.Kind.PARK: (35, 95),
            PublicSpace.Kind.GARDEN: (20, 60),
            PublicSpace.Kind.PLAZA: (40, 80),
            PublicSpace.Kind.SPORTS: (60, 95),
        }[kind]
        width, height = rng.uniform(low, high), rng.uniform(low, high)
        angle = rng.uniform(-15, 15)
        points = [(-width / 2, -height / 2), (width / 2, -height / 2)]
        points += [(width / 2, height / 2), (-width / 2, height / 2)]
        points = [(x + rng.uniform(-2, 2), y + rng.uniform(-2, 2)) for x, y in points]
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    outline = []
    for x, y in points:
        dx, dy = _to_degrees(x * cos - y * sin, x * sin + y * cos)
        outline.append((centre[0] + dx, centre[1] + dy))
    return _ring(outline)


def _space_name(rng: random.Random, kind: str, colonia: Colonia) -> str:
    pick = rng.choice
    # The first colonia a derived one names ("Riberas de Sacramento III-Valle San Pedro").
    colonia = Colonia(name=colonia.name.split("-")[0].strip())
    if kind == PublicSpace.Kind.PARK:
        return pick(
            [
                f"Parque {pick(PEOPLE)}",
                f"Parque {pick(THEMES)}",
                f"Parque {colonia.name}",
                f"Parque {colonia.name} {pick(['II', 'III', 'Norte', 'Sur'])}",
                f"Parque Lineal {pick(AVENUES)}",
            ]
        )
    if kind == PublicSpace.Kind.GARDEN:
        return pick([f"Jardín {pick(PEOPLE)}", f"Jardín {pick(THEMES)}", f"Jardín {colonia.name}"])
    if kind == PublicSpace.Kind.MEDIAN:
        return pick([f"Camellón {pick(AVENUES)}", f"Camellón {pick(AVENUES)} y {pick(STREETS)}"])
    if kind == PublicSpace.Kind.TRIANGLE:
        return f"Triángulo {pick(AVENUES)} y {pick(STREETS)}"
    if kind == PublicSpace.Kind.PLAZA:
        return pick([f"Plaza {pick(PEOPLE)}", f"Plaza {pick(THEMES)}", f"Plazuela {colonia.name}"])
    return pick([f"Unidad Deportiva {colonia.name}", f"Cancha {pick(THEMES)}"])


def _colonia_containing(colonias: list[Colonia], point: Point) -> Colonia | None:
    """As ``territory.services.colonia_for_point``, in memory: the lowest id that contains it."""
    for colonia in colonias:
        if colonia.prepared.intersects(point):
            return colonia
    return None


def _real_file(context: DemoContext, key: str, path: Path, service: str) -> ParsedFile:
    """A published file read by the importer, once per run (kept on the context)."""
    if key not in context.real_files:
        context.real_files[key] = parse_file(
            path=path, service_code=service, report=ImportReport(), municipality=context.chihuahua
        )
    return context.real_files[key]


def seed_colonias(context: DemoContext) -> None:
    """The colonias ``derived_colonias`` draws from the garbage routes; populations invented."""
    rng = context.random("chihuahua-colonias")
    context.colonias = []
    for derived in derived_colonias():
        population = (
            rng.randrange(80, 2500, 10) if derived.is_rural else rng.randrange(2500, 18000, 50)
        )
        colonia = _colonia_upsert(
            context.chihuahua,
            derived.name,
            kind=derived.kind,
            is_rural=derived.is_rural,
            population=population,
            geometry=derived.geometry,
            location=None,
            inegi_locality_code="" if derived.is_rural else CHIHUAHUA_LOCALITY_CODE,
        )
        context.colonias.append(colonia)
    context.log(
        _("%(count)d colonias in %(municipality)s.")
        % {"count": len(context.colonias), "municipality": context.chihuahua}
    )


def _point_in(rng: random.Random, colonia: Colonia) -> tuple[float, float]:
    west, south, east, north = colonia.geometry.extent
    for _attempt in range(50):
        x, y = rng.uniform(west, east), rng.uniform(south, north)
        if colonia.prepared.contains(Point(x, y, srid=4326)):
            return x, y
    surface = colonia.geometry.point_on_surface
    return surface.x, surface.y


def _seed_kept_spaces(context: DemoContext, published: GEOSGeometry) -> list[PublicSpace]:
    """``context.spaces`` invented spaces kept by the Departamento de Parques y Jardines, in
    the urban colonias and clear of the published spaces; one upsert per batch."""
    rng = context.random("chihuahua-spaces")
    urban = [c for c in context.colonias if not c.is_rural]
    for colonia in urban:
        colonia.prepared = colonia.geometry.prepared
    taken = published.prepared
    kinds, weights = zip(*SPACE_KINDS, strict=True)
    spaces = []
    for index in range(context.spaces):
        colonia = urban[(index * 7) % len(urban)]
        kind = rng.choices(kinds, weights)[0]
        for _attempt in range(30):
            shape = _space_shape(rng, kind, _point_in(rng, colonia))
            if colonia.prepared.contains(shape) and not taken.intersects(shape):
                break
        fields = _derived(shape)
        spaces.append(
            PublicSpace(
                municipality=context.chihuahua,
                code=f"{KEPT_PREFIX}{index + 1:04d}",
                name=_space_name(rng, kind, colonia),
                kind=kind,
                colonia=_colonia_containing(urban, fields["centroid"]),
                directorate=context.directorates[PARKS],
                **fields,
            )
        )
    PublicSpace.objects.bulk_create(
        spaces,
        batch_size=250,
        update_conflicts=True,
        unique_fields=["municipality", "code"],
        update_fields=[
            "name",
            "kind",
            "geometry",
            "area_m2",
            "centroid",
            "colonia",
            "directorate",
            "updated_at",
        ],
    )
    return spaces


def seed_spaces(context: DemoContext) -> None:
    """The 300 published green spaces of lots 11–14, written by the importer (codes, names,
    shapes as published), then ``context.spaces`` invented ones kept by the directorate."""
    if context.spaces < MIN_SPACE_COUNT:
        raise DemoError(_("--spaces must be at least %(minimum)d.") % {"minimum": MIN_SPACE_COUNT})
    municipality = context.chihuahua
    context.space_codes_by_zone = {}
    published, published_count = [], 0
    for lot, path in GREEN_FILES.items():
        parsed = _real_file(context, green_key(lot), path, GREEN)
        features_write(
            municipality=municipality,
            parsed=parsed,
            report=ImportReport(target="spaces"),
            progress=False,
        )
        context.space_codes_by_zone[lot] = [feature.key for feature in parsed.features]
        published_count += len(parsed.features)
        published += [polygon for feature in parsed.features for polygon in feature.geometry]
    kept = _seed_kept_spaces(context, MultiPolygon(published, srid=4326).unary_union)
    # The colonias with the most green spaces first: the guardians' seeder starts with them.
    counts = dict(
        PublicSpace.objects.filter(municipality=municipality, colonia__isnull=False)
        .values("colonia")
        .annotate(spaces=Count("id"))
        .values_list("colonia", "spaces")
    )
    context.colonias.sort(key=lambda colonia: (-counts.get(colonia.pk, 0), colonia.name))
    context.log(
        _("%(count)d green spaces in %(municipality)s.")
        % {"count": published_count + len(kept), "municipality": municipality}
    )


def seed_service_areas(context: DemoContext) -> None:
    """The published garbage-collection and street-lighting areas, written by the importer,
    each also listed under its contractor (``contractor_key``) for ``contracts.demo``."""
    for service, path, every in (
        (GARBAGE, GARBAGE_FILE, GARBAGE_ROUTES),
        (LIGHTING, LIGHTING_FILE, LIGHTING_AREAS),
    ):
        parsed = _real_file(context, service, path, service)
        areas = features_write(
            municipality=context.chihuahua,
            parsed=parsed,
            report=ImportReport(target="areas"),
            progress=False,
        )
        context.service_areas[every] = areas
        for feature, area in zip(parsed.features, areas, strict=True):
            key = contractor_key(service, feature.company)
            context.service_areas.setdefault(key, []).append(area)


def seed_villaflores(context: DemoContext) -> None:
    municipality = context.villaflores
    context.localities = []
    for name, lon, lat, population in VILLAFLORES_LOCALITIES:
        is_seat = name == "Villaflores"
        context.localities.append(
            _colonia_upsert(
                municipality,
                name,
                kind=Colonia.Kind.LOCALITY,
                # The cabecera is a town of 40,000; the other localities are rural.
                is_rural=not is_seat,
                population=population,
                location=Point(lon, lat, srid=4326),
                geometry=None,
                inegi_locality_code=VILLAFLORES_SEAT_LOCALITY_CODE if is_seat else "",
            )
        )
    size_lon, size_lat = 0.0065, 0.006  # about 700 m
    lon0 = VILLAFLORES_CENTER[0] - 1.5 * size_lon
    lat0 = VILLAFLORES_CENTER[1] - 0.5 * size_lat
    for index, (name, population) in enumerate(VILLAFLORES_COLONIAS):
        west, south = lon0 + (index % 3) * size_lon, lat0 + (index // 3) * size_lat
        square = _ring(
            [(west, south), (west + size_lon, south), (west + size_lon, south + size_lat)]
            + [(west, south + size_lat)]
        )
        _colonia_upsert(
            municipality,
            name,
            kind=Colonia.Kind.COLONIA,
            is_rural=False,
            population=population,
            geometry=MultiPolygon(square, srid=4326),
            location=None,
            inegi_locality_code=VILLAFLORES_SEAT_LOCALITY_CODE,
        )
    context.log(
        _("%(count)d localities in %(municipality)s.")
        % {"count": len(context.localities), "municipality": municipality}
    )
