"""Benchmark of the nightly reconciliation (``findings_reconcile``) against its limit.

For each size given with ``--answers`` (default 1,000,000 and 10,000,000 card answers), it
generates with ``generate_series`` in PostGIS, scaled from the city tier of 1,000,000 answers
(10,000 public spaces in 100 colonias, 25 service areas, 20 contracts each over 500 spaces, one
also over an area, with a mowing obligation, 100 guardians, 100,000 cards of 10 items, about
20 % failing, 60,000 work logs and 3,000 known issues; ten times each at the national tier of
10,000,000), then times:

- the single statement that yields the same card findings, as a ``SELECT`` (information) and
  as one committed ``INSERT … SELECT`` into ``findings_finding``: the limit, since the job must
  write;
- the reconciliation's nightly run, which writes the findings, their outbox rows, the
  known-issue links and the reconciled-card marks, and is checked to raise the same findings;
- a second run (idempotency: no new row);

and the process memory: RSS before and after the run and its peak during it (sampled), which
must stay flat (no row comes to Python). The limits (issue #19): the run at most 1.5 × the
``INSERT … SELECT`` at 1,000,000 answers and 2 × at 10,000,000, memory growth at most 50 MB.
For information it also reports where the run's time goes (its statements by step, and the
commit, where the deferred foreign keys are checked) and the database backend's CPU time for
the run and the ``INSERT … SELECT``, a ratio that another process's load does not skew.

Writes one table for every size to docs/benchmarks.md between <!-- reconcile:start --> and
<!-- reconcile:end -->, and exits 1 if a figure misses its limit.

Run: ``.venv/bin/python bench/bench_reconcile.py --ensure-database [--answers 1000000]``
(DATABASE_URL, default postgis://postgres@127.0.0.1:5432/villaguard_bench; the script migrates
it and truncates the tables it fills; the national tier needs a few GB of disk).
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/villaguard_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DEBUG", "false")
# The run appends to the audit trail, which is keyed (DEBUG off has no fallback key).
os.environ.setdefault("AUDIT_HMAC_KEY", "benchmark-only-audit-key")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.generate import ensure_database  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- reconcile:start -->", "<!-- reconcile:end -->"
ITEMS = 10
# The city tier (1,000,000 answers); other sizes scale every count but the card's items.
CITY = {
    "answers": 1_000_000,
    "spaces": 10_000,
    "colonias": 100,
    "areas": 25,
    "contracts": 20,
    "guardians": 100,
    "cards": 100_000,
    "work_logs": 60_000,
    "known_issues": 3_000,
}
DEFAULT_ANSWERS = (1_000_000, 10_000_000)
# The run's limit as a multiple of the single INSERT … SELECT: up to this many answers, this
# ratio (issue #19: 1.5 × at the city tier, 2 × at the national one).
RATIO_LIMITS = ((1_000_000, 1.5), (None, 2.0))
MEMORY_LIMIT_MB = 50


def tier(answers: int) -> dict:
    """The counts generated for ``answers`` card answers (a multiple of ten)."""
    scale = answers / CITY["answers"]
    counts = {name: max(1, round(value * scale)) for name, value in CITY.items()}
    counts["cards"] = answers // ITEMS
    counts["answers"] = counts["cards"] * ITEMS
    counts["areas"] = max(5, counts["areas"])
    return counts


def ratio_limit(answers: int) -> float:
    return next(limit for most, limit in RATIO_LIMITS if most is None or answers <= most)


def _status_mb(pid: str, field: str) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss_mb() -> float:
    return _status_mb("self", "VmRSS")


class PeakSampler(threading.Thread):
    """Samples this process's RSS, and the private memory of the database backend serving it
    (its anonymous RSS: sorts, hashes, temporary buffers; not the shared buffers), every 10 ms
    while a run lasts. psycopg2 releases the GIL while a statement runs, so the samples go on
    during it."""

    def __init__(self, backend_pid: int | None):
        super().__init__(daemon=True)
        self.backend_pid = str(backend_pid) if backend_pid else None
        self.peak = rss_mb()
        self.backend_peak = self._backend()
        self._done = threading.Event()

    def _backend(self) -> float:
        return _status_mb(self.backend_pid, "RssAnon") if self.backend_pid else 0.0

    def run(self) -> None:
        while not self._done.wait(0.01):
            self.peak = max(self.peak, rss_mb())
            self.backend_peak = max(self.backend_peak, self._backend())

    def stop(self) -> None:
        self._done.set()
        self.join()
        self.peak = max(self.peak, rss_mb())


# Every count comes from ``tier``; lookups by ordinal are joins (not a subquery per row), so
# the national tier generates in minutes.
GENERATE = """
TRUNCATE findings_message, findings_outbox, findings_findingevent, findings_reconciledcard,
         findings_knownissueanswer, findings_finding, findings_worklog, findings_knownissue,
         findings_obligationschedule, guardians_cardphoto, guardians_cardanswer, guardians_card,
         guardians_cardtemplateitem, guardians_cardtemplate, guardians_guardian,
         contracts_obligation, contracts_contract_spaces, contracts_contract_service_areas,
         contracts_contract, contracts_company, territory_publicspace, territory_servicearea,
         territory_colonia, territory_directorate_services, territory_directorate,
         territory_servicetype CASCADE;
DELETE FROM accounts_user WHERE username LIKE 'bench-%';
DROP TABLE IF EXISTS m, st, col, sp, ct, it, gu;
SELECT setseed(0.42);

INSERT INTO territory_municipality (name, slug, state, inegi_code, hosts, is_default, center,
                                    zoom, logo, contact_email, contact_phone, website, is_rural)
VALUES ('Bench', 'bench', 'Chihuahua', '99999', '', false,
        ST_SetSRID(ST_MakePoint(-106.1, 28.6), 4326), 12, '', 'bench@example.org', '', '', false)
ON CONFLICT (slug) DO NOTHING;
CREATE TEMP TABLE m AS SELECT id FROM territory_municipality WHERE slug = 'bench';

INSERT INTO territory_servicetype (municipality_id, code, name, category, description, color)
SELECT id, 'green-spaces', 'Áreas verdes', 'green_spaces', '', '#2e7d32' FROM m;
CREATE TEMP TABLE st AS SELECT id FROM territory_servicetype WHERE code = 'green-spaces'
  AND municipality_id = (SELECT id FROM m);
INSERT INTO territory_directorate (municipality_id, name, email, phone)
SELECT id, 'Parques y Jardines', 'parques@example.org', '' FROM m;
INSERT INTO territory_directorate_services (directorate_id, servicetype_id)
SELECT d.id, (SELECT id FROM st) FROM territory_directorate d
WHERE d.municipality_id = (SELECT id FROM m);

INSERT INTO territory_colonia (municipality_id, name, kind, is_rural, inegi_locality_code,
                               population, geometry, location)
SELECT (SELECT id FROM m), 'Colonia ' || g, 'colonia', false, '', 1000, NULL, NULL
FROM generate_series(1, {colonias}) g;
CREATE TEMP TABLE col AS
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM territory_colonia
  WHERE municipality_id = (SELECT id FROM m);

-- A grid of 100 spaces a row, 0.002° apart; the service areas below tile the same extent.
INSERT INTO territory_publicspace (municipality_id, code, name, kind, geometry, area_m2, centroid,
                                   colonia_id, directorate_id, updated_at)
SELECT (SELECT id FROM m), 'B-' || g, 'Parque ' || g, 'park',
       ST_Multi(ST_MakeEnvelope(-106.2 + (g % 100) * 0.002, 28.5 + (g / 100) * 0.002,
                                -106.2 + (g % 100) * 0.002 + 0.001,
                                28.5 + (g / 100) * 0.002 + 0.001, 4326)),
       1000, ST_SetSRID(ST_MakePoint(-106.2 + (g % 100) * 0.002 + 0.0005,
                                     28.5 + (g / 100) * 0.002 + 0.0005), 4326),
       col.id, NULL, now()
FROM generate_series(0, {spaces} - 1) g JOIN col ON col.n = g % {colonias};
CREATE TEMP TABLE sp AS
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM territory_publicspace
  WHERE municipality_id = (SELECT id FROM m);
CREATE INDEX ON sp (n);

INSERT INTO territory_servicearea (municipality_id, code, name, service_type_id, colonias_text,
                                   geometry, area_m2, centroid, updated_at)
SELECT (SELECT id FROM m), 'Z-' || g, 'Zona ' || g, (SELECT id FROM st), '',
       ST_Multi(ST_MakeEnvelope(-106.2 + (g % 5) * 0.04, 28.5 + (g / 5) * 0.04,
                                -106.2 + (g % 5) * 0.04 + 0.04, 28.5 + (g / 5) * 0.04 + 0.04,
                                4326)),
       1, ST_SetSRID(ST_MakePoint(-106.18 + (g % 5) * 0.04, 28.52 + (g / 5) * 0.04), 4326), now()
FROM generate_series(0, {areas} - 1) g;

INSERT INTO contracts_company (municipality_id, legal_name, rfc, contact_name, email, phone,
                               address, website, contact_public)
SELECT (SELECT id FROM m), 'Empresa ' || g, '', '', '', '', '', '', false
FROM generate_series(1, 10) g;
INSERT INTO contracts_contract (municipality_id, number, lot, title, company_id, service_type_id,
    directorate_id, procurement_method, monthly_amount, total_amount, amounts_include_vat,
    start_date, end_date, description, created_at, updated_at)
SELECT (SELECT id FROM m), 'B/' || g, g::text, '',
       (SELECT id FROM contracts_company WHERE legal_name = 'Empresa ' || (1 + g % 10)
          AND municipality_id = (SELECT id FROM m)),
       (SELECT id FROM st),
       (SELECT id FROM territory_directorate WHERE municipality_id = (SELECT id FROM m)),
       'open', 100000, 1200000, true, current_date - 100, current_date + 265, '', now(), now()
FROM generate_series(0, {contracts} - 1) g;
CREATE TEMP TABLE ct AS
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM contracts_contract
  WHERE municipality_id = (SELECT id FROM m);
INSERT INTO contracts_contract_spaces (contract_id, publicspace_id)
SELECT ct.id, sp.id FROM sp JOIN ct ON ct.n = sp.n / ({spaces} / {contracts});
INSERT INTO contracts_contract_service_areas (contract_id, servicearea_id)
SELECT (SELECT id FROM ct WHERE n = 0), id FROM territory_servicearea
WHERE code = 'Z-' || ({areas} - 1) AND municipality_id = (SELECT id FROM m);
INSERT INTO contracts_obligation (contract_id, task, frequency_days, response_time_hours, notes)
SELECT id, 'Corte de pasto', 15, NULL, '' FROM ct
UNION ALL SELECT id, 'Atención de reportes', NULL, 48, '' FROM ct;

INSERT INTO guardians_cardtemplate (municipality_id, service_type_id, name, version, is_current,
                                    created_at)
SELECT id, (SELECT id FROM st), 'Parques', 1, true, now() FROM m;
INSERT INTO guardians_cardtemplateitem (template_id, "order", code, text, help_text, kind,
    required, choices, failure_values, failure_min, failure_max, has_total, total_label)
SELECT (SELECT id FROM guardians_cardtemplate WHERE municipality_id = (SELECT id FROM m)),
       g * 10, 'item-' || g, 'Pregunta ' || g, '', 'yes_no', true, '', 'no', NULL, NULL, false, ''
FROM generate_series(0, {items} - 1) g;
CREATE TEMP TABLE it AS
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS n, code FROM guardians_cardtemplateitem
  WHERE template_id = (SELECT id FROM guardians_cardtemplate
                       WHERE municipality_id = (SELECT id FROM m));

INSERT INTO accounts_user (password, last_login, is_superuser, username, first_name, last_name,
    email, is_staff, is_active, date_joined, municipality_id, directorate_id, is_demo)
SELECT '!', NULL, false, 'bench-' || g, '', '', '', false, true, now(), (SELECT id FROM m),
       NULL, false
FROM generate_series(1, {guardians}) g;
INSERT INTO guardians_guardian (municipality_id, user_id, colonia_id, phone, status, is_lead,
    appointed_on_visit_id, privacy_accepted_at, created_at)
SELECT (SELECT id FROM m), u.id, col.id, '', 'active', false, NULL, now(), now()
FROM accounts_user u JOIN col ON col.n = u.id % {colonias}
WHERE u.username LIKE 'bench-%';
CREATE TEMP TABLE gu AS
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM guardians_guardian
  WHERE municipality_id = (SELECT id FROM m);

INSERT INTO guardians_card (municipality_id, client_id, template_id, service_type_id, space_id,
    colonia_id, guardian_id, observed_on, failure_count, submitted_at, review_status,
    reviewed_by_id, reviewed_at, review_note, staff_notified_at)
SELECT (SELECT id FROM m), md5(g::text || 'card')::uuid,
       (SELECT id FROM guardians_cardtemplate WHERE municipality_id = (SELECT id FROM m)),
       (SELECT id FROM st), sp.id, col.id, gu.id,
       current_date - (g % 60), 0, now(), 'pending', NULL, NULL, '', NULL
FROM generate_series(0, {cards} - 1) g
JOIN sp ON sp.n = (g::bigint * 7919) % {spaces}
JOIN col ON col.n = sp.n % {colonias}
JOIN gu ON gu.n = g % {guardians};

INSERT INTO guardians_cardanswer (card_id, item_id, value, number, total, is_failure)
SELECT x.card_id, x.item_id, CASE WHEN x.r < 0.2 THEN 'no' ELSE 'yes' END, NULL, NULL, x.r < 0.2
FROM (SELECT c.id AS card_id, it.id AS item_id, random() AS r
      FROM guardians_card c CROSS JOIN it
      WHERE c.municipality_id = (SELECT id FROM m)) x;

INSERT INTO findings_worklog (municipality_id, service_type_id, space_id, service_area_id,
    item_code, reported_by, source, api_client_id, external_id, created_at, contract_id, done_on,
    description)
SELECT (SELECT id FROM m), (SELECT id FROM st), sp.id, NULL,
       CASE WHEN g % 3 = 0 THEN '' ELSE 'item-' || (g % {items}) END, 'contractor', 'api', NULL,
       '', now(), NULL, current_date - (g % 70), 'Trabajo'
FROM generate_series(0, {work_logs} - 1) g
JOIN sp ON sp.n = (g::bigint * 104729) % {spaces};
INSERT INTO findings_worklog (municipality_id, service_type_id, space_id, service_area_id,
    item_code, reported_by, source, api_client_id, external_id, created_at, contract_id, done_on,
    description)
SELECT (SELECT id FROM m), (SELECT id FROM st), NULL, a.id, 'item-0', 'directorate', 'api', NULL,
       '', now(), NULL, current_date - 3, 'Riego de zona'
FROM territory_servicearea a
WHERE a.code IN ('Z-3', 'Z-7') AND a.municipality_id = (SELECT id FROM m);

INSERT INTO findings_knownissue (municipality_id, service_type_id, space_id, service_area_id,
    item_code, reported_by, source, api_client_id, external_id, created_at, description, since,
    status, closed_on)
SELECT (SELECT id FROM m), (SELECT id FROM st), sp.id, NULL,
       CASE WHEN g % 2 = 0 THEN '' ELSE 'item-' || (g % {items}) END, 'directorate', 'api', NULL,
       '', now(), 'Orden de trabajo', current_date - 90,
       CASE WHEN g % 5 = 0 THEN 'closed' ELSE 'open' END, NULL
FROM generate_series(0, {known_issues} - 1) g
JOIN sp ON sp.n = (g::bigint * 15485863) % {spaces};
"""
# Settled before anything is timed, each statement on its own (VACUUM runs outside a
# transaction): the visibility map and hint bits set, statistics taken, the dirty pages written,
# so neither the single statement nor the reconciliation pays for the generation, and
# autovacuum does not wake up in the middle of a run.
SETTLE = ["VACUUM (ANALYZE)", "CHECKPOINT"]


# The limit: one statement that yields the same card findings (space, service, item, kind),
# written the shortest way by hand, computing nothing the findings do not need.
REFERENCE = """
WITH cover AS (
  SELECT x.space_id, x.service_type_id, MIN(x.contract_id) AS contract_id FROM (
    SELECT cs.publicspace_id AS space_id, c.service_type_id, c.id AS contract_id
    FROM contracts_contract_spaces cs JOIN contracts_contract c ON c.id = cs.contract_id
    WHERE c.start_date <= current_date AND c.end_date >= current_date
    UNION ALL
    SELECT s.id, c.service_type_id, c.id
    FROM contracts_contract_service_areas ca JOIN contracts_contract c ON c.id = ca.contract_id
    JOIN territory_servicearea a ON a.id = ca.servicearea_id
    JOIN territory_publicspace s ON ST_Intersects(a.geometry, s.centroid)
    WHERE c.start_date <= current_date AND c.end_date >= current_date
  ) x GROUP BY 1, 2
), terms AS (
  SELECT cv.space_id, cv.service_type_id, cv.contract_id, c.directorate_id, c.company_id,
         MIN(o.frequency_days) AS days, MIN(o.response_time_hours) AS hours
  FROM cover cv JOIN contracts_contract c ON c.id = cv.contract_id
  LEFT JOIN contracts_obligation o ON o.contract_id = cv.contract_id
  GROUP BY 1, 2, 3, 4, 5
), failing AS (
  SELECT c.municipality_id, c.space_id, c.service_type_id, c.colonia_id, c.observed_on,
         i.code, i.text, t.contract_id, t.directorate_id, t.company_id, t.hours,
         CASE WHEN EXISTS (
             SELECT 1 FROM findings_worklog w
             WHERE w.space_id = c.space_id AND w.service_type_id = c.service_type_id
               AND w.done_on BETWEEN c.observed_on - COALESCE(t.days, 14) AND c.observed_on
               AND (w.item_code = '' OR w.item_code = i.code))
           OR EXISTS (
             SELECT 1 FROM findings_worklog w
             JOIN territory_servicearea a ON a.id = w.service_area_id
             WHERE w.service_type_id = c.service_type_id
               AND w.done_on BETWEEN c.observed_on - COALESCE(t.days, 14) AND c.observed_on
               AND (w.item_code = '' OR w.item_code = i.code)
               AND ST_Intersects(a.geometry, sp.centroid))
           THEN 1 ELSE 0 END AS contradicts
  FROM guardians_cardanswer a
  JOIN guardians_card c ON c.id = a.card_id
  JOIN guardians_cardtemplateitem i ON i.id = a.item_id
  JOIN territory_publicspace sp ON sp.id = c.space_id
  LEFT JOIN terms t ON t.space_id = c.space_id AND t.service_type_id = c.service_type_id
  WHERE a.is_failure
    AND NOT EXISTS (
      SELECT 1 FROM findings_knownissue k
      WHERE k.space_id = c.space_id AND k.service_type_id = c.service_type_id
        AND k.status = 'open' AND k.since <= c.observed_on
        AND (k.item_code = '' OR k.item_code = i.code))
    AND NOT EXISTS (
      SELECT 1 FROM findings_knownissue k
      JOIN territory_servicearea ar ON ar.id = k.service_area_id
      WHERE k.service_type_id = c.service_type_id
        AND k.status = 'open' AND k.since <= c.observed_on
        AND (k.item_code = '' OR k.item_code = i.code)
        AND ST_Intersects(ar.geometry, sp.centroid))
)
SELECT g.municipality_id,
       CASE WHEN g.contradicts = 1 THEN 'contradiction' ELSE 'unreported' END,
       CASE WHEN g.contradicts = 1 THEN 3 ELSE 2 END, 'open',
       g.service_type_id, g.space_id, g.colonia_id, g.code, g.text,
       COALESCE(g.directorate_id, sp.directorate_id,
                (SELECT MIN(ds.directorate_id) FROM territory_directorate_services ds
                 WHERE ds.servicetype_id = g.service_type_id)),
       g.contract_id, g.company_id, NULL::bigint, g.period_start, g.period_end, g.hours,
       now() + make_interval(hours => g.hours), now(), now(), 0
FROM (
  -- Each answer's contradiction is computed once: MAX(contradicts) written twice in the
  -- SELECT list would evaluate its subqueries twice.
  SELECT f.municipality_id, f.space_id, f.service_type_id, f.code,
         MAX(f.contradicts) AS contradicts, MIN(f.colonia_id) AS colonia_id,
         MIN(f.text) AS text, MIN(f.directorate_id) AS directorate_id,
         MIN(f.contract_id) AS contract_id, MIN(f.company_id) AS company_id,
         MIN(f.observed_on) AS period_start, MAX(f.observed_on) AS period_end,
         COALESCE(MIN(f.hours), 72) AS hours
  FROM failing f
  GROUP BY f.municipality_id, f.space_id, f.service_type_id, f.code
) g JOIN territory_publicspace sp ON sp.id = g.space_id
"""


FINDING_COLUMNS = (
    "municipality_id, kind, severity, status, service_type_id, space_id, colonia_id, item_code,"
    " item_text, directorate_id, contract_id, company_id, obligation_id, period_start,"
    " period_end, response_hours, due_at, created_at, updated_at, cycle"
)
FINDING_KEY = "space_id, service_type_id, item_code, kind"


# Where a run's time goes: its statements by what they write (the first prefix that matches);
# what no statement takes is the commit, where PostgreSQL checks the deferred foreign keys.
STEPS = (
    ("classifying the failing answers (temporary tables)", ("CREATE TEMP", "ANALYZE", "CREATE")),
    ("findings and their outbox rows", ("WITH raised",)),
    ("known-issue links", ("INSERT INTO findings_knownissueanswer",)),
    ("reconciled-card marks", ("INSERT INTO findings_reconciledcard",)),
)
COMMIT_STEP = "commit (deferred foreign-key checks)"
OTHER_STEP = "the rest (obligations, audit entry, counts)"


class StatementLog:
    """An execute wrapper that prints the run's slow statements and sums their time by step."""

    def __init__(self) -> None:
        self.steps = {name: 0.0 for name, _prefixes in STEPS} | {OTHER_STEP: 0.0}

    def __call__(self, execute, sql, params, many, context):
        started = time.monotonic()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.monotonic() - started
            text = " ".join(sql.split())
            step = next((name for name, prefixes in STEPS if text.startswith(prefixes)), OTHER_STEP)
            self.steps[step] += seconds
            if seconds > 0.5:
                print(f"  {seconds:6.2f} s  {text[:90]}")

    def breakdown(self, total: float) -> dict:
        return self.steps | {COMMIT_STEP: total - sum(self.steps.values())}


def backend_cpu(pid: int | None) -> float | None:
    """CPU seconds the database backend ``pid`` has used (user and system), or None where its
    /proc entry is not readable (another machine). Steadier than wall-clock time on a shared
    machine: another process's load delays a statement but does not add to its CPU time."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, TypeError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def _backend_pid(cursor) -> int:
    cursor.execute("SELECT pg_backend_pid()")
    return cursor.fetchone()[0]


def generate(counts: dict) -> dict:
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(GENERATE.format(items=ITEMS, **counts))
        for statement in SETTLE:
            cursor.execute(statement)
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE is_failure) FROM guardians_cardanswer"
        )
        answers, failing = cursor.fetchone()
    return {"answers": answers, "failing": failing, "generate": time.monotonic() - started}


def _temp_mb(cursor) -> float:
    """Temporary files this database has written so far (sorts and hashes beyond work_mem)."""
    cursor.execute("SELECT pg_stat_force_next_flush()")
    cursor.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
    return cursor.fetchone()[0] / 2**20


def reference() -> dict:
    """Times the single statement as a ``SELECT`` (its rows read through a server-side cursor,
    so none is held in Python) and as one committed ``INSERT … SELECT``, and keeps the keys of
    the findings it wrote (``bench_expected``) to compare the reconciliation's with."""
    with connection.cursor() as cursor:
        started = time.monotonic()
        with transaction.atomic():
            rows = 0
            with connection.connection.cursor(name="bench_reference") as named:
                named.itersize = 10_000
                named.execute(REFERENCE)
                for _row in named:
                    rows += 1
        select_seconds = time.monotonic() - started
        temp_before = _temp_mb(cursor)
        pid = _backend_pid(cursor)
        cpu_before = backend_cpu(pid)
        started = time.monotonic()
        with transaction.atomic():
            cursor.execute(f"INSERT INTO findings_finding ({FINDING_COLUMNS}) {REFERENCE}")
        insert_seconds = time.monotonic() - started
        cpu_after = backend_cpu(pid)
        temp_after = _temp_mb(cursor)
        cursor.execute("DROP TABLE IF EXISTS bench_expected")
        cursor.execute(
            f"CREATE TEMP TABLE bench_expected AS SELECT {FINDING_KEY} FROM findings_finding"
        )
        cursor.execute("TRUNCATE findings_finding CASCADE")
    return {
        "reference": select_seconds,
        "reference_insert": insert_seconds,
        "reference_rows": rows,
        "reference_temp_mb": temp_after - temp_before,
        "reference_cpu": _spent(cpu_before, cpu_after),
    }


def differences() -> int:
    """Card findings the reconciliation and the single statement disagree on (either way)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*) FROM (
              (SELECT {FINDING_KEY} FROM findings_finding WHERE kind <> 'overdue'
               EXCEPT SELECT {FINDING_KEY} FROM bench_expected)
              UNION ALL
              (SELECT {FINDING_KEY} FROM bench_expected
               EXCEPT SELECT {FINDING_KEY} FROM findings_finding WHERE kind <> 'overdue')
            ) d
            """  # noqa: S608 (constants)
        )
        return cursor.fetchone()[0]


def measure(answers: int) -> dict:
    """Generates ``answers`` card answers and measures one size."""
    from findings.models import Finding, KnownIssueAnswer, Outbox, ReconciledCard
    from findings.services import findings_reconcile
    from territory.models import Municipality

    counts = tier(answers)
    data = generate(counts)
    print(
        f"generated {data['answers']:,} answers ({data['failing']:,} failing) "
        f"in {data['generate']:.1f} s"
    )
    figures = {**counts, **data, **reference()}
    print(
        f"single statement: {figures['reference']:.2f} s as SELECT, "
        f"{figures['reference_insert']:.2f} s as one INSERT … SELECT; "
        f"{figures['reference_rows']:,} findings"
    )

    municipality = Municipality.objects.get(slug="bench")
    with connection.cursor() as cursor:
        backend_pid = _backend_pid(cursor)
        temp_before = _temp_mb(cursor)
    cpu_before = backend_cpu(backend_pid)
    rss_before = rss_mb()
    sampler = PeakSampler(backend_pid)
    sampler.start()
    statements = StatementLog()
    started = time.monotonic()
    with connection.execute_wrapper(statements):
        result = findings_reconcile(municipality=municipality)
    first = time.monotonic() - started
    cpu_after = backend_cpu(backend_pid)
    sampler.stop()
    steps = statements.breakdown(first)
    print(f"  {steps[COMMIT_STEP]:6.2f} s  {COMMIT_STEP}")
    rss_after = rss_mb()
    with connection.cursor() as cursor:
        temp_mb = _temp_mb(cursor) - temp_before
    print(
        f"reconcile: {first:.2f} s {result} RSS {rss_before:.0f} -> {rss_after:.0f} MB"
        f" (peak {sampler.peak:.0f} MB), backend peak {sampler.backend_peak:.0f} MB,"
        f" temporary files {temp_mb:.0f} MB"
    )

    def row_counts():
        return tuple(
            model.objects.count() for model in (Finding, ReconciledCard, KnownIssueAnswer, Outbox)
        )

    counts_first = row_counts()
    started = time.monotonic()
    findings_reconcile(municipality=municipality)
    second = time.monotonic() - started
    counts_after = row_counts()
    different = differences()
    print(
        f"second run: {second:.2f} s, rows {counts_first} -> {counts_after},"
        f" differences: {different}"
    )
    return {
        **figures,
        "first": first,
        "ratio_insert": first / figures["reference_insert"],
        "ratio_limit": ratio_limit(answers),
        "second": second,
        "second_new": sum(counts_after) - sum(counts_first),
        "findings": counts_first[0],
        "linked": result.answers_linked,
        "cards_reconciled": counts_first[1],
        "issues": counts_first[2],
        "notifications": counts_first[3],
        "rss_before": rss_before,
        "rss_after": rss_after,
        "rss_peak": sampler.peak,
        "backend_peak": sampler.backend_peak,
        "temp_mb": temp_mb,
        "differences": different,
        "steps": steps,
        "cpu": _spent(cpu_before, cpu_after),
    }


def checks(f: dict) -> list[tuple[str, str, str, str, bool]]:
    """(measure, value, limit, ratio to limit, passed) of one size: what the exit code tests."""

    def row(name, value, limit, shown_value, shown_limit):
        ratio = f"{value / limit:.2f}" if limit else "—"
        return (name, shown_value, shown_limit, ratio, value <= limit)

    growth = f["rss_after"] - f["rss_before"]
    peak = f["rss_peak"] - f["rss_before"]
    return [
        row(
            "**reconciliation ÷ `INSERT … SELECT`**",
            f["ratio_insert"],
            f["ratio_limit"],
            f"**{f['ratio_insert']:.2f} ×** ({f['first']:.2f} s ÷ {f['reference_insert']:.2f} s)",
            f"{f['ratio_limit']:.1f} ×",
        ),
        row(
            "process RSS after − before the run",
            max(growth, 0.0),
            MEMORY_LIMIT_MB,
            f"{growth:+.0f} MB ({f['rss_before']:.0f} → {f['rss_after']:.0f})",
            f"{MEMORY_LIMIT_MB} MB",
        ),
        row(
            "process RSS peak during the run − before",
            max(peak, 0.0),
            MEMORY_LIMIT_MB,
            f"{peak:+.0f} MB (peak {f['rss_peak']:.0f})",
            f"{MEMORY_LIMIT_MB} MB",
        ),
        row(
            "card findings unlike the single statement's",
            f["differences"],
            0,
            f"{f['differences']:,}",
            "0",
        ),
        row("new rows on a second run", f["second_new"], 0, f"{f['second_new']:,}", "0"),
    ]


def passed(figures: dict) -> bool:
    return all(check[-1] for check in checks(figures))


def write_docs(sizes: list[dict]) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0].split()[0]
        cursor.execute("SELECT postgis_lib_version()")
        postgis_version = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    answers = ",".join(str(f["answers"]) for f in sizes)
    lines = [
        START,
        "## Reconciliation",
        "",
        f"`.venv/bin/python bench/bench_reconcile.py --ensure-database --answers {answers}` on"
        f" {datetime.now():%Y-%m-%d %H:%M}, commit `{commit or 'n/a'}`, PostgreSQL {pg_version}"
        f" (work_mem {work_mem}), PostGIS {postgis_version}, {os.cpu_count()} cores.",
        "",
        "Data made with `generate_series` for each size, in turn:",
        "",
    ]
    for f in sizes:
        lines.append(
            f"- {f['answers']:,} card answers ({f['failing']:,} failing) on {f['cards']:,}"
            f" cards, {f['spaces']:,} spaces in {f['colonias']:,} colonias,"
            f" {f['contracts']:,} contracts, {f['areas']:,} service areas,"
            f" {f['work_logs']:,} work logs, {f['known_issues']:,} known issues (generated in"
            f" {f['generate']:.0f} s)."
        )
    lines += [
        "",
        "The limit is the single statement that yields the same card findings, run as one"
        " committed `INSERT … SELECT` into `findings_finding` (the job must write); the nightly"
        " run also writes the findings' outbox rows, the known-issue links and the"
        " reconciled-card marks, all in one transaction.",
        "",
        "| answers | measure | value | limit | ratio to limit | |",
        "|---:|---|---:|---:|---:|---|",
    ]
    for f in sizes:
        for name, value, limit, ratio, ok in checks(f):
            lines.append(
                f"| {f['answers']:,} | {name} | {value} | {limit} | {ratio} |"
                f" {'pass' if ok else '**MISS**'} |"
            )
    lines += [
        "",
        "| answers | for information | value |",
        "|---:|---|---:|",
    ]
    for f in sizes:
        n = f"{f['answers']:,}"
        lines += [
            f"| {n} | the single statement as a `SELECT` (rows read by a server-side cursor) |"
            f" {f['reference']:.2f} s |",
            f"| {n} | the single statement as one committed `INSERT … SELECT` |"
            f" {f['reference_insert']:.2f} s |",
            f"| {n} | nightly reconciliation, first run | {f['first']:.2f} s |",
            f"| {n} | where its time goes | {_steps(f['steps'])} |",
            f"| {n} | the database backend's CPU time, reconciliation ÷ `INSERT … SELECT` (steadier"
            f" than wall-clock time on a shared machine) | {_cpu_ratio(f)} |",
            f"| {n} | second run (nothing left to do) | {f['second']:.2f} s |",
            f"| {n} | findings raised / answers that are their evidence (derived, not stored) /"
            f" answers on known issues / cards marked reconciled / outbox rows |"
            f" {f['findings']:,} / {f['linked']:,} / {f['issues']:,} /"
            f" {f['cards_reconciled']:,} / {f['notifications']:,} |",
            f"| {n} | the database backend's private memory, peak during the run |"
            f" {f['backend_peak']:.0f} MB |",
            f"| {n} | temporary files written by the run / by the single statement |"
            f" {f['temp_mb']:.0f} MB / {f['reference_temp_mb']:.0f} MB |",
        ]
    lines += [
        "",
        "What the run does beyond the single statement: it stages the classified failing"
        " answers in a temporary table, which its later statements read whole; it writes three"
        " more tables (an outbox row per finding, in the findings' own statement, one narrow row"
        " per reconciled card, a link per answer on a known issue), each row in the order of"
        " the index it enters; and the commit checks those rows' deferred foreign keys as well"
        " as the findings'. A finding's evidence is not written per answer: it is derived on"
        " read from its natural key and the cards reconciled while it was live"
        " (`findings.selectors.finding_evidence`). Notification delivery is not included: the"
        " worker does it after the commit. Memory stays flat because no row comes to Python:"
        " every step is one statement in the database.",
        "",
        f"Timings are wall-clock on a shared machine (load average {os.getloadavg()[0]:.1f}"
        " when the run ended): compare the ratios, not the seconds, between runs.",
        END,
    ]
    block = "\n".join(lines)
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _old, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text)


def _steps(steps: dict) -> str:
    return "; ".join(f"{name} {seconds:.2f} s" for name, seconds in steps.items())


def _cpu_ratio(f: dict) -> str:
    if f["cpu"] is None or not f["reference_cpu"]:
        return "n/a"
    return f"{f['cpu'] / f['reference_cpu']:.2f} × ({f['cpu']:.2f} s ÷ {f['reference_cpu']:.2f} s)"


def _answers(value: str) -> list[int]:
    sizes = [int(part.replace("_", "")) for part in value.split(",") if part.strip()]
    if not sizes or any(size < ITEMS or size % ITEMS for size in sizes):
        raise argparse.ArgumentTypeError(f"card answers come {ITEMS} a card: {value}")
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ensure-database", action="store_true")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument(
        "--answers",
        type=_answers,
        default=list(DEFAULT_ANSWERS),
        help="card answers to generate, comma-separated, one size after the other"
        f" (default {','.join(map(str, DEFAULT_ANSWERS))})",
    )
    args = parser.parse_args()
    if args.ensure_database:
        ensure_database()
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgis"):
        sys.exit("The benchmark needs PostGIS: set DATABASE_URL=postgis://…")
    call_command("migrate", verbosity=0, interactive=False)

    from core import outbox

    # Delivery is the worker's job, after the commit: keep it out of the reconciliation's time
    # (in the embedded default Celery is eager and would send the e-mails inline).
    outbox.enqueue = lambda name, *args: False

    sizes = []
    for answers in args.answers:
        print(f"== {answers:,} card answers")
        figures = measure(answers)
        sizes.append(figures)
        for name, value, limit, ratio, ok in checks(figures):
            print(f"  {'pass' if ok else 'MISS'}  {name}: {value} (limit {limit}, {ratio})")
        print(f"  backend CPU time, reconciliation ÷ INSERT … SELECT: {_cpu_ratio(figures)}")
    if not args.no_docs:
        write_docs(sizes)
    ok = all(passed(figures) for figures in sizes)
    print("OK" if ok else "LIMIT EXCEEDED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
