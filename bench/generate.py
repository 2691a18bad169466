"""Synthetic data for the benchmarks, written with COPY and INSERT … SELECT (no ORM saves).

``python bench/generate.py --tier city|metro|national`` fills the database (DATABASE_URL,
PostGIS) with a whole municipality at that scale: see TIERS. ``--samples`` adds, through the
apps' services, the few rows the public pages with URL parameters show (bench_scale.py walks
them all): generate_public_samples().

The spaces sit on a jittered grid at a constant density: about 1,000 of them fill one city
viewport (zoom 13 on a 1280×720 screen), so with 10,000 or 100,000 the city grows around that
viewport the way a metropolitan area would, instead of piling 100,000 parks on one city.
"""

import io
import math
import random
from datetime import date, timedelta

if __name__ == "__main__":  # `python bench/generate.py --tier …`: set Django up first
    import os
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DEBUG", "false")
    # --samples writes through the services, and they keep the audit trail (keyed).
    os.environ.setdefault("AUDIT_HMAC_KEY", "benchmark-only-audit-key")
    import django

    django.setup()

from django.db import connection, transaction
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


def ensure_database() -> None:
    """Creates the benchmark database with PostGIS if it is missing."""
    import sys

    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgis"):
        sys.exit("The benchmark needs PostGIS: set DATABASE_URL=postgis://…")
    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            print(f"Creating database {db['NAME']}")
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()
    target = psycopg2.connect(dbname=db["NAME"], **params)
    target.autocommit = True
    with target.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    target.close()


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


def generate(municipality: Municipality, count: int, seed: int = 7, colonia_grid: int = 10) -> None:
    """``count`` spaces, ~90 % covered by contracts in force (10 companies, 2 services), in
    ``colonia_grid``² colonias (100 by default); then ANALYZE so the planner knows."""
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
    Colonia.objects.bulk_create(
        Colonia(municipality=municipality, name=f"Colonia {i + 1:0{len(str(colonia_grid**2))}d}")
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


# --- Tiers: a whole municipality's data at city, metropolitan and national scale -------------
#
# Spaces, colonias and contracts come from generate() above (COPY); complaints, their first
# history step, guardians, cards, card answers, needs and allocations from INSERT … SELECT
# generate_series in PostgreSQL itself, so no row crosses the wire. Everything lands in one
# municipality, the worst case for the per-municipality queries of the pages measured.

TIERS = {
    "city": {
        "spaces": 1_000,
        "colonia_grid": 10,
        "complaints": 100_000,
        "answers": 100_000,
        "guardians": 100,
    },
    "metro": {
        "spaces": 10_000,
        "colonia_grid": 32,
        "complaints": 1_000_000,
        "answers": 1_000_000,
        "guardians": 1_000,
    },
    "national": {
        "spaces": 100_000,
        "colonia_grid": 100,
        "complaints": 10_000_000,
        "answers": 1_000_000,
        "guardians": 5_000,
    },
}
CARD_ITEMS = 10
SLUG = "bench"
HOSTS = "127.0.0.1,localhost,testserver"

TIER_TRUNCATE = """
TRUNCATE complaints_complaintfollower, complaints_complaintphoto, complaints_complaintupdate,
         complaints_complaint, complaints_open311client,
         committees_allocation, committees_needstatuschange, committees_need,
         guardians_cardphoto, guardians_cardanswer, guardians_card, guardians_cardtemplateitem,
         guardians_cardtemplate, guardians_guardian,
         committees_registrationcertificate, committees_committeemember, committees_forum,
         committees_workprogress, committees_publicwork, committees_citizencommittee,
         guardians_visit, territory_servicearea CASCADE;
DELETE FROM accounts_user WHERE username LIKE 'bench-%';
"""

# {m}: municipality id. Complaints: colonias drawn with a skew (random()²: a few colonias
# file most of them), four services with different weights, 70 % closed or resolved, dates
# spread over two years with more recent ones, half on a public space.
TIER_SQL = """
SELECT setseed(0.42);
CREATE TEMP TABLE col AS
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM territory_colonia
  WHERE municipality_id = {m};
CREATE TEMP TABLE sp AS
  SELECT id, colonia_id, centroid, row_number() OVER (ORDER BY id) - 1 AS n
  FROM territory_publicspace WHERE municipality_id = {m};
CREATE TEMP TABLE st AS
  SELECT s.id, row_number() OVER (ORDER BY s.id) - 1 AS n,
         (SELECT d.directorate_id FROM territory_directorate_services d
          WHERE d.servicetype_id = s.id ORDER BY d.directorate_id LIMIT 1) AS directorate_id
  FROM territory_servicetype s WHERE s.municipality_id = {m};
UPDATE territory_colonia SET population = 500 + (id % 20) * 400,
  is_rural = (id % 9 = 0), kind = CASE WHEN id % 9 = 0 THEN 'localidad' ELSE 'colonia' END
  WHERE municipality_id = {m};

INSERT INTO complaints_complaint (code, token, description, location, address, status, source,
    attributes, media_url, reporter_name, reporter_email, reporter_phone, language,
    expected_date, external_id, created_at, updated_at, colonia_id, directorate_id,
    duplicate_of_id, municipality_id, service_type_id, space_id, open311_client_id)
SELECT 'B' || upper(lpad(to_hex(x.g), 8, '0')), md5(x.g::text || 'complaint')::uuid,
       'Reporte de prueba ' || x.g,
       CASE WHEN x.on_space THEN x.centroid END,
       CASE WHEN x.on_space THEN '' ELSE 'Calle ' || (x.g % 500) || ' #' || (x.g % 97) END,
       CASE WHEN x.r < 0.12 THEN 'received' WHEN x.r < 0.20 THEN 'acknowledged'
            WHEN x.r < 0.27 THEN 'in_progress' WHEN x.r < 0.72 THEN 'resolved'
            WHEN x.r < 0.95 THEN 'closed' WHEN x.r < 0.98 THEN 'rejected'
            ELSE 'duplicate' END,
       CASE WHEN x.g % 10 < 6 THEN 'web' WHEN x.g % 10 < 8 THEN 'phone'
            WHEN x.g % 10 < 9 THEN 'open311' ELSE 'staff' END,
       '{{}}'::jsonb, '', '', '', '', 'es', NULL, '', x.created_at, x.created_at,
       x.colonia_id, st.directorate_id, NULL, {m}, st.id, CASE WHEN x.on_space THEN x.space_id END,
       NULL
FROM (
  SELECT g, sp.id AS space_id, sp.centroid, sp.colonia_id, random() AS r,
         g % 2 = 0 AS on_space,
         (g * 7) % 10 AS service_draw,
         now() - (730 * power(random(), 1.5)) * interval '1 day' AS created_at
  FROM generate_series(1, {complaints}) g
  JOIN sp ON sp.n = floor({spaces} * power(((g::bigint * 2654435761) % 1000003) / 1000003.0, 2))
) x
JOIN st ON st.n = CASE WHEN x.service_draw < 5 THEN 0 WHEN x.service_draw < 8 THEN 1
                       WHEN x.service_draw < 9 THEN 2 ELSE 3 END % (SELECT count(*) FROM st);

INSERT INTO complaints_complaintupdate (complaint_id, status, previous_status, note, user_id,
                                        created_at)
SELECT id, 'received', '', '', NULL, created_at FROM complaints_complaint
WHERE municipality_id = {m};

INSERT INTO guardians_cardtemplate (municipality_id, service_type_id, name, version, is_current,
                                    created_at)
SELECT {m}, (SELECT id FROM st WHERE n = 0), 'Parques', 1, true, now();
INSERT INTO guardians_cardtemplateitem (template_id, "order", code, text, help_text, kind,
    required, choices, failure_values, failure_min, failure_max, has_total, total_label)
SELECT (SELECT id FROM guardians_cardtemplate WHERE municipality_id = {m}),
       g * 10, 'item-' || g, 'Pregunta ' || g, '', 'yes_no', true, '', 'no', NULL, NULL, false, ''
FROM generate_series(0, {items} - 1) g;
CREATE TEMP TABLE it AS
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM guardians_cardtemplateitem
  WHERE template_id = (SELECT id FROM guardians_cardtemplate WHERE municipality_id = {m});

INSERT INTO accounts_user (password, last_login, is_superuser, username, first_name, last_name,
    email, is_staff, is_active, date_joined, municipality_id, directorate_id, is_demo)
SELECT '!', NULL, false, 'bench-' || g, '', '', '', false, true, now(), {m}, NULL, false
FROM generate_series(1, {guardians}) g;
-- Guardians live in the first colonias only: those get the before/after comparison.
INSERT INTO guardians_guardian (municipality_id, user_id, colonia_id, phone, status, is_lead,
    appointed_on_visit_id, privacy_accepted_at, created_at)
SELECT {m}, u.id, (SELECT id FROM col WHERE n = u.id % ((SELECT count(*) FROM col) / 3 + 1)),
       '', 'active', false, NULL, now(), now()
FROM accounts_user u WHERE u.username LIKE 'bench-%';
CREATE TEMP TABLE gu AS
  SELECT id, colonia_id, row_number() OVER (ORDER BY id) - 1 AS n FROM guardians_guardian
  WHERE municipality_id = {m};

-- staff_notified_at: generated history, never e-mailed by the card sweeper.
INSERT INTO guardians_card (municipality_id, client_id, template_id, service_type_id, space_id,
    colonia_id, guardian_id, observed_on, failure_count, submitted_at, review_status,
    reviewed_by_id, reviewed_at, review_note, staff_notified_at)
SELECT {m}, md5(g::text || 'card')::uuid,
       (SELECT id FROM guardians_cardtemplate WHERE municipality_id = {m}),
       (SELECT id FROM st WHERE n = 0), sp.id, gu.colonia_id, gu.id,
       current_date - (g % 365), 0, now(), 'pending', NULL, NULL, '', now()
FROM generate_series(0, {cards} - 1) g
JOIN gu ON gu.n = g % {guardians}
JOIN sp ON sp.n = (g::bigint * 7919) % {spaces};

INSERT INTO guardians_cardanswer (card_id, item_id, value, number, total, is_failure)
SELECT x.card_id, x.item_id, CASE WHEN x.r < 0.2 THEN 'no' ELSE 'yes' END, NULL, NULL, x.r < 0.2
FROM (SELECT c.id AS card_id, it.id AS item_id, random() AS r
      FROM guardians_card c CROSS JOIN it WHERE c.municipality_id = {m}) x;
UPDATE guardians_card c SET failure_count = f.n
FROM (SELECT card_id, count(*) AS n FROM guardians_cardanswer WHERE is_failure
      GROUP BY card_id) f
WHERE f.card_id = c.id;

-- Three needs and two allocations per community (one of them against a need).
INSERT INTO committees_need (category, description, people_affected, evidence, estimated_cost,
    priority, status, rejection_reason, location, created_at, updated_at, colonia_id,
    committee_id, created_by_id, forum_id, municipality_id)
SELECT (ARRAY['water', 'drainage', 'electricity', 'roads', 'public_spaces'])[1 + (g % 5)],
       'Necesidad ' || g, 50 + g % 400, '', 10000 + (g % 50) * 5000, NULL,
       (ARRAY['identified', 'prioritised', 'approved', 'delivered', 'rejected'])[1 + (g % 5)],
       '', NULL, now(), now(), col.id, NULL, NULL, NULL, {m}
FROM col CROSS JOIN generate_series(0, 2) g;
INSERT INTO committees_allocation (item, quantity, unit, value, delivered_on, source,
    signed_by, colonia_id, municipality_id, committee_id, need_id, program_id, work_id,
    recorded_by_id)
SELECT 'Material ' || g, 10, 'pieza', 5000 + (col.id % 30) * 2500, current_date - g * 30,
       (ARRAY['municipal', 'state', 'federal'])[1 + (col.id + g) % 3], '', col.id, {m}, NULL,
       CASE WHEN g = 0 THEN (SELECT min(n.id) FROM committees_need n
                             WHERE n.colonia_id = col.id) END,
       NULL, NULL, NULL
FROM col CROSS JOIN generate_series(0, 1) g
WHERE col.n % 4 <> 3;

DROP TABLE col, sp, st, it, gu;
"""

# The tables a tier fills by the million. Their secondary indexes and unique constraints are
# dropped before the load and built again after it (one sort per index instead of a random
# b-tree insert per row: a 10,000,000-row load otherwise spends its time in the token and
# code indexes), and foreign keys are not checked row by row (session_replication_role =
# replica: every generated row references rows made just before it). It all happens in one
# transaction, so a load that fails leaves the schema as it was.
BULK_TABLES = (
    "complaints_complaint",
    "complaints_complaintupdate",
    "guardians_card",
    "guardians_cardanswer",
)
SECONDARY_INDEXES_SQL = """
SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, con.conname,
       pg_get_indexdef(i.indexrelid), pg_get_constraintdef(con.oid)
FROM pg_index i
LEFT JOIN pg_constraint con
  ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('u', 'x')
WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
ORDER BY 1, 2
"""


def tier_municipality() -> Municipality:
    from django.contrib.gis.geos import Point

    from territory.selectors import forget_municipality_hosts

    place, _ = Municipality.objects.update_or_create(
        slug=SLUG,
        defaults={
            "name": "Bench",
            "state": "Chihuahua",
            "inegi_code": "99999",
            "center": Point(CENTER_LON, CENTER_LAT, srid=4326),
            "zoom": 13,
            "hosts": HOSTS,
        },
    )
    forget_municipality_hosts()
    return place


def generate_tier(tier: str, *, samples: bool = False) -> dict:
    """Fills the database with one tier; returns the counts and the seconds each step took.
    With ``samples``, also the few rows of generate_public_samples() (bench_scale.py walks
    every public page with them)."""
    import time

    sizes = TIERS[tier]
    timings = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(TIER_TRUNCATE)
    place = tier_municipality()
    generate(place, sizes["spaces"], colonia_grid=sizes["colonia_grid"])
    directorate = Directorate.objects.get(
        municipality=place, name="Dirección de Servicios Públicos"
    )
    for code, name, category, color in (
        ("garbage", "Recolección de basura", "garbage", "#6d4c41"),
        ("potholes", "Baches", "other", "#455a64"),
    ):
        ServiceType.objects.get_or_create(
            municipality=place,
            code=code,
            defaults={"name": name, "category": category, "color": color},
        )
    directorate.services.set(ServiceType.objects.filter(municipality=place))
    timings["spaces, colonias and contracts (COPY)"] = time.perf_counter() - started
    step = time.perf_counter()
    sql = TIER_SQL.format(
        m=place.pk,
        complaints=sizes["complaints"],
        spaces=sizes["spaces"],
        items=CARD_ITEMS,
        guardians=sizes["guardians"],
        cards=sizes["answers"] // CARD_ITEMS,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        rebuild = _drop_secondary_indexes(cursor, BULK_TABLES)
        for statement in _statements(sql):
            cursor.execute(statement)
        timings["complaints, cards, answers, needs, allocations (INSERT … SELECT)"] = (
            time.perf_counter() - step
        )
        step = time.perf_counter()
        for statement in rebuild:
            cursor.execute(statement)
        cursor.execute("ANALYZE")
        timings[f"{len(rebuild)} indexes and unique constraints rebuilt, ANALYZE"] = (
            time.perf_counter() - step
        )
    if samples:
        step = time.perf_counter()
        generate_public_samples(place)
        timings["samples for the public pages (services)"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    from core import pagecache

    for label in pagecache.APPS:  # written in SQL, without model signals
        pagecache.bump(label)
    return {"tier": tier, "sizes": sizes, "timings": timings, "municipality": place}


# --- Samples: the rows behind the public pages with URL parameters ---------------------------
#
# A few of each, the same number at every tier, made through the apps' own services so that
# codes and tokens are what the apps make (a certificate's verification code, a visit's brief
# token) and the pages find everything they show: garbage routes and street-lighting areas
# over the whole city, covered by a garbage contract with its obligations; a registered
# committee of the first colonia with its certificate, officers, forums and an allocation;
# public works with their progress; a planned visit whose brief is public. Off by default:
# bench_map.py puts its own areas and works in place of a tier's, and a contract covering
# these areas would stop it deleting them.

SAMPLE_GARBAGE_CELLS = 3  # 3 × 3 garbage routes over the city's extent
SAMPLE_LIGHTING_CELLS = 2  # 2 × 2 street-lighting areas
SAMPLE_WORKS = 3


def _cells(extent: tuple[float, float, float, float], cells: int):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    west, south, east, north = extent
    width, height = (east - west) / cells, (north - south) / cells
    for i in range(cells):
        for j in range(cells):
            box = (
                west + i * width,
                south + j * height,
                west + (i + 1) * width,
                south + (j + 1) * height,
            )
            yield i, j, MultiPolygon(Polygon.from_bbox(box), srid=4326)


def generate_public_samples(place: Municipality) -> None:
    """The rows the public pages with URL parameters need (see the comment above)."""
    from decimal import Decimal

    from django.contrib.gis.db.models import Extent
    from django.contrib.gis.geos import MultiPolygon, Point, Polygon

    from committees import services as committees
    from committees.models import CitizenCommittee, CommitteeMember, PublicWork
    from committees.permissions import Participant
    from contracts import services as contracts
    from guardians.models import Guardian
    from guardians.services import visit_plan
    from territory.services import service_area_upsert

    staff = Participant(is_staff=True)
    today = date.today()
    directorate = Directorate.objects.get(
        municipality=place, name="Dirección de Servicios Públicos"
    )
    garbage = ServiceType.objects.get(municipality=place, code="garbage")
    # The street-lighting areas' service (bench_map.py's layers use the same code).
    lighting, _ = ServiceType.objects.get_or_create(
        municipality=place,
        code="lighting-areas",
        defaults={"name": "Alumbrado público", "category": "lighting", "color": "#f2a900"},
    )
    directorate.services.add(lighting)
    spaces = PublicSpace.objects.for_municipality(place)
    extent = spaces.aggregate(extent=Extent("centroid"))["extent"]
    areas = {}
    for service, prefix, label, cells in (
        (garbage, "R", "Ruta", SAMPLE_GARBAGE_CELLS),
        (lighting, "AL", "Sector de alumbrado", SAMPLE_LIGHTING_CELLS),
    ):
        areas[service.code] = [
            service_area_upsert(
                municipality=place,
                service_type=service,
                code=f"{prefix}-{i + 1}-{j + 1}",
                name=f"{label} {i + 1}-{j + 1}",
                geometry=geometry,
            )[0]
            for i, j, geometry in _cells(extent, cells)
        ]
    contract, _ = contracts.contract_upsert(
        municipality=place,
        number="LP-R01/2026",
        company=Company.objects.filter(municipality=place).order_by("id").first(),
        service_type=garbage,
        directorate=directorate,
        start_date=today - timedelta(days=60),
        end_date=today + timedelta(days=300),
        lot="R",
        title="Recolección de residuos sólidos urbanos",
    )
    contracts.contract_add_coverage(contract=contract, service_areas=areas["garbage"])
    contracts.obligation_add(contract=contract, task="Recolección", frequency_days=2)
    contracts.obligation_add(contract=contract, task="Atender reportes", response_time_hours=48)

    # The first colonia gets a boundary (the box of its spaces), so that its page lists the
    # routes and areas over it; the generated colonias have none.
    colonia = Colonia.objects.for_municipality(place).order_by("name").first()
    west, south, east, north = spaces.filter(colonia=colonia).aggregate(extent=Extent("centroid"))[
        "extent"
    ]
    Colonia.objects.filter(pk=colonia.pk).update(
        geometry=MultiPolygon(Polygon.from_bbox((west, south, east, north)), srid=4326),
        location=Point((west + east) / 2, (south + north) / 2, srid=4326),
    )
    colonia.refresh_from_db()

    committee = CitizenCommittee.objects.create(
        municipality=place, name=f"Comité de Participación Ciudadana {colonia.name}"
    )
    committee.communities.set([colonia])
    committees.committee_register(
        committee=committee,
        participant=staff,
        assembly_date=today - timedelta(days=90),
        assembly_place="Salón de usos múltiples",
        assembly_attendance=85,
        officers=[
            {"full_name": "Presidenta de prueba", "position": CommitteeMember.Position.PRESIDENT},
            {"full_name": "Secretario de prueba", "position": CommitteeMember.Position.SECRETARY},
            {"full_name": "Tesorera de prueba", "position": CommitteeMember.Position.TREASURER},
            {"full_name": "Vocal de prueba", "position": CommitteeMember.Position.VOCAL},
        ],
        registration_number="CPC-001/2026",
        registered_on=today - timedelta(days=60),
    )
    committees.certificate_issue(committee=committee, participant=staff)
    held = timezone.now() - timedelta(days=20)
    committees.forum_record(
        municipality=place,
        participant=staff,
        title="Foro de priorización de obras",
        kind="forum",
        starts_at=held,
        place="Escuela primaria",
        colonia=colonia,
        agenda="Necesidades de la colonia y su orden",
        committee=committee,
        attendance_women=30,
        attendance_men=25,
        summary="Se priorizaron el alumbrado y el parque.",
        agreements=[
            {"description": "Solicitar luminarias", "owner": "Comité", "due_on": today},
            {"description": "Limpieza del parque", "owner": "Vecinos", "due_on": None},
        ],
    )
    committees.forum_record(
        municipality=place,
        participant=staff,
        title="Debate de acción comunitaria",
        kind="debate",
        starts_at=timezone.now() + timedelta(days=14),
        place="Parque central",
        colonia=colonia,
        agenda="Seguimiento de los acuerdos",
        committee=committee,
    )
    committees.allocation_record(
        municipality=place,
        participant=staff,
        colonia=colonia,
        item="Luminarias LED",
        quantity=Decimal(12),
        unit="pieza",
        value=Decimal(48_000),
        delivered_on=today - timedelta(days=10),
        source="municipal",
        committee=committee,
    )
    # No allocation names these works: bench_map.py replaces the works with its own.
    for n, space in enumerate(spaces.filter(colonia=colonia).order_by("code")[:SAMPLE_WORKS]):
        work = PublicWork.objects.create(
            municipality=place,
            name=f"Rehabilitación de {space.name}",
            budget=Decimal(850_000),
            source="municipal",
            starts_on=today - timedelta(days=45),
            location=space.centroid,
            executing_committee=committee if n == 0 else None,
        )
        work.communities.set([colonia])
        for step in range(2):
            committees.work_progress_report(
                work=work,
                participant=staff,
                reported_on=today - timedelta(days=30 - step * 15),
                percent=20 + step * 30,
            )
    visit_plan(
        municipality=place,
        date=today + timedelta(days=7),
        colonia=colonia,
        spaces=spaces.filter(colonia=colonia).order_by("code")[:2],
        guardians_invited=Guardian.private_objects.filter(municipality=place).order_by("id")[:2],
        public_note="Traiga su credencial de guardián.",
    )


def _drop_secondary_indexes(cursor, tables) -> list[str]:
    """Drops every index of the tables but their primary keys; returns the statements that
    build them again."""
    cursor.execute(SECONDARY_INDEXES_SQL, [list(tables)])
    rebuild = []
    for table, index, constraint, index_sql, constraint_sql in cursor.fetchall():
        if constraint:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_sql}')
        else:
            cursor.execute(f"DROP INDEX {index}")
            rebuild.append(index_sql)
    return rebuild


def _statements(sql: str):
    """Splits on the semicolons that end a line (none occurs inside the statements)."""
    buffer = []
    for line in sql.splitlines():
        if line.strip().startswith("--"):
            continue
        buffer.append(line)
        if line.rstrip().endswith(";"):
            statement = "\n".join(buffer).strip()
            buffer = []
            if statement:
                yield statement


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Fills the database with one tier of data.")
    parser.add_argument("--tier", choices=sorted(TIERS), required=True)
    parser.add_argument(
        "--samples",
        action="store_true",
        help="also the rows behind the public pages with URL parameters (bench_scale.py's)",
    )
    args = parser.parse_args()
    result = generate_tier(args.tier, samples=args.samples)
    sizes = result["sizes"]
    print(
        f"{args.tier}: {sizes['spaces']:,} spaces, {sizes['colonia_grid'] ** 2:,} colonias, "
        f"{sizes['complaints']:,} complaints, {sizes['answers']:,} card answers"
    )
    for step, seconds in result["timings"].items():
        print(f"  {step}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
