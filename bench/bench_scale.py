"""Performance at city, metropolitan and national scale: query counts, page times, throughput.

For each tier of bench/generate.py (by default city, metro and national, in that order; each
replaces the previous one's data): the number of SQL queries of every public list and detail
page (walking the public URL names with Django's test Client and CaptureQueriesContext). On
the metro tier (``--full-tier``) also: the admin complaint changelist, the directorate inbox,
the before/after impact report and the equity page (median of 3), requests per second of a
space page under gunicorn (2 workers) against a plain Django view in the same server (wrk,
in turn), and Open311 ``POST requests`` for 60 s (wrk with bench/open311_post.lua against
gunicorn with 4 workers; then every accepted request is looked up among the stored rows).
Writes the table to docs/benchmarks.md between <!-- scale:start --> and <!-- scale:end -->.

    DATABASE_URL=postgis://…/villaguard_perf REDIS_URL=redis://…/14 \\
    REDIS_CACHE_URL=redis://…/15 .venv/bin/python bench/bench_scale.py

(``make bench`` runs it so, after the map and reconciliation benchmarks.)
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

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse  # noqa: E402

from bench import generate  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- scale:start -->", "<!-- scale:end -->"
HOST = "127.0.0.1"
MAX_QUERIES = 10
PAGE_LIMIT_MS = 500
REPORT_LIMIT_MS = 1000
RPS_RATIO_LIMIT = 0.5
METRO_GENERATE_LIMIT_S = 300
OPEN311_RATE = 200
OPEN311_P99_MS = 250
OPEN311_SECONDS = 60
OPEN311_WORKERS = 4
OPEN311_WRK_THREADS = 2
OPEN311_CONNECTIONS = 8
# Public pages not walked: downloads of whole data sets (opendata, measured by its own app),
# forms that only POST, and the service worker script.
SKIP = {
    "opendata:dataset_csv",
    "opendata:contracts_ocds",
    "opendata:spaces_geojson",
    "committees:equity_csv",
    "guardians:service_worker",
    "accounts:logout",
    "javascript-catalog",
    "set_language",
    "healthz",
}


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


def sample_kwargs(place) -> dict:
    """Values for the URL parameters of detail pages, from the generated data."""
    from complaints.models import Complaint
    from contracts.models import Company, Contract
    from territory.models import PublicSpace

    space = PublicSpace.objects.filter(municipality=place).order_by("code").first()
    complaint = Complaint.public_objects.filter(municipality=place).order_by("id").first()
    return {
        "territory:space_detail": {"code": space.code},
        "complaints:detail": {"code": complaint.code},
        "contracts:contract_detail": {
            "pk": Contract.objects.filter(municipality=place).order_by("id").first().pk
        },
        "contracts:company_detail": {
            "pk": Company.objects.filter(municipality=place).order_by("id").first().pk
        },
    }


def public_query_counts(place) -> list[dict]:
    """Every named URL an anonymous visitor gets a 200 from with GET, and its query count."""
    from django.core.cache import cache

    from territory.selectors import forget_municipality_hosts

    kwargs = sample_kwargs(place)
    rows = []
    for name, pattern in sorted(_names(get_resolver())):
        if name in SKIP:
            continue
        if pattern.pattern.regex.groups:
            if name not in kwargs:
                continue
            url = reverse(name, kwargs=kwargs[name])
        else:
            try:
                url = reverse(name)
            except NoReverseMatch:  # a format suffix or an optional group
                continue
        cache.clear()  # cold: the cost of the first visitor after a change
        forget_municipality_hosts()  # and each process's copy of the host map
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client().get(url)
            elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            continue
        rows.append({"name": name, "url": url, "queries": query_count(queries), "ms": elapsed})
    return rows


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


def wrk(port: int, path: str, seconds: int = 10) -> float:
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "-H",
            f"Host: {HOST}",
            f"http://{HOST}:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{path} answered errors:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


RPS_ROUNDS = 5
RPS_ROUND_SECONDS = 2


def space_page_ratio(place) -> dict:
    """Both paths in turn, RPS_ROUNDS rounds of RPS_ROUND_SECONDS each, so that a busy moment
    of the shared machine falls on both alike; the ratio is the median of the rounds'."""
    from territory.models import PublicSpace

    code = PublicSpace.objects.filter(municipality=place).order_by("code").first().code
    plain, space = [], []
    with Gunicorn(workers=2) as server:
        assert server.get(f"/spaces/{code}/") == 200
        for path in ("/bench/plain", f"/spaces/{code}/"):
            wrk(server.port, path, 2)  # warm-up: each worker connects and fills its caches
        for _ in range(RPS_ROUNDS):
            plain.append(wrk(server.port, "/bench/plain", RPS_ROUND_SECONDS))
            space.append(wrk(server.port, f"/spaces/{code}/", RPS_ROUND_SECONDS))
    return {
        "plain": statistics.mean(plain),
        "space": statistics.mean(space),
        "ratio": statistics.median(s / p for s, p in zip(space, plain, strict=True)),
    }


# --- Open311 load ---------------------------------------------------------------------------


def open311_load(place, seconds: int = OPEN311_SECONDS) -> dict:
    """wrk posts for ``seconds`` (bench/open311_post.lua); then each accepted request's
    service_request_id is looked up among the stored rows."""
    import tempfile

    from complaints.models import Complaint
    from complaints.services import open311_key_create

    client_row, key = open311_key_create(municipality=place, name=f"bench {time.time():.0f}")
    west, south, east, north = generate.viewport_bbox()
    with tempfile.TemporaryDirectory() as folder, Gunicorn(workers=OPEN311_WORKERS) as server:
        out = Path(folder) / "open311.txt"
        environment = {
            **os.environ,
            "BENCH_KEY": key,
            "BENCH_OUT": str(out),
            "BENCH_WEST": str(west),
            "BENCH_SOUTH": str(south),
            "BENCH_EAST": str(east),
            "BENCH_NORTH": str(north),
        }
        started = time.perf_counter()
        subprocess.run(
            [
                "wrk",
                f"-t{OPEN311_WRK_THREADS}",
                f"-c{OPEN311_CONNECTIONS}",
                f"-d{seconds}s",
                "--timeout=10s",
                "-s",
                str(ROOT / "bench" / "open311_post.lua"),
                f"http://{HOST}:{server.port}",
            ],
            env=environment,
            capture_output=True,
            check=True,
        )
        elapsed = time.perf_counter() - started
        report = out.read_text().splitlines()
    codes, statuses, figures = [], {}, {}
    for line in report:
        kind, *values = line.split()
        if kind == "code":
            codes.append(values[0])
        elif kind == "status":
            statuses[int(values[0])] = statuses.get(int(values[0]), 0) + int(values[1])
        else:
            figures[kind] = int(values[0])
    stored = set(
        Complaint.private_objects.filter(open311_client=client_row).values_list("code", flat=True)
    )
    return {
        "requests": figures["requests"],
        "accepted": len(codes),
        "accepted_stored": len(set(codes) & stored),
        "statuses": statuses,
        "stored": len(stored),
        "seconds": elapsed,
        "rps": len(codes) / seconds,
        "p50": figures["p50"] / 1000,  # wrk reports microseconds
        "p99": figures["p99"] / 1000,
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


def verdict(ok: bool) -> str:
    if not ok:
        MISSED.append("missed")
    return "pass" if ok else "**FAIL**"


def markdown(
    command: str, generated: dict, counts: dict, pages: dict, rps, load, main_tier: str
) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    tiers = list(counts)
    lines = [
        "## Performance at scale",
        "",
        f"`{command}` on {now}, commit `{commit()}`, {versions()}, on a shared 2-core VM "
        "where other jobs ran at the same time: single runs vary by ±20 %.",
        "",
        "Data from `bench/generate.py --tier …` (COPY for spaces, `INSERT … SELECT "
        "generate_series` for the rest), all in one municipality:",
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
    for tier in tiers:
        worst = max(counts[tier], key=lambda r: r["queries"])
        lines.append(
            f"| most queries of a public page, {tier} ({len(counts[tier])} pages; "
            f"`{worst['name']}`) | {worst['queries']} | {MAX_QUERIES} | "
            f"{worst['queries'] / MAX_QUERIES:.2f} | {verdict(worst['queries'] <= MAX_QUERIES)} |"
        )
    if len(tiers) > 1:
        per_tier = [{r["name"]: r["queries"] for r in counts[t]} for t in tiers]
        changed = sorted(
            name
            for name in per_tier[0]
            if len({queries.get(name, per_tier[0][name]) for queries in per_tier}) > 1
        )
        lines.append(
            f"| public pages whose query count changes between tiers ({', '.join(tiers)}) | "
            f"{len(changed)}{' (' + ', '.join(changed) + ')' if changed else ''} | 0 | | "
            f"{verdict(not changed)} |"
        )
    if "metro" in generated and generated["metro"]["timings"]["total"]:
        seconds = generated["metro"]["timings"]["total"]
        lines.append(
            f"| generating the metro tier (`bench/generate.py --tier metro`) | {seconds:.0f} s | "
            f"{METRO_GENERATE_LIMIT_S} s | {seconds / METRO_GENERATE_LIMIT_S:.2f} | "
            f"{verdict(seconds <= METRO_GENERATE_LIMIT_S)} |"
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
        if key in pages:
            ms, queries = pages[key]
            lines.append(
                f"| {label}, {main_tier}, median of 3 ({queries} queries) | {ms:.0f} ms | "
                f"{limit} ms | {ms / limit:.2f} | {verdict(ms <= limit)} |"
            )
    if rps:
        lines.append(
            f"| space page vs plain Django view, requests/s under gunicorn (2 workers, wrk 8 "
            f"connections, {RPS_ROUNDS} rounds of {RPS_ROUND_SECONDS} s each in turn, median "
            f"ratio): {rps['space']:.0f} vs {rps['plain']:.0f} | "
            f"{rps['ratio']:.2f} | ≥ {RPS_RATIO_LIMIT} | {RPS_RATIO_LIMIT / rps['ratio']:.2f} | "
            f"{verdict(rps['ratio'] >= RPS_RATIO_LIMIT)} |"
        )
    if load:
        lines.append(
            f"| Open311 `POST requests`, accepted per second over {load['seconds']:.0f} s "
            f"(gunicorn {OPEN311_WORKERS} workers, wrk {OPEN311_CONNECTIONS} connections) | "
            f"{load['rps']:.0f}/s | "
            f"≥ {OPEN311_RATE}/s | {OPEN311_RATE / load['rps']:.2f} | "
            f"{verdict(load['rps'] >= OPEN311_RATE)} |"
        )
        lines.append(
            f"| Open311 `POST requests`, p99 latency (p50 {load['p50']:.0f} ms) | "
            f"{load['p99']:.0f} ms | {OPEN311_P99_MS} ms | {load['p99'] / OPEN311_P99_MS:.2f} | "
            f"{verdict(load['p99'] <= OPEN311_P99_MS)} |"
        )
        lines.append(
            f"| Open311 accepted responses found stored, by service_request_id "
            f"({load['requests']:,} answered, statuses {load['statuses']}; {load['stored']:,} "
            f"rows, the rest in flight when wrk stopped) | {load['accepted_stored']:,} of "
            f"{load['accepted']:,} | all | | "
            f"{verdict(load['accepted_stored'] == load['accepted'])} |"
        )
    lines += ["", "### Queries of every public page", ""]
    lines += ["| page | " + " | ".join(f"queries, {t}" for t in tiers) + " |"]
    lines += ["|---|" + "---:|" * len(tiers)]
    by_tier = {t: {r["name"]: r["queries"] for r in counts[t]} for t in tiers}
    for name in sorted(set().union(*by_tier.values())):
        values = " | ".join(str(by_tier[t].get(name, "–")) for t in tiers)
        lines.append(f"| `{name}` | {values} |")
    lines += [
        "",
        "Query counts are taken with an empty cache (the first visitor after a change) and do "
        "not count BEGIN/COMMIT. Pages with URL parameters are walked when the generator makes "
        "their rows (spaces, complaints, contracts, companies); the exports of `opendata` and "
        "`equity.csv` are downloads, not pages, and are left out. Admin pages are timed as a "
        "signed-in superuser with the second factor off (`OTP_REQUIRED_FOR_STAFF=false`: it is "
        "checked once per session, not per page); the Open311 load uses one API key whose rate "
        "limit is raised (`OPEN311_POST_RATE=60000/m`), as for a 072 call centre.",
        "",
        "Reconciliation of 1,000,000 card answers: see the section above (bench_reconcile.py). "
        "Map GeoJSON: see the first section (bench_map.py). How these figures drive a national "
        "deployment, and where the time of the missed targets goes: docs/scaling.md. The ratio "
        "to the limit is value/limit for upper limits and limit/value for lower ones: above 1 "
        "is a miss either way.",
    ]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    text = DOCS.read_text()
    block = f"{START}\n{section}\n{END}"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        _, after = rest.split(END, 1)
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(text)


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
        choices=sorted(generate.TIERS),
        help="the tier that gets every measure, not only query counts (default: metro if "
        "measured, else the last)",
    )
    parser.add_argument("--no-generate", action="store_true", help="reuse the data in place")
    parser.add_argument("--no-docs", action="store_true", help="print, do not write the docs")
    args = parser.parse_args()
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
    generated, counts = {}, {}
    pages = rps = load = None
    for tier in tiers:
        if args.no_generate:
            place = generate.tier_municipality()
            generated[tier] = {"sizes": generate.TIERS[tier], "timings": {"total": 0}}
        else:
            print(f"Generating {tier}…", flush=True)
            generated[tier] = generate.generate_tier(tier)
            place = generated[tier]["municipality"]
            print(f"  {generated[tier]['timings']['total']:.0f} s", flush=True)
        counts[tier] = public_query_counts(place)
        for row in counts[tier]:
            print(f"  {row['name']:40} {row['queries']:3} queries {row['ms']:8.0f} ms")
        if tier == full_tier:
            pages = staff_pages(place)
            print("  pages:", {k: f"{ms:.0f} ms / {q} q" for k, (ms, q) in pages.items()})
            rps = space_page_ratio(place)
            print(f"  space page {rps['space']:.0f}/s, plain {rps['plain']:.0f}/s", flush=True)
            load = open311_load(place)
            print("  open311:", load, flush=True)
    command = (
        "DATABASE_URL=postgis://…/villaguard_perf REDIS_URL=redis://…/14 "
        "REDIS_CACHE_URL=redis://…/15 .venv/bin/python bench/bench_scale.py"
    )
    if args.tier:
        command += "".join(f" --tier {t}" for t in args.tier)
    if args.full_tier:
        command += f" --full-tier {args.full_tier}"
    section = markdown(command, generated, counts, pages, rps, load, full_tier)
    if args.no_docs:
        print(section)
    else:
        write_docs(section)
        print(f"Written to {DOCS.relative_to(ROOT)}")
    if MISSED:
        sys.exit(f"{len(MISSED)} target(s) missed: see the table.")


if __name__ == "__main__":
    main()
