"""Territory's part of the demo (``core.demo``): the municipalities and their places.

Named in ``TerritoryConfig.demo_seeders``; they run first, and the other apps' seeders build on
what they leave on the context. Everything is upserted by natural keys and drawn from random
generators with fixed seeds, so running it again leaves the same rows (the same counts, no
duplicates); it re-asserts the demo values over any edits.

What it creates (names and places are realistic, the geometry and populations are invented):

- **Chihuahua, Chihuahua** (INEGI 08019, default municipality, ``chihuahua.localhost``): the
  three watched services, the Dirección de Servicios Públicos Municipales and its departments,
  about 50 colonias tiling a city around 28.63 N, 106.08 W, ``spaces`` green spaces (1,040 by
  default) inside them, in 11 maintenance zones (11–21, the lots of ``contracts.demo``) and a
  few kept by the Departamento de Parques y Jardines, the street-lighting sectors (a west and an
  east half) and the garbage-collection routes.
- **Villaflores, Chiapas** (INEGI 07108, rural, ``villaflores.localhost``): its localities as
  points (approximate coordinates and populations; only the cabecera's INEGI locality code is
  given, the others are left blank rather than invented) and the cabecera's urban colonias.
"""

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils.translation import gettext as _

from core.demo import DEMO_EMAIL_DOMAIN, DemoContext, DemoError

from .geometry import area_m2, as_multipolygon
from .models import Colonia, Directorate, Municipality, PublicSpace, ServiceArea, ServiceType
from .services import municipality_create, service_area_upsert

GREEN, GARBAGE, LIGHTING = "green-spaces", "garbage", "lighting"
DIRECTORATE_GENERAL, PARKS, CLEANING, STREET_LIGHTING = "general", "parks", "cleaning", "lighting"
# The green spaces' maintenance zones: zone N is lot N of contracts.demo.
GREEN_ZONES = list(range(11, 22))
MIN_SPACE_COUNT = len(GREEN_ZONES) + 1  # one per zone and one kept by the directorate
# Keys of DemoContext.service_areas.
LIGHTING_WEST, LIGHTING_EAST, GARBAGE_ROUTES = "lighting-west", "lighting-east", "garbage-routes"


# --- Chihuahua -------------------------------------------------------------------------------

CHIHUAHUA_CENTER = (-106.08, 28.63)
GRID_COLUMNS, GRID_ROWS = 8, 7
CELL_LON, CELL_LAT = 0.0155, 0.0135  # about 1.5 km × 1.5 km
M_PER_DEG_LAT = 110_900.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(CHIHUAHUA_CENTER[1]))

# Real colonia names, from the centre outwards (the first takes the central cell).
# (name, kind, population or None for a drawn one)
CHIHUAHUA_COLONIAS = [
    ("Centro", Colonia.Kind.COLONIA, 7800),
    ("Santa Rita", Colonia.Kind.COLONIA, None),
    ("San Felipe", Colonia.Kind.COLONIA, None),
    ("Obrera", Colonia.Kind.COLONIA, None),
    ("Pacífico", Colonia.Kind.COLONIA, None),
    ("Santo Niño", Colonia.Kind.COLONIA, None),
    ("Cerro de la Cruz", Colonia.Kind.COLONIA, None),
    ("Dale", Colonia.Kind.COLONIA, None),
    ("Zarco", Colonia.Kind.COLONIA, None),
    ("Mármol", Colonia.Kind.COLONIA, None),
    ("Campesina", Colonia.Kind.COLONIA, None),
    ("Altavista", Colonia.Kind.COLONIA, None),
    ("Industrial", Colonia.Kind.COLONIA, None),
    ("Rosario", Colonia.Kind.COLONIA, None),
    ("Revolución", Colonia.Kind.COLONIA, None),
    ("Francisco Villa", Colonia.Kind.COLONIA, None),
    ("División del Norte", Colonia.Kind.COLONIA, None),
    ("Panamericana", Colonia.Kind.COLONIA, None),
    ("San Rafael", Colonia.Kind.COLONIA, None),
    ("Villa Juárez", Colonia.Kind.COLONIA, None),
    ("Magisterial", Colonia.Kind.COLONIA, None),
    ("Las Granjas", Colonia.Kind.COLONIA, None),
    ("Universidad", Colonia.Kind.COLONIA, None),
    ("Insurgentes", Colonia.Kind.COLONIA, None),
    ("México 68", Colonia.Kind.COLONIA, None),
    ("Deportistas", Colonia.Kind.COLONIA, None),
    ("Nombre de Dios", Colonia.Kind.COLONIA, None),
    ("Infonavit Nacional", Colonia.Kind.COLONIA, None),
    ("Aeropuerto", Colonia.Kind.COLONIA, None),
    ("Cerro Grande", Colonia.Kind.COLONIA, None),
    ("Lomas del Santuario", Colonia.Kind.COLONIA, None),
    ("Tierra y Libertad", Colonia.Kind.COLONIA, None),
    ("Adriana", Colonia.Kind.COLONIA, None),
    ("El Porvenir", Colonia.Kind.COLONIA, None),
    ("Punta Oriente", Colonia.Kind.COLONIA, None),
    ("Quintas del Sol", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Los Nogales", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Cumbres", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Valle Dorado", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Riberas de Sacramento", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Jardines del Santuario", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Paseos de Chihuahua", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Puerta de Hierro", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Haciendas del Valle", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Vistas Cerro Grande", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Real Universidad", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Lomas San José", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Valle del Árbol", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Valle San Pedro", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Nuevo Milenio", Colonia.Kind.FRACCIONAMIENTO, None),
    ("Aldabas", Colonia.Kind.FRACCIONAMIENTO, None),
    ("El Vergel", Colonia.Kind.FRACCIONAMIENTO, None),
]

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


# --- Geometry helpers ------------------------------------------------------------------------


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


@dataclass
class _Cell:
    column: int
    row: int
    polygon: Polygon
    inner: tuple[float, float, float, float]  # a box surely inside the polygon


def _city_cells(rng: random.Random, count: int) -> list[_Cell]:
    """``count`` cells of a jittered grid around the centre: they tile with no gap or overlap.

    Vertices and edge midpoints move by at most 12 % of a cell, so every boundary stays within
    that band of the straight grid line and the box from 16 % to 84 % lies inside the cell.
    """
    lon0 = CHIHUAHUA_CENTER[0] - GRID_COLUMNS * CELL_LON / 2
    lat0 = CHIHUAHUA_CENTER[1] - GRID_ROWS * CELL_LAT / 2

    def jitter(share: float) -> tuple[float, float]:
        return rng.uniform(-share, share) * CELL_LON, rng.uniform(-share, share) * CELL_LAT

    vertex = {}
    for i in range(GRID_COLUMNS + 1):
        for j in range(GRID_ROWS + 1):
            dx, dy = jitter(0.12)
            vertex[i, j] = (lon0 + i * CELL_LON + dx, lat0 + j * CELL_LAT + dy)
    across = {}  # midpoints of the horizontal edges, from (i, j) to (i + 1, j)
    for i in range(GRID_COLUMNS):
        for j in range(GRID_ROWS + 1):
            dx, dy = jitter(0.1)
            across[i, j] = (lon0 + (i + 0.5) * CELL_LON + dx, lat0 + j * CELL_LAT + dy)
    up = {}  # midpoints of the vertical edges, from (i, j) to (i, j + 1)
    for i in range(GRID_COLUMNS + 1):
        for j in range(GRID_ROWS):
            dx, dy = jitter(0.1)
            up[i, j] = (lon0 + i * CELL_LON + dx, lat0 + (j + 0.5) * CELL_LAT + dy)

    cells = []
    for i in range(GRID_COLUMNS):
        for j in range(GRID_ROWS):
            ring = [
                vertex[i, j],
                across[i, j],
                vertex[i + 1, j],
                up[i + 1, j],
                vertex[i + 1, j + 1],
                across[i, j + 1],
                vertex[i, j + 1],
                up[i, j],
            ]
            inner = (
                lon0 + (i + 0.16) * CELL_LON,
                lat0 + (j + 0.16) * CELL_LAT,
                lon0 + (i + 0.84) * CELL_LON,
                lat0 + (j + 0.84) * CELL_LAT,
            )
            cells.append(_Cell(i, j, _ring(ring), inner))

    def distance_from_centre(cell: _Cell) -> tuple[float, int, int]:
        dx = cell.column + 0.5 - GRID_COLUMNS / 2
        dy = cell.row + 0.5 - GRID_ROWS / 2
        return (round(math.hypot(dx, dy), 6), cell.row, cell.column)

    return sorted(cells, key=distance_from_centre)[:count]


def _snake(colonias: list[Colonia]) -> list[Colonia]:
    """Row by row, alternating direction, so that neighbours in the list are neighbours."""

    def position(colonia: Colonia) -> tuple[int, int]:
        cell = colonia.cell
        return (cell.row, cell.column if cell.row % 2 == 0 else -cell.column)

    return sorted(colonias, key=position)


def _chunks(items: list, parts: int) -> list[list]:
    size, extra = divmod(len(items), parts)
    result, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        result.append(items[start:end])
        start = end
    return result


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
        zoom=13,
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
        (
            DIRECTORATE_GENERAL,
            "Dirección de Servicios Públicos Municipales",
            "servicios.publicos",
            "072 ext. 2100",
            [GREEN, GARBAGE, LIGHTING],
        ),
        (PARKS, "Departamento de Parques y Jardines", "parques.jardines", "072 ext. 2110", [GREEN]),
        (CLEANING, "Departamento de Aseo Urbano", "aseo.urbano", "072 ext. 2120", [GARBAGE]),
        (
            STREET_LIGHTING,
            "Departamento de Alumbrado Público",
            "alumbrado.publico",
            "072 ext. 2130",
            [LIGHTING],
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


def seed_colonias(context: DemoContext) -> None:
    rng = context.random("chihuahua-colonias")
    cells = _city_cells(rng, len(CHIHUAHUA_COLONIAS))
    context.colonias = []
    for cell, (name, kind, population) in zip(cells, CHIHUAHUA_COLONIAS, strict=True):
        colonia = _colonia_upsert(
            context.chihuahua,
            name,
            kind=kind,
            is_rural=False,
            population=population or rng.randrange(2500, 18000, 50),
            geometry=MultiPolygon(cell.polygon, srid=4326),
            location=None,
            inegi_locality_code="080190001",  # all inside the locality of Chihuahua city
        )
        colonia.cell = cell  # for the next steps only
        context.colonias.append(colonia)
    context.log(
        _("%(count)d colonias in %(municipality)s.")
        % {"count": len(context.colonias), "municipality": context.chihuahua}
    )


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


class _Slots:
    """Free squares of about 140 m inside each colonia, so that spaces do not overlap.

    When a colonia runs out (a very large ``--spaces``), its squares are used again.
    """

    SIZE_M = 140

    def __init__(self, rng: random.Random, colonias: list[Colonia]):
        self.rng = rng
        self.free: dict[int, list[tuple[float, float]]] = {}
        self.all: dict[int, list[tuple[float, float]]] = {}
        for colonia in colonias:
            west, south, east, north = colonia.cell.inner
            columns = max(1, int((east - west) * M_PER_DEG_LON // self.SIZE_M))
            rows = max(1, int((north - south) * M_PER_DEG_LAT // self.SIZE_M))
            centres = [
                (
                    west + (east - west) * (c + 0.5) / columns,
                    south + (north - south) * (r + 0.5) / rows,
                )
                for c in range(columns)
                for r in range(rows)
            ]
            rng.shuffle(centres)
            self.all[colonia.pk] = centres
            self.free[colonia.pk] = list(centres)

    def take(self, colonia: Colonia) -> tuple[float, float]:
        if not self.free[colonia.pk]:
            self.free[colonia.pk] = list(self.all[colonia.pk])
        return self.free[colonia.pk].pop()


def _colonia_containing(colonias: list[Colonia], point: Point) -> Colonia | None:
    """As ``territory.services.colonia_for_point``, in memory: the lowest id that contains it."""
    for colonia in colonias:
        if colonia.prepared.intersects(point):
            return colonia
    return None


def seed_spaces(context: DemoContext) -> None:
    """``context.spaces`` green spaces: ~95 % split over the 11 maintenance zones (contiguous
    groups of colonias), the rest kept by the Departamento de Parques y Jardines itself.

    Built in memory and written with one upsert per batch: a space per query would make the
    default seed take most of a minute on SpatiaLite.
    """
    if context.spaces < MIN_SPACE_COUNT:
        raise DemoError(_("--spaces must be at least %(minimum)d.") % {"minimum": MIN_SPACE_COUNT})
    rng = context.random("chihuahua-spaces")
    municipality = context.chihuahua
    colonias = sorted(context.colonias, key=lambda c: c.pk)
    for colonia in colonias:
        colonia.prepared = colonia.geometry.prepared
    slots = _Slots(rng, colonias)
    kinds, weights = zip(*SPACE_KINDS, strict=True)

    kept = max(1, round(context.spaces * 0.05))
    per_zone = _chunks(list(range(context.spaces - kept)), len(GREEN_ZONES))
    places = _chunks(_snake(context.colonias), len(GREEN_ZONES))
    plan = []  # (code, colonia it is drawn in, zone or None)
    for zone, numbers, zone_colonias in zip(GREEN_ZONES, per_zone, places, strict=True):
        for index in range(len(numbers)):
            plan.append(
                (f"AC-Z{zone}-{index + 1:04d}", zone_colonias[index % len(zone_colonias)], zone)
            )
    for index in range(kept):
        plan.append((f"AC-PJ-{index + 1:04d}", context.colonias[(index * 7) % len(colonias)], None))

    spaces = []
    context.space_codes_by_zone = {zone: [] for zone in GREEN_ZONES}
    for code, colonia, zone in plan:
        kind = rng.choices(kinds, weights)[0]
        shape = _space_shape(rng, kind, slots.take(colonia))
        fields = _derived(shape)
        spaces.append(
            PublicSpace(
                municipality=municipality,
                code=code,
                name=_space_name(rng, kind, colonia),
                kind=kind,
                colonia=_colonia_containing(colonias, fields["centroid"]),
                directorate=None if zone else context.directorates[PARKS],
                **fields,
            )
        )
        if zone:
            context.space_codes_by_zone[zone].append(code)
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
    context.log(
        _("%(count)d green spaces in %(municipality)s.")
        % {"count": len(spaces), "municipality": municipality}
    )


def _service_areas(
    context: DemoContext, service: str, code_format: str, name_format: str, groups: list
) -> list[ServiceArea]:
    areas = []
    for number, group in enumerate(groups, start=1):
        union = MultiPolygon([c.cell.polygon for c in group], srid=4326).unary_union
        area, _created = service_area_upsert(
            municipality=context.chihuahua,
            service_type=context.service_types[service],
            code=code_format.format(number=number),
            name=name_format.format(number=number),
            geometry=union,
            colonias_text=", ".join(c.name for c in group)[:500],
        )
        areas.append(area)
    return areas


def seed_service_areas(context: DemoContext) -> None:
    """Lighting sectors of about 2 × 2 colonias, split into a west and an east half, and
    garbage-collection routes of three neighbouring colonias."""
    blocks: dict[tuple[int, int], list[Colonia]] = {}
    for colonia in _snake(context.colonias):
        blocks.setdefault((colonia.cell.column // 2, colonia.cell.row // 2), []).append(colonia)
    keys = sorted(blocks, key=lambda key: (key[0], key[1]))
    sectors = _service_areas(
        context, LIGHTING, "A-L{number}", "Sector de alumbrado {number}", [blocks[k] for k in keys]
    )
    context.service_areas[LIGHTING_WEST] = [
        area for area, key in zip(sectors, keys, strict=True) if key[0] < GRID_COLUMNS // 4
    ]
    context.service_areas[LIGHTING_EAST] = [
        area for area, key in zip(sectors, keys, strict=True) if key[0] >= GRID_COLUMNS // 4
    ]
    context.service_areas[GARBAGE_ROUTES] = _service_areas(
        context,
        GARBAGE,
        "R-{number:02d}",
        "Ruta de recolección {number:02d}",
        _chunks(_snake(context.colonias), len(context.colonias) // 3),
    )


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
