"""Synthetic spaces for the benchmarks, written with COPY (not one ORM save per row).

The spaces sit on a jittered grid at a constant density: about 1,000 of them fill one city
viewport (zoom 13 on a 1280×720 screen), so with 10,000 or 100,000 the city grows around that
viewport the way a metropolitan area would, instead of piling 100,000 parks on one city.
"""

import io
import math
import random
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from contracts.models import Company, Contract
from territory.models import Colonia, Directorate, Municipality, PublicSpace, ServiceType

CENTER_LON, CENTER_LAT = -106.08, 28.64
# One city viewport at zoom 13 (1280×720 px): 0.22° of longitude by 0.12° of latitude.
VIEWPORT_DEGREES = (0.22, 0.12)
SPACES_PER_VIEWPORT = 1_000
SPACES_PER_CONTRACT = 77  # a lot of the green-space tender covers about that many
KINDS = [choice for choice, _label in PublicSpace.Kind.choices]
METRES_PER_DEGREE = 111_320


def viewport_bbox() -> tuple[float, float, float, float]:
    width, height = VIEWPORT_DEGREES
    return (
        CENTER_LON - width / 2,
        CENTER_LAT - height / 2,
        CENTER_LON + width / 2,
        CENTER_LAT + height / 2,
    )


def _grid(count: int):
    width, height = VIEWPORT_DEGREES
    spacing = math.sqrt(width * height / SPACES_PER_VIEWPORT)
    columns = math.ceil(math.sqrt(count * width / height))
    rows = math.ceil(count / columns)
    west = CENTER_LON - columns * spacing / 2
    south = CENTER_LAT - rows * spacing / 2
    return spacing, columns, rows, west, south


def _polygon(rng: random.Random, lon: float, lat: float) -> tuple[str, float]:
    """An irregular polygon of 6 to 14 vertices, 20 to 60 m across; WKT and area in m²."""
    vertices = rng.randint(6, 14)
    radius = rng.uniform(0.0001, 0.0003)
    cos_lat = math.cos(math.radians(lat))
    points = []
    for i in range(vertices):
        angle = 2 * math.pi * i / vertices
        r = radius * rng.uniform(0.7, 1.0)
        points.append((lon + r * math.cos(angle) / cos_lat, lat + r * math.sin(angle)))
    points.append(points[0])
    area = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        area += (x1 * y2 - x2 * y1) * cos_lat
    area_m2 = abs(area) / 2 * METRES_PER_DEGREE**2
    ring = ",".join(f"{x:.7f} {y:.7f}" for x, y in points)
    return f"SRID=4326;MULTIPOLYGON((({ring})))", round(area_m2, 2)


def _copy(table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(r"\N" if value is None else str(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def reset() -> None:
    """Removes the benchmark's rows (the benchmark database holds nothing else)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {Contract.spaces.through._meta.db_table}, {Contract._meta.db_table}, "
            f"{Company._meta.db_table}, {PublicSpace._meta.db_table}, "
            f"{Colonia._meta.db_table} CASCADE"
        )


def generate(municipality: Municipality, count: int, seed: int = 7) -> None:
    """``count`` spaces, ~90 % covered by contracts in force (10 companies, 2 services), in
    100 colonias; then ANALYZE so the planner knows."""
    rng = random.Random(seed)
    reset()
    green, _ = ServiceType.objects.get_or_create(
        municipality=municipality,
        code="green-spaces",
        defaults={"name": "Mantenimiento de áreas verdes", "color": "#2e7d32"},
    )
    lighting, _ = ServiceType.objects.get_or_create(
        municipality=municipality,
        code="lighting",
        defaults={"name": "Alumbrado público", "color": "#f2a900"},
    )
    directorate, _ = Directorate.objects.get_or_create(
        municipality=municipality,
        name="Dirección de Servicios Públicos",
        defaults={"email": "servicios@example.org"},
    )
    spacing, columns, rows, west, south = _grid(count)
    colonia_grid = 10
    Colonia.objects.bulk_create(
        Colonia(municipality=municipality, name=f"Colonia {i + 1:03d}")
        for i in range(colonia_grid * colonia_grid)
    )
    colonia_ids = list(
        Colonia.objects.for_municipality(municipality).order_by("name").values_list("pk", flat=True)
    )
    companies = Company.objects.bulk_create(
        Company(municipality=municipality, legal_name=f"Servicios Urbanos {i + 1} S.A. de C.V.")
        for i in range(10)
    )
    now = timezone.now().isoformat()

    space_rows = []
    for n in range(count):
        column, row = n % columns, n // columns
        lon = west + (column + 0.5 + rng.uniform(-0.3, 0.3)) * spacing
        lat = south + (row + 0.5 + rng.uniform(-0.3, 0.3)) * spacing
        wkt, area = _polygon(rng, lon, lat)
        colonia = colonia_ids[
            (row * colonia_grid // rows) * colonia_grid + column * colonia_grid // columns
        ]
        space_rows.append(
            (
                municipality.pk,
                f"AC-Z{n // SPACES_PER_CONTRACT + 1:04d}-{n:06d}",
                f"{rng.choice(['Parque', 'Jardín', 'Camellón', 'Plaza'])} {n}",
                rng.choice(KINDS),
                wkt,
                area,
                f"SRID=4326;POINT({lon:.7f} {lat:.7f})",
                colonia,
                directorate.pk,
                now,
            )
        )
    _copy(
        PublicSpace._meta.db_table,
        [
            "municipality_id",
            "code",
            "name",
            "kind",
            "geometry",
            "area_m2",
            "centroid",
            "colonia_id",
            "directorate_id",
            "updated_at",
        ],
        space_rows,
    )

    space_ids = list(
        PublicSpace.objects.for_municipality(municipality)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    today = date.today()
    contracts = Contract.objects.bulk_create(
        Contract(
            municipality=municipality,
            number=f"LP-{lot + 1:04d}/2026",
            lot=str(lot + 1),
            company=companies[lot % len(companies)],
            service_type=green if lot % 5 else lighting,
            directorate=directorate,
            start_date=today - timedelta(days=30 + lot % 60),
            end_date=today + timedelta(days=300),
        )
        for lot in range(math.ceil(count / SPACES_PER_CONTRACT))
    )
    through = Contract.spaces.through
    coverage = []
    for index, space_id in enumerate(space_ids):
        if index % 10 == 9:  # one in ten is kept by the municipality itself
            continue
        coverage.append((contracts[index // SPACES_PER_CONTRACT].pk, space_id))
    _copy(through._meta.db_table, ["contract_id", "publicspace_id"], coverage)
    with connection.cursor() as cursor:
        for model in (PublicSpace, Contract, through, Colonia, Company):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
