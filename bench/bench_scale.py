"""Performance at city, metropolitan and national scale: query counts, page rates, throughput.

For each tier of bench/generate.py (by default city, metro and national, in that order; each
replaces the previous one's data, with the samples the public pages with URL parameters
need): the number of SQL queries of every public route of accounts/access.py (ACCESS, those
open to ``anonymous``), walked with Django's test Client and CaptureQueriesContext; a public
route with URL parameters that has no sample here and is not in SKIP is reported as a missed
target, so a new public route is walked, or its omission explained, from its first day. On
the metro tier (``--full-tier``) also: the admin complaint changelist, the directorate inbox,
the before/after impact report and the equity page (median of 3); the requests per second of
every public page under gunicorn (2 workers) against a plain Django view in the same server
(wrk, in turn); and Open311 ``POST requests`` for 60 s against a plain view that inserts one
row through the ORM, in the same server (gunicorn with 4 workers, wrk with
bench/open311_post.lua, in turn), after which every accepted request is looked up among the
stored rows. Writes the tables to docs/benchmarks.md between <!-- scale:start --> and
<!-- scale:end -->; a missed target exits 1.

    DATABASE_URL=postgis://…/villaguard_perf REDIS_URL=redis://…/14 \\
    REDIS_CACHE_URL=redis://…/15 .venv/bin/python bench/bench_scale.py

(``make bench`` runs it so, after the map and reconciliation benchmarks.) ``--quick`` shortens
the timed runs (one round of 1 s per page, 10 s of Open311) to check the benchmark itself.
"""

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DEBUG", "false")
# The admin pages are timed as a signed-in superuser: the second factor is verified once per
# session and costs nothing per page, so the benchmark does without it.
os.environ.setdefault("OTP_REQUIRED_FOR_STAFF", "false")
# One API key posts the whole load: a deployment gives its 072 call centre a rate like this.
os.environ.setdefault("OPEN311_POST_RATE", "60000/m")
# The samples are made through the apps' services, which keep the (keyed) audit trail; the
# public trail head (audit:head) is signed with the same key.
os.environ.setdefault("AUDIT_HMAC_KEY", "benchmark-only-audit-key")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse  # noqa: E402

from bench import generate  # noqa: E402
from bench.docs import write_section  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- scale:start -->", "<!-- scale:end -->"
HOST = "127.0.0.1"
MAX_QUERIES = 10
PAGE_LIMIT_MS = 500
REPORT_LIMIT_MS = 1000
RPS_RATIO_LIMIT = 0.5
METRO_GENERATE_LIMIT_S = 300
OPEN311_RATIO_LIMIT = 0.5
OPEN311_P99_MS = 250
OPEN311_SECONDS = 60
OPEN311_ROUNDS = 3  # the 60 s of posts in 3 runs of 20 s, each after a run of the plain insert
OPEN311_WORKERS = 4
OPEN311_WRK_THREADS = 2
OPEN311_CONNECTIONS = 8
PAGE_WORKERS = 2
PAGE_WRK_THREADS = 2
PAGE_CONNECTIONS = 8
PAGE_ROUNDS = 3
PAGE_ROUND_SECONDS = 2
# The plain view is measured before every PLAIN_EVERY pages and after the last: a page's
# reference is the mean of the plain runs on either side of its group.
PLAIN_EVERY = 4

# Public routes (accounts/access.py) not walked, and why. Every other public route is walked;
# one with URL parameters needs its values in sample_pages(), or the run reports it as a
# missed target.
SKIP = {
    # Downloads of whole data sets, not pages (opendata's are measured by its own app).
    "opendata:dataset_csv": "a download (a whole data set as CSV)",
    "opendata:contracts_ocds": "a download (every contract as OCDS)",
    "opendata:spaces_geojson": "a download (every space as GeoJSON)",
    "committees:equity_csv": "a download (the equity table as CSV)",
    # Links sent by e-mail, each with a token made for one person when the e-mail is sent.
    "alerts:confirm": "e-mailed link with a signed one-person token",
    "alerts:unsubscribe": "e-mailed link with a one-person token",
    "alerts:unsubscribe_all": "e-mailed link with a one-person token",
    "complaints:follow_confirm": "e-mailed link with a signed one-person token",
    "complaints:unfollow": "e-mailed link with a one-person token",
    "complaints:fixed_answer": "e-mailed link with a signed one-person token",
    "guardians:welcome": "e-mailed link with a one-person password token",
    "privacy:complaint_request_confirm": "e-mailed link with a signed one-person token",
    # Targets of forms that only POST: a GET answers 405.
    "complaints:follow": "POST only (the complaint page's follow form posts here)",
    "accounts:logout": "POST only",
    "set_language": "POST only (the language switcher)",
    # Not pages.
    "media": "uploaded files, served by the web server in production",
    "healthz": "the load balancer's health check",
    "guardians:service_worker": "the card form's service worker script (cached offline)",
}
# Public routes that answer a redirect, not a page: Open311's root to its discovery document,
# the tracking form's target to the complaint's page.
EXPECTED_STATUS = {"complaints:open311_root": 302, "complaints:track": 302}


TRANSACTION = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)


def query_count(queries: CaptureQueriesContext) -> int:
    """SQL statements run, not counting transaction control (BEGIN, COMMIT, savepoints)."""
    return sum(1 for query in queries.captured_queries if not TRANSACTION.match(query["sql"]))


def client(user=None) -> Client:
    browser = Client(HTTP_HOST=HOST)
    if user is not None:
        browser.force_login(user)
    return browser


def _names(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            if pattern.namespace == "admin":
                continue
            yield from _names(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", pattern


def public_routes() -> dict[str, URLPattern | None]:
    """Every route accounts/access.py opens to anonymous visitors, with its URL pattern (None
    when this configuration does not route it)."""
    from accounts.access import public_names

    patterns = dict(_names(get_resolver()))
    return {name: patterns.get(name) for name in sorted(public_names())}


def sample_pages(place) -> dict[str, list[tuple[str, dict, dict]]]:
    """The pages to walk of the public routes that need URL parameters (or, for a few without,
    a query string to answer a page rather than a 400): by route name, a list of ``(variant,
    URL kwargs, query)``; the variant tells apart the pages of one route (the map layers).
    The values come from the generated data and its samples (generate_public_samples)."""
    from committees.models import Allocation, CitizenCommittee, Forum, RegistrationCertificate
    from complaints.models import Complaint
    from contracts.models import Company, Contract
    from guardians.models import Visit
    from territory.layers import map_layers
    from territory.models import Colonia, PublicSpace, ServiceArea

    colonia = Colonia.objects.for_municipality(place).order_by("name").first()
    space = PublicSpace.objects.filter(municipality=place).order_by("code").first()
    area = (
        ServiceArea.objects.for_municipality(place)
        .filter(service_type__code="garbage")
        .order_by("code")
        .first()
    )
    complaint = Complaint.public_objects.filter(municipality=place).order_by("id").first()
    contract = Contract.objects.filter(municipality=place).order_by("id").first()
    committee = CitizenCommittee.objects.for_municipality(place).order_by("id").first()
    forum = Forum.objects.for_municipality(place).order_by("starts_at").first()  # the held one
    allocation = (
        Allocation.objects.filter(municipality=place, committee=committee).order_by("id").first()
    )
    certificate = RegistrationCertificate.objects.filter(committee=committee).first()
    visit = Visit.objects.for_municipality(place).exclude(brief_token=None).first()
    if None in (colonia, area, committee, forum, allocation, certificate, visit):
        sys.exit("The public pages' samples are missing: generate the tier with samples=True.")
    west, south, east, north = generate.viewport_bbox()
    viewport = {"bbox": f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}", "zoom": 13}
    here = {"lat": f"{generate.CENTER_LAT:.6f}", "lon": f"{generate.CENTER_LON:.6f}"}
    json = {"fmt": "json"}

    def one(**kwargs) -> list[tuple[str, dict, dict]]:
        return [("", kwargs, {})]

    return {
        "territory:space_detail": one(code=space.code),
        "territory:colonia_detail": one(pk=colonia.pk),
        "territory:area_detail": one(pk=area.pk),
        # Every layer of the map, with what the map asks for: a city viewport at zoom 13.
        "territory:layer_geojson": [
            (layer.key, {"key": layer.key}, viewport) for layer in map_layers()
        ],
        "territory:spaces_geojson": [("", {}, viewport)],
        "territory:spaces_nearest": [("", {}, here)],
        "territory:layers_nearest": [
            ("every layer", {}, {**here, "layer": [layer.key for layer in map_layers()]})
        ],
        "complaints:detail": one(code=complaint.code),
        "complaints:nearby": [("", {}, {**here, "service": "garbage"})],
        "complaints:track": [("", {}, {"code": complaint.code})],
        "complaints:open311_discovery": one(**json),
        "complaints:open311_services": one(**json),
        "complaints:open311_service": one(code="garbage", **json),
        "complaints:open311_requests": one(**json),
        "complaints:open311_request": one(code=complaint.code, **json),
        "complaints:open311_token": one(token=str(complaint.token), **json),
        "contracts:contract_detail": one(pk=contract.pk),
        "contracts:company_detail": one(
            pk=Company.objects.filter(municipality=place).order_by("id").first().pk
        ),
        "opendata:contract_ocds": one(pk=contract.pk),
        "alerts:follow_space": one(code=space.code),
        "alerts:follow_area": one(pk=area.pk),
        "alerts:follow_colonia": one(pk=colonia.pk),
        "alerts:space_feed": one(code=space.code),
        "alerts:area_feed": one(pk=area.pk),
        "alerts:colonia_feed": one(pk=colonia.pk),
        "alerts:colonia_service_feed": one(pk=colonia.pk, service="garbage"),
        "committees:committee_detail": one(pk=committee.pk),
        "committees:forum_detail": one(pk=forum.pk),
        "committees:allocation_history": one(pk=allocation.pk),
        "committees:certificate_verify": one(code=certificate.code),
        "guardians:visit_brief": one(token=visit.brief_token),
    }


def page_label(name: str, variant: str) -> str:
    return f"{name} ({variant})" if variant else name


def public_query_counts(place) -> dict:
    """Every public route's pages, GET as an anonymous visitor with an empty cache: their
    status and query count; and the routes left out, skipped (SKIP, with the reason) or
    missing a sample (a missed target)."""
    from urllib.parse import urlencode

    from django.contrib.gis.db.models.fields import get_srid_info
    from django.core.cache import cache

    from territory.selectors import forget_municipality_hosts

    # A process reads an SRID's units once and keeps them (GeoDjango): the first distance
    # query of the first tier paid that read, so complaints:nearby counted 5 queries at city
    # and 4 after. A cold visitor means an empty cache, not a new process: read it first.
    get_srid_info(4326, connection)
    samples = sample_pages(place)
    rows, missing, skipped = [], [], {}
    for name, pattern in public_routes().items():
        if name in SKIP:
            skipped[name] = SKIP[name]
            continue
        if pattern is None:
            missing.append(f"{name} (not routed)")
            continue
        variants = samples.get(name)
        if variants is None:
            if pattern.pattern.regex.groups:
                missing.append(name)
                continue
            variants = [("", {}, {})]
        for variant, kwargs, query in variants:
            try:
                url = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                missing.append(page_label(name, variant))
                continue
            if query:
                url += "?" + urlencode(query, doseq=True)
            cache.clear()  # cold: the cost of the first visitor after a change
            forget_municipality_hosts()  # and each process's copy of the host map
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client().get(url)
                elapsed = (time.perf_counter() - start) * 1000
            rows.append(
                {
                    "name": name,
                    "label": page_label(name, variant),
                    "url": url,
                    "status": response.status_code,
                    "expected": EXPECTED_STATUS.get(name, 200),
                    "queries": query_count(queries),
                    "ms": elapsed,
                }
            )
    return {"rows": rows, "missing": missing, "skipped": skipped}


def timed(browser: Client, url: str, repetitions: int = 3) -> tuple[float, int]:
    """Median milliseconds of ``repetitions`` GETs after a warm-up, and the query count."""
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(repetitions):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = browser.get(url)
            samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples), query_count(queries)


def superuser():
    from accounts.models import User

    user, _ = User.objects.update_or_create(
        username="bench-admin",
        defaults={"is_staff": True, "is_superuser": True, "is_active": True},
    )
    return user


def staff_pages(place) -> dict:
    from guardians.models import Guardian

    admin = client(superuser())
    colonia_id = (
        Guardian.private_objects.filter(municipality=place)
        .order_by("colonia_id")
        .first()
        .colonia_id
    )
    return {
        "admin": timed(admin, "/admin/complaints/complaint/"),
        "inbox": timed(admin, reverse("complaints:inbox")),
        "impact": timed(admin, reverse("complaints:impact") + f"?colonia={colonia_id}&days=90"),
        "equity": timed(client(), reverse("committees:equity")),
    }


# --- gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, workers: int):
        self.workers = workers
        self.port = free_port()

    def __enter__(self):
        # The server runs with the project's gunicorn.conf.py (threaded workers that keep
        # connections alive, as deployed), less the access log.
        environment = {**os.environ, "DEBUG": "false", "GUNICORN_ACCESS_LOG": ""}
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "bench.wsgi_bench:application",
                f"--workers={self.workers}",
                f"--bind={HOST}:{self.port}",
                "--log-level=warning",
                "--timeout=120",
            ],
            cwd=ROOT,
            env=environment,
        )
        for _ in range(100):
            try:
                self.get("/bench/plain")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        return self

    def get(self, path: str) -> int:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        conn.request("GET", path, headers={"Host": HOST})
        status = conn.getresponse().status
        conn.close()
        return status

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(
    port: int,
    path: str,
    seconds: int,
    *,
    threads: int = PAGE_WRK_THREADS,
    connections: int = PAGE_CONNECTIONS,
    script: Path | None = None,
    environment: dict | None = None,
) -> float:
    """Requests per second of ``seconds`` of wrk. Without a script, a response other than 2xx
    or 3xx is an error (a script counts the statuses itself)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout=10s"]
    command += ["-H", f"Host: {HOST}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, f"http://{HOST}:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if script is None and errors:
        total = re.search(r"(\d+) requests in", output).group(1)
        raise RuntimeError(f"{errors.group(1)} of {total} responses were errors")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


PLAIN = "/bench/plain"


def page_ratios(
    pages: list[tuple[str, str]], rounds: int = PAGE_ROUNDS, seconds: int = PAGE_ROUND_SECONDS
) -> dict:
    """Requests per second of each page (label, path) under gunicorn against the plain view's
    in the same server (bench/wsgi_bench.py). In each round the plain view runs before every
    PLAIN_EVERY pages and after the last, so that a busy moment of the shared machine falls on
    both alike: a page's ratio in a round is its rate over the mean of the plain runs on either
    side of its group, and its ratio is the median of its rounds'. Each round starts at
    another place of the list. A page that answers an error gets no rate."""
    rates: dict[str, dict[str, list[float]]] = {
        label: {"rps": [], "plain": [], "ratios": []} for label, _path in pages
    }
    errors: dict[str, str] = {}
    with Gunicorn(workers=PAGE_WORKERS) as server:
        for label, path in [("plain", PLAIN), *pages]:  # warm-up: every worker fills its caches
            try:
                wrk(server.port, path, 1)
            except RuntimeError as error:
                errors[label] = str(error)
        measured = [(label, path) for label, path in pages if label not in errors]
        for turn in range(rounds):
            shift = turn * len(measured) // rounds
            order = measured[shift:] + measured[:shift]
            before = wrk(server.port, PLAIN, seconds)
            for first in range(0, len(order), PLAIN_EVERY):
                group = {}
                for label, path in order[first : first + PLAIN_EVERY]:
                    try:
                        group[label] = wrk(server.port, path, seconds)
                    except RuntimeError as error:
                        errors[label] = str(error)
                after = wrk(server.port, PLAIN, seconds)
                reference = (before + after) / 2
                for label, rate in group.items():
                    rates[label]["rps"].append(rate)
                    rates[label]["plain"].append(reference)
                    rates[label]["ratios"].append(rate / reference)
                before = after
    return {
        label: {
            "rps": statistics.mean(rate["rps"]),
            "plain": statistics.mean(rate["plain"]),
            "ratio": statistics.median(rate["ratios"]),
        }
        if label not in errors
        else {"error": errors[label]}
        for label, rate in rates.items()
    }


# --- Open311 load ---------------------------------------------------------------------------

OPEN311_PATH = "/open311/v2/requests.json"
PLAIN_INSERT = "/bench/insert"


def _wrk_report(path: Path) -> dict:
    """What bench/open311_post.lua wrote: the accepted ids, the statuses, the percentiles."""
    codes: list[str] = []
    statuses: Counter[int] = Counter()
    figures: dict[str, int] = {}
    for line in path.read_text().splitlines():
        kind, *values = line.split()
        if kind == "code":
            codes.append(values[0])
        elif kind == "status":
            statuses[int(values[0])] += int(values[1])
        else:
            figures[kind] = int(values[0])
    return {"codes": codes, "statuses": statuses, **figures}


def open311_load(place, seconds: int = OPEN311_SECONDS, rounds: int = OPEN311_ROUNDS) -> dict:
    """Open311 ``POST requests`` against the plain insert (bench/wsgi_bench.py), in turn in
    one server: ``rounds`` runs of each, ``seconds`` in all for each (wrk with
    bench/open311_post.lua, the same bodies to both); then each accepted request's
    service_request_id is looked up among the stored rows."""
    import tempfile

    from complaints.models import Complaint
    from complaints.services import open311_key_create

    client_row, key = open311_key_create(municipality=place, name=f"bench {time.time():.0f}")
    west, south, east, north = generate.viewport_bbox()
    runs: dict[str, list[dict]] = {"plain": [], "open311": []}
    with tempfile.TemporaryDirectory() as folder, Gunicorn(workers=OPEN311_WORKERS) as server:

        def post(kind: str, path: str, duration: int) -> dict:
            out = Path(folder) / f"{kind}.txt"
            environment = {
                **os.environ,
                "BENCH_PATH": path,
                "BENCH_KEY": key,
                "BENCH_OUT": str(out),
                "BENCH_WEST": str(west),
                "BENCH_SOUTH": str(south),
                "BENCH_EAST": str(east),
                "BENCH_NORTH": str(north),
            }
            wrk(
                server.port,
                "",
                duration,
                threads=OPEN311_WRK_THREADS,
                connections=OPEN311_CONNECTIONS,
                script=ROOT / "bench" / "open311_post.lua",
                environment=environment,
            )
            return _wrk_report(out)

        for kind, path in (("plain", PLAIN_INSERT), ("open311", OPEN311_PATH)):
            post(kind, path, 2)  # warm-up: connections, caches, the key
        warm = set(
            Complaint.private_objects.filter(open311_client=client_row).values_list(
                "code", flat=True
            )
        )
        for _ in range(rounds):
            runs["plain"].append(post("plain", PLAIN_INSERT, seconds // rounds))
            runs["open311"].append(post("open311", OPEN311_PATH, seconds // rounds))
    codes = [code for run in runs["open311"] for code in run["codes"]]
    plain = sum(len(run["codes"]) for run in runs["plain"])
    statuses = sum((run["statuses"] for run in runs["open311"]), Counter())
    stored = (
        set(
            Complaint.private_objects.filter(open311_client=client_row).values_list(
                "code", flat=True
            )
        )
        - warm
    )
    duration = seconds // rounds * rounds
    return {
        "seconds": duration,
        "rounds": rounds,
        "requests": sum(run["requests"] for run in runs["open311"]),
        "accepted": len(codes),
        "accepted_stored": len(set(codes) & stored),
        "statuses": dict(statuses),
        "stored": len(stored),
        "rps": len(codes) / duration,
        "plain_rps": plain / duration,
        "ratio": len(codes) / plain if plain else 0.0,
        # wrk reports microseconds; of the rounds, the middle p50 and the worst p99.
        "p50": statistics.median(run["p50"] for run in runs["open311"]) / 1000,
        "p99": max(run["p99"] for run in runs["open311"]) / 1000,
        "plain_p99": max(run["p99"] for run in runs["plain"]) / 1000,
    }


# --- Report ---------------------------------------------------------------------------------


def versions() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
        cursor.execute("SELECT postgis_lib_version()")
        postgis = cursor.fetchone()[0]
    return f"PostgreSQL {postgres}, PostGIS {postgis}"


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
    except OSError:
        return "?"


MISSED: list[str] = []


def mark(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def verdict(ok: bool, measure: str) -> str:
    """A target's result; a missed one is remembered (the run exits 1)."""
    if not ok:
        MISSED.append(measure)
    return mark(ok)


def counted(items) -> str:
    """How many, and which: ``2 (`a`, `b`)``."""
    items = list(items)
    return f"{len(items)} ({', '.join(items)})" if items else "0"


def below_limit(limit: float, value: float) -> float:
    """The ratio to a lower limit (limit/value): above 1 is a miss, as for an upper one."""
    return limit / value if value else float("inf")


def _row(measure: str, value: str, limit: str, ratio: float | None, ok: bool) -> str:
    shown = "" if ratio is None else f"{ratio:.2f}"
    return f"| {measure} | {value} | {limit} | {shown} | {verdict(ok, measure)} |"


def markdown(
    command: str,
    generated: dict,
    counts: dict,
    pages: dict | None,
    rates: dict | None,
    load: dict | None,
    main_tier: str,
    timing: dict,
) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    tiers = list(counts)
    lines = [
        "## Performance at scale",
        "",
        f"`{command}` on {now}, commit `{commit()}`, {versions()}, on a shared 2-core VM "
        "where other jobs ran at the same time: single runs vary by ±20 %.",
        "",
        "Data from `bench/generate.py --tier … --samples` (COPY for spaces, `INSERT … SELECT "
        "generate_series` for the rest, and through the apps' services a few rows of each kind "
        "the public pages with URL parameters show: garbage routes and street-lighting areas, "
        "a registered committee with its certificate, forums, an allocation, public works, a "
        "planned visit), all in one municipality:",
        "",
        "| tier | spaces | colonias | complaints | card answers | generated in |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for tier, result in generated.items():
        sizes = result["sizes"]
        lines.append(
            f"| {tier} | {sizes['spaces']:,} | {sizes['colonia_grid'] ** 2:,} | "
            f"{sizes['complaints']:,} | {sizes['answers']:,} | "
            f"{result['timings']['total']:.0f} s |"
        )
    lines += ["", "### Results", ""]
    lines += ["| measure | value | limit | ratio to limit | result |", "|---|---:|---:|---:|---|"]
    by_tier = {
        t: {r["label"]: r for r in counts[t]["rows"] if r["status"] == r["expected"]} for t in tiers
    }
    for tier in tiers:
        worst = max(by_tier[tier].values(), key=lambda r: r["queries"])
        lines.append(
            _row(
                f"most queries of a public page, {tier} ({len(by_tier[tier])} pages; "
                f"`{worst['label']}`)",
                str(worst["queries"]),
                str(MAX_QUERIES),
                worst["queries"] / MAX_QUERIES,
                worst["queries"] <= MAX_QUERIES,
            )
        )
    if len(tiers) > 1:
        names = sorted(set().union(*by_tier.values()))
        changed = [
            name
            for name in names
            if len({by_tier[t].get(name, {}).get("queries") for t in tiers}) > 1
        ]
        lines.append(
            _row(
                f"public pages whose query count changes between tiers ({', '.join(tiers)})",
                counted(f"`{name}`" for name in changed),
                "0",
                None,
                not changed,
            )
        )
    missing = sorted({name for t in tiers for name in counts[t]["missing"]})
    lines.append(
        _row(
            "public routes with URL parameters and no sample (bench_scale.py `sample_pages`, "
            "or `SKIP` with the reason)",
            counted(f"`{name}`" for name in missing),
            "0",
            None,
            not missing,
        )
    )
    unanswered = [
        f"`{r['label']}` {r['status']} at {t}"
        for t in tiers
        for r in counts[t]["rows"]
        if r["status"] != r["expected"]
    ]
    lines.append(
        _row(
            "public pages walked that did not answer 200 (or their redirect)",
            counted(unanswered),
            "0",
            None,
            not unanswered,
        )
    )
    if "metro" in generated and generated["metro"]["timings"]["total"]:
        seconds = generated["metro"]["timings"]["total"]
        lines.append(
            _row(
                "generating the metro tier (`bench/generate.py --tier metro --samples`)",
                f"{seconds:.0f} s",
                f"{METRO_GENERATE_LIMIT_S} s",
                seconds / METRO_GENERATE_LIMIT_S,
                seconds <= METRO_GENERATE_LIMIT_S,
            )
        )
    labels = {
        "admin": ("admin complaint changelist", PAGE_LIMIT_MS),
        "inbox": ("directorate inbox (`complaints:inbox`)", PAGE_LIMIT_MS),
        "impact": (
            "before/after impact report (`complaints:impact`, one colonia)",
            REPORT_LIMIT_MS,
        ),
        "equity": ("equity page (`committees:equity`)", REPORT_LIMIT_MS),
    }
    for key, (label, limit) in labels.items():
        if pages and key in pages:
            ms, queries = pages[key]
            lines.append(
                _row(
                    f"{label}, {main_tier}, median of 3 ({queries} queries)",
                    f"{ms:.0f} ms",
                    f"{limit} ms",
                    ms / limit,
                    ms <= limit,
                )
            )
    rate_setup = (
        f"gunicorn {PAGE_WORKERS} workers, wrk {PAGE_WRK_THREADS} threads and "
        f"{PAGE_CONNECTIONS} connections, {timing['page_rounds']} round(s) of "
        f"{timing['page_seconds']} s a page, the plain view before every {PLAIN_EVERY} pages"
    )
    if rates:
        ratios = {label: rate["ratio"] for label, rate in rates.items() if "ratio" in rate}
        below = [label for label, rate in rates.items() if rate.get("ratio", 0) < RPS_RATIO_LIMIT]
        worst_label = min(ratios, key=ratios.__getitem__) if ratios else "none measured"
        worst = ratios.get(worst_label, 0.0)
        lines.append(
            _row(
                f"lowest requests/s of a public page over the plain Django view's, {main_tier} "
                f"({len(rates)} pages, {len(below)} below the limit or answering errors; "
                f"`{worst_label}`; {rate_setup}; every page in the table below)",
                f"{worst:.2f}",
                f"≥ {RPS_RATIO_LIMIT}",
                below_limit(RPS_RATIO_LIMIT, worst),
                not below,
            )
        )
    if load:
        lines.append(
            _row(
                f"Open311 `POST requests` over a plain view that inserts one complaint row "
                f"through the ORM (bench/wsgi_bench.py), accepted requests/s, {main_tier} "
                f"(gunicorn {OPEN311_WORKERS} workers, wrk {OPEN311_WRK_THREADS} threads and "
                f"{OPEN311_CONNECTIONS} connections, {load['rounds']} rounds of "
                f"{load['seconds'] // load['rounds']} s of each in turn, {load['seconds']} s in "
                f"all): {load['rps']:.0f}/s vs {load['plain_rps']:.0f}/s",
                f"{load['ratio']:.2f}",
                f"≥ {OPEN311_RATIO_LIMIT}",
                below_limit(OPEN311_RATIO_LIMIT, load["ratio"]),
                load["ratio"] >= OPEN311_RATIO_LIMIT,
            )
        )
        lines.append(
            _row(
                f"Open311 `POST requests`, p99 latency, the worst round's (p50 {load['p50']:.0f} "
                f"ms; the plain insert's p99 {load['plain_p99']:.0f} ms)",
                f"{load['p99']:.0f} ms",
                f"{OPEN311_P99_MS} ms",
                load["p99"] / OPEN311_P99_MS,
                load["p99"] <= OPEN311_P99_MS,
            )
        )
        lines.append(
            _row(
                f"Open311 accepted responses found stored, by service_request_id "
                f"({load['requests']:,} answered, statuses {load['statuses']}; {load['stored']:,} "
                f"rows, the rest in flight when wrk stopped)",
                f"{load['accepted_stored']:,} of {load['accepted']:,}",
                "all",
                None,
                load["accepted_stored"] == load["accepted"],
            )
        )
    lines += ["", "### Queries of every public page", ""]
    lines += [
        "| page | "
        + " | ".join(f"queries, {t}" for t in tiers)
        + " | limit | ratio to limit | result (within the limit, the same at every tier) |"
    ]
    lines += ["|---|" + "---:|" * len(tiers) + "---:|---:|---|"]
    every = {t: {r["label"]: r for r in counts[t]["rows"]} for t in tiers}
    for label in sorted(set().union(*every.values())):
        found = [every[t].get(label) for t in tiers]
        values = [
            "–"
            if r is None
            else str(r["queries"])
            if r["status"] == r["expected"]
            else f"{r['queries']} ({r['status']})"
            for r in found
        ]
        queries = [r["queries"] for r in found if r is not None]
        ok = (
            all(r is not None and r["status"] == r["expected"] for r in found)
            and max(queries) <= MAX_QUERIES
            and len(set(queries)) == 1
        )
        lines.append(
            f"| `{label}` | {' | '.join(values)} | {MAX_QUERIES} | "
            f"{max(queries) / MAX_QUERIES:.2f} | {mark(ok)} |"
        )
    skipped = counts[tiers[-1]]["skipped"]
    lines += [
        "",
        "Every route that accounts/access.py opens to anonymous visitors is walked, but these: "
        + "; ".join(f"`{name}`, {reason}" for name, reason in sorted(skipped.items()))
        + ". Query counts are taken with an empty cache (the first visitor after a change) and "
        "do not count BEGIN/COMMIT. The map layers are asked for a city viewport at zoom 13, "
        "as the map does.",
    ]
    if rates:
        lines += ["", f"### Requests per second of every public page, {main_tier}", ""]
        lines += [
            f"Each page against the plain Django view in the same server ({rate_setup}; a "
            "page's ratio is the median of its rounds', each over the plain runs on either "
            "side of its group).",
            "",
            "| page | requests/s | plain view, requests/s | ratio | limit | ratio to limit | "
            "result |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for label, rate in sorted(rates.items()):
            if "error" in rate:
                lines.append(
                    f"| `{label}` | {rate['error']} | | | ≥ {RPS_RATIO_LIMIT} | | {mark(False)} |"
                )
                continue
            ratio = rate["ratio"]
            lines.append(
                f"| `{label}` | {rate['rps']:.0f} | {rate['plain']:.0f} | {ratio:.2f} | "
                f"≥ {RPS_RATIO_LIMIT} | {below_limit(RPS_RATIO_LIMIT, ratio):.2f} | "
                f"{mark(ratio >= RPS_RATIO_LIMIT)} |"
            )
    lines += [
        "",
        "Admin pages are timed as a signed-in superuser with the second factor off "
        "(`OTP_REQUIRED_FOR_STAFF=false`: it is checked once per session, not per page); the "
        "Open311 load uses one API key whose rate limit is raised "
        "(`OPEN311_POST_RATE=60000/m`), as for a 072 call centre. Reconciliation of 1,000,000 "
        "card answers: see the section above (bench_reconcile.py). Map GeoJSON: see the first "
        "section (bench_map.py). How these figures drive a national deployment, and where the "
        "time of the missed targets goes: docs/scaling.md. The ratio to the limit is "
        "value/limit for upper limits and limit/value for lower ones: above 1 is a miss either "
        "way.",
    ]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    write_section(section, START, END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tier",
        action="append",
        choices=sorted(generate.TIERS),
        help="tiers to measure, in order (default: city, metro, national)",
    )
    parser.add_argument(
        "--full-tier",
        choices=[*sorted(generate.TIERS), "none"],
        help="the tier that gets every measure, not only query counts (default: metro if "
        "measured, else the last; 'none': query counts only)",
    )
    parser.add_argument("--no-generate", action="store_true", help="reuse the data in place")
    parser.add_argument("--no-docs", action="store_true", help="print, do not write the docs")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short timed runs (1 round of 1 s per page, 10 s of Open311) to check the "
        "benchmark itself; never for the docs",
    )
    args = parser.parse_args()
    if args.quick and not args.no_docs:
        sys.exit("--quick figures are not for the docs: add --no-docs.")
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgis"):
        sys.exit("The benchmark needs PostGIS: set DATABASE_URL=postgis://…")
    if shutil.which("wrk") is None:
        sys.exit("The benchmark needs wrk: apt-get install -y wrk")
    from django.core.management import call_command

    generate.ensure_database()
    call_command("migrate", verbosity=0)
    setup_test_environment()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    tiers = args.tier or ["city", "metro", "national"]
    full_tier = args.full_tier or ("metro" if "metro" in tiers else tiers[-1])
    timing = {
        "page_rounds": 1 if args.quick else PAGE_ROUNDS,
        "page_seconds": 1 if args.quick else PAGE_ROUND_SECONDS,
        "open311_seconds": 10 if args.quick else OPEN311_SECONDS,
        "open311_rounds": 2 if args.quick else OPEN311_ROUNDS,
    }
    generated, counts = {}, {}
    pages = rates = load = None
    for tier in tiers:
        if args.no_generate:
            place = generate.tier_municipality()
            generated[tier] = {"sizes": generate.TIERS[tier], "timings": {"total": 0}}
        else:
            print(f"Generating {tier}…", flush=True)
            generated[tier] = generate.generate_tier(tier, samples=True)
            place = generated[tier]["municipality"]
            print(f"  {generated[tier]['timings']['total']:.0f} s", flush=True)
        counts[tier] = public_query_counts(place)
        for row in counts[tier]["rows"]:
            status = "" if row["status"] == row["expected"] else f"  status {row['status']}!"
            print(f"  {row['label']:48} {row['queries']:3} queries {row['ms']:8.0f} ms{status}")
        for name in counts[tier]["missing"]:
            print(f"  {name:48} NO SAMPLE: add it to sample_pages() or SKIP")
        if tier == full_tier:
            pages = staff_pages(place)
            print("  pages:", {k: f"{ms:.0f} ms / {q} q" for k, (ms, q) in pages.items()})
            walked = [
                (row["label"], row["url"])
                for row in counts[tier]["rows"]
                if row["status"] == row["expected"]
            ]
            rates = page_ratios(walked, timing["page_rounds"], timing["page_seconds"])
            for label, rate in rates.items():
                shown = rate.get("error") or (
                    f"{rate['rps']:6.0f}/s vs plain {rate['plain']:6.0f}/s: {rate['ratio']:.2f}"
                )
                print(f"  {label:48} {shown}", flush=True)
            load = open311_load(place, timing["open311_seconds"], timing["open311_rounds"])
            print("  open311:", load, flush=True)
    command = (
        "DATABASE_URL=postgis://…/villaguard_perf REDIS_URL=redis://…/14 "
        "REDIS_CACHE_URL=redis://…/15 .venv/bin/python bench/bench_scale.py"
    )
    if args.tier:
        command += "".join(f" --tier {t}" for t in args.tier)
    if args.full_tier:
        command += f" --full-tier {args.full_tier}"
    if args.quick:
        command += " --quick"
    section = markdown(command, generated, counts, pages, rates, load, full_tier, timing)
    if args.no_docs:
        print(section)
    else:
        write_docs(section)
        print(f"Written to {DOCS.relative_to(ROOT)}")
    if MISSED:
        sys.exit(f"{len(MISSED)} target(s) missed:\n" + "\n".join(f"- {m}" for m in MISSED))


if __name__ == "__main__":
    main()
