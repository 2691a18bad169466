"""Mixed load with a real Celery worker: every kind of request at once, then every write and
every notification it owes checked row by row (issue #19, measure 3).

The portal runs as deployed: gunicorn with the project's gunicorn.conf.py (threaded workers,
keep-alive) and a Celery worker (``celery -A config worker``) on the same database and a Redis
broker of their own. Virtual users (bench/mixed/load.py: threads, one keep-alive connection
each) walk journeys at random for ``--seconds``: map viewports of every layer, space and
colonia pages, complaint form posts with a photo, Open311 posts, guardians' cards with a photo
(whose reconciliation the worker runs when the card is filed). Every response is recorded.
Then the worker is left to drain the queue (bounded), both servers are stopped, and
bench/mixed/checks.py looks up every accepted write and every notification it owes.

Targets: no response 5xx (nor without an answer), no accepted write lost, no notification
lost or doubled. A miss makes the benchmark exit 1, after writing every figure.

Data: the city tier of bench/generate.py (``--tier``), plus what the journeys need, made with
the project's services: the lighting service asks its category's questions, a Sindicatura
member and a directorate staff member with e-mail addresses (who are notified), an Open311 API
key, and the generated guardians signed in by session cookie. Writes the section to
docs/benchmarks.md between <!-- mixed:start --> and <!-- mixed:end -->.

    DATABASE_URL=postgis://…/villaguard_mixed REDIS_URL=redis://…/12 \\
    REDIS_CACHE_URL=redis://…/13 .venv/bin/python bench/bench_mixed.py

(``make bench`` runs it so, after the workspace benchmark.) Settings it changes, through the
environment the settings read: ``OPEN311_POST_RATE`` raised for the one API key (as
bench_scale.py does), ``TRUSTED_PROXY_COUNT=1`` so that each complaint comes from its own
client address (the form allows 10 posts an hour per address), ``MEDIA_ROOT`` and
``EMAIL_URL`` (file backend) in a temporary folder, where the photos and e-mails are checked.
"""

import argparse
import io
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- mixed:start -->", "<!-- mixed:end -->"
AFTER = "<!-- workspace:end -->"  # where the section goes the first time
HOST = "127.0.0.1"
DEFAULT_SECONDS = 60
DEFAULT_USERS = 8
WORKER_CONCURRENCY = 2
DRAIN_TIMEOUT_S = 180
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DEBUG": "false",
    "OTP_REQUIRED_FOR_STAFF": "false",
    # One API key posts the whole Open311 load, as a 072 call centre would.
    "OPEN311_POST_RATE": "60000/m",
    # Behind one trusted proxy: each complaint's X-Forwarded-For is its citizen's address.
    "TRUSTED_PROXY_COUNT": "1",
    "GUNICORN_ACCESS_LOG": "",
    "CELERY_TASK_ALWAYS_EAGER": "false",
}
DIRECTORATE_STAFF = ("mixed-directorate", "direccion.mixed@example.org")
SINDICATURA = ("mixed-sindicatura", "sindicatura.mixed@example.org")


# --- Data ---------------------------------------------------------------------------------------


def jpeg() -> bytes:
    """A small real photo: 640×480, a gradient under noise, as a phone's JPEG would be."""
    from PIL import Image

    gradient = Image.linear_gradient("L").resize((640, 480))
    noise = Image.effect_noise((640, 480), 24)
    image = Image.merge("RGB", (gradient, noise, gradient.rotate(180)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def staff_user(username: str, email: str, **fields):
    from accounts.models import User
    from accounts.services import user_create

    user = User.objects.filter(username=username).first()
    return user or user_create(
        username=username, password=None, email=email, skip_password_validation=True, **fields
    )


def prepare(place):
    """What the journeys need, beyond the tier; returns the users' plan and the rows the checks
    read."""
    from django.contrib.gis.db.models import Extent

    from accounts.models import Role
    from bench.bench_lighthouse import session_cookie
    from bench.mixed.load import Guardian, Plan
    from complaints.selectors import questions_by_service
    from complaints.services import open311_key_create, service_questions_seed
    from guardians.models import CardTemplate, CardTemplateItem
    from guardians.models import Guardian as GuardianRow
    from guardians.selectors import spaces_for_guardian
    from territory.layers import map_layers
    from territory.models import Colonia, Directorate, PublicSpace, ServiceType

    # A service that asks a required question (the lighting category's), on both intakes.
    lighting = ServiceType.objects.get(municipality=place, code="lighting")
    if lighting.category != ServiceType.Category.LIGHTING:
        lighting.category = ServiceType.Category.LIGHTING
        lighting.save(update_fields=["category"])
    service_questions_seed(service_type=lighting)

    directorate = Directorate.objects.get(
        municipality=place, name="Dirección de Servicios Públicos"
    )
    staff_user(*DIRECTORATE_STAFF, directorate=directorate, roles=[Role.DIRECTORATE_STAFF])
    staff_user(*SINDICATURA, municipality=place, roles=[Role.MUNICIPAL_STAFF])
    client, key = open311_key_create(municipality=place, name=f"bench mixed {time.time():.0f}")

    services = []
    questions = questions_by_service(municipality=place)
    for service in ServiceType.objects.for_municipality(place).order_by("pk"):
        answers = {}
        for question in questions.get(service.pk, []):
            answers[question.code] = question.choices[0][0] if question.choices else "1"
        services.append((service.pk, service.code, answers))

    template = (
        CardTemplate.objects.for_municipality(place).current().select_related("service_type").get()
    )
    items = list(
        template.items.filter(kind=CardTemplateItem.Kind.YES_NO).values_list("pk", flat=True)
    )
    guardians = []
    for guardian in (
        GuardianRow.private_objects.filter(municipality=place, status=GuardianRow.Status.ACTIVE)
        .select_related("user")
        .order_by("pk")
    ):
        watched = list(spaces_for_guardian(guardian=guardian).values_list("pk", flat=True))
        if watched:
            guardians.append(Guardian(guardian.pk, session_cookie(guardian.user.username), watched))

    spaces = PublicSpace.objects.filter(municipality=place)
    west, south, east, north = spaces.aggregate(extent=Extent("centroid"))["extent"]
    plan = Plan(
        port=0,  # the server's, once it runs
        host=HOST,
        layers=[(f"map: {layer.key}", layer.geojson_url()) for layer in map_layers()],
        extent=(west, south, east, north),
        space_codes=list(spaces.values_list("code", flat=True)),
        colonia_ids=list(Colonia.objects.filter(municipality=place).values_list("pk", flat=True)),
        services=services,
        open311_key=key,
        guardians=guardians,
        card_service_id=template.service_type_id,
        card_template_id=template.pk,
        card_item_ids=items,
        photo=jpeg(),
    )
    layer_rows = {layer.key: layer.rows(place).count() for layer in map_layers()}
    return plan, {"client": client, "template": template, "layer_rows": layer_rows}


# --- Worker -------------------------------------------------------------------------------------


class Worker:
    """``celery -A config worker`` with the benchmark's environment; stopped (warm shutdown,
    then killed with its pool) on leaving, whatever happened."""

    def __init__(self, log: Path, concurrency: int):
        self.log = log
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def __enter__(self):
        self.process = process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "config",
                "worker",
                f"--concurrency={self.concurrency}",
                "--loglevel=INFO",
                f"--logfile={self.log}",
                f"--hostname=bench-mixed-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            start_new_session=True,  # its own process group, so that the pool goes with it
        )
        try:
            for _ in range(600):
                if process.poll() is not None:
                    raise RuntimeError(f"the Celery worker exited: see {self.log}")
                if self.log.exists() and " ready." in self.log.read_text(errors="replace"):
                    return self
                time.sleep(0.1)
            raise RuntimeError("the Celery worker did not start in 60 s")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # warm shutdown: running tasks finish
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __exit__(self, *exc):
        self.stop()


def queued(broker) -> int:
    """Messages waiting in the broker's queues, and those a worker took but has not acknowledged
    (acks_late: a task's message stays unacknowledged until it ends)."""
    waiting = sum(
        broker.llen(key) for key in broker.scan_iter(match="celery*") if broker.type(key) == b"list"
    )
    return waiting + broker.hlen("unacked")


def drain(timeout: float) -> float:
    """Waits until the queue has stayed empty for a second; returns the seconds waited."""
    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    started = time.monotonic()
    empty_since = None
    while time.monotonic() - started < timeout:
        if queued(broker) == 0:
            empty_since = empty_since or time.monotonic()
            if time.monotonic() - empty_since >= 1:
                return empty_since - started
        else:
            empty_since = None
        time.sleep(0.2)
    raise TimeoutError(f"{queued(broker)} tasks still queued after {timeout:.0f} s")


# --- Figures ------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)] if ordered else 0.0


def per_kind(records, seconds: float, kinds: list[str]) -> list[dict]:
    rows = []
    for kind in [*kinds, "all"]:
        chosen = [r for r in records if kind == "all" or r.kind == kind]
        latencies = [r.ms for r in chosen]
        rows.append(
            {
                "kind": kind,
                "requests": len(chosen),
                "rps": len(chosen) / seconds,
                "p50": percentile(latencies, 50),
                "p99": percentile(latencies, 99),
                "failed": sum(1 for r in chosen if r.status == 0 or r.status >= 500),
                "refused": sum(1 for r in chosen if 400 <= r.status < 500),
                "kb": sum(r.size for r in chosen) / len(chosen) / 1024 if chosen else 0,
            }
        )
    return rows


def versions() -> str:
    from bench.bench_scale import versions as database_versions

    return database_versions()


def commit() -> str:
    from bench.bench_scale import commit as short_commit

    return short_commit()


def markdown(*, command, tier, sizes, setup, layer_rows, rows, lost, drained, tasks, checks) -> str:
    from bench.mixed.load import CARD_FAILURE_RATE, JOURNEYS

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    missed = [check for check in checks if not check.ok]
    journeys = ", ".join(f"{name} {weight}" for name, weight in JOURNEYS.items())
    lines = [
        "## Mixed load with a Celery worker",
        "",
        f"`{command}` on {now}, commit `{commit()}`, {versions()}, on a shared 2-core VM "
        "(single runs vary by ±20 %, more under load).",
        "",
        f"The {tier} tier of `bench/generate.py` ({sizes['spaces']:,} spaces, "
        f"{sizes['complaints']:,} complaints, {sizes['guardians']:,} guardians; the map layers' "
        "public rows at the start: "
        + ", ".join(f"{key} {count:,}" for key, count in layer_rows.items())
        + "). gunicorn with "
        f"the project's gunicorn.conf.py ({setup['web_workers']} workers) and one Celery worker "
        f"(`celery -A config worker --concurrency={setup['concurrency']}`, prefork) on a Redis "
        f"broker of its own. {setup['users']} virtual users (threads, one keep-alive connection "
        f"each, bench/mixed/load.py) walk journeys without pause for {setup['seconds']} s, "
        f"chosen by weight ({journeys}): a map viewport is the GeoJSON of every layer for one "
        "box at zoom 13–16; a complaint is the form (GET) and its post with a 640×480 JPEG "
        "and the service's questions answered; a card is the card form (GET, the guardian "
        "signed in by session cookie) and its post with a JPEG, each of its yes/no items "
        f"failing with probability {CARD_FAILURE_RATE}. Latencies are the client's, from "
        "sending the request to the last byte of the answer; the mean answer is its body, "
        "uncompressed (answers are gzipped on the wire, as browsers ask).",
        "",
        "| kind | requests | req/s | p50 | p99 | 5xx or no answer | 4xx | accepted writes lost "
        "| mean answer |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        label = "**all**" if row["kind"] == "all" else row["kind"]
        lines.append(
            f"| {label} | {row['requests']:,} | {row['rps']:.1f} | {row['p50']:.0f} ms | "
            f"{row['p99']:.0f} ms | {row['failed']} | {row['refused']} | "
            f"{lost.get(row['kind'], '–') if row['kind'] != 'all' else sum(lost.values())} | "
            f"{row['kb']:.1f} KB |"
        )
    lines += [
        "",
        f"After the load the worker drained the queue in {drained:.1f} s. Tasks it ran: "
        + ", ".join(f"`{name}` {count:,}" for name, count in sorted(tasks.items()))
        + ".",
        "",
        "### Checked row by row",
        "",
        "| check | found | expected | result |",
        "|---|---:|---:|---|",
    ]
    for check in checks:
        detail = f" ({check.detail})" if check.detail and not check.ok else ""
        lines.append(
            f"| {check.label}{detail} | {check.found:,} | {check.expected:,} | "
            f"{'pass' if check.ok else '**FAIL**'} |"
        )
    lines += [
        "",
        "Every accepted write is looked up by what its answer returned (the complaint's code "
        "in the redirect, the Open311 `service_request_id`, the card's id) and compared with "
        "what was sent; its photo is looked for on disk. Filing a complaint owes no e-mail "
        "(the reporter is told of each change of status, not of the filing): none may be "
        "pending or sent. The worker's e-mails go to files (`EMAIL_URL=filemail://…`) and are "
        "counted per card and per finding. No Celery beat runs: every notification must come "
        "from the tasks enqueued on commit, not from the sweepers that catch up after a broker "
        "outage. Rate limits: the one Open311 key's is raised (`OPEN311_POST_RATE`), and each "
        "complaint comes from its own address behind one trusted proxy "
        "(`TRUSTED_PROXY_COUNT=1`).",
        "",
        f"Result: {'all checks pass' if not missed else f'{len(missed)} check(s) failed'}.",
    ]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    from bench.docs import write_section

    write_section(section, START, END, after=AFTER)


# --- Main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS, help="load duration")
    parser.add_argument("--users", type=int, default=DEFAULT_USERS, help="virtual users")
    parser.add_argument(
        "--tier",
        default="city",
        choices=("city", "metro", "national"),
        help="bench/generate.py tier",
    )
    parser.add_argument("--concurrency", type=int, default=WORKER_CONCURRENCY)
    parser.add_argument("--no-generate", action="store_true", help="reuse the data in place")
    parser.add_argument("--no-docs", action="store_true", help="print, do not write the docs")
    parser.add_argument("--keep-files", action="store_true", help="keep photos, e-mails, logs")
    args = parser.parse_args()

    for key, value in SERVER_ENV.items():
        os.environ.setdefault(key, value)
    # The audit trail (reconciliation runs, staff accounts) needs its key, as in production.
    os.environ.setdefault("AUDIT_HMAC_KEY", secrets.token_urlsafe(50))
    if not os.environ.get("REDIS_URL"):
        sys.exit("The benchmark needs a Redis broker for its worker: set REDIS_URL=redis://…")
    folder = Path(tempfile.mkdtemp(prefix="bench-mixed-"))
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    # django-environ reads the path after "filemail://" less one slash: an absolute one needs two.
    os.environ["EMAIL_URL"] = f"filemail:///{folder / 'mail'}"
    (folder / "mail").mkdir()
    # A SIGTERM unwinds like Ctrl-C, through the finally clauses that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from bench import generate
    from bench.bench_lighthouse import Server
    from bench.mixed import checks, load

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgis"):
        sys.exit("The benchmark needs PostGIS: set DATABASE_URL=postgis://…")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        sys.exit("Celery is eager: the benchmark needs CELERY_TASK_ALWAYS_EAGER=false")
    server = Server()  # its port now; started once the data is ready
    try:
        generate.ensure_database()
        call_command("migrate", verbosity=0)
        if args.no_generate:
            place = generate.tier_municipality()
        else:
            print(f"Generating the {args.tier} tier…", flush=True)
            place = generate.generate_tier(args.tier)["municipality"]
        plan, rows = prepare(place)
        web_workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2))
        worker_log = folder / "worker.log"
        print(
            f"{len(plan.guardians)} guardians, {len(plan.layers)} layers; gunicorn "
            f"{web_workers} workers, Celery worker concurrency {args.concurrency}",
            flush=True,
        )
        with Worker(worker_log, args.concurrency), server:
            plan.port = server.port
            # Each gunicorn worker imports its views and fills its caches before the clock runs.
            warm = load.Plan(**{**vars(plan), "journeys": {"map": 1, "space": 1, "colonia": 1}})
            load.run(warm, users=args.users, seconds=3)
            started = timezone.now()
            print(f"Load: {args.users} users for {args.seconds} s…", flush=True)
            records, seconds = load.run(plan, users=args.users, seconds=args.seconds)
            print(f"  {len(records):,} requests in {seconds:.1f} s; draining…", flush=True)
            drained = drain(DRAIN_TIMEOUT_S)
        print(f"  drained in {drained:.1f} s; checking…", flush=True)

        mails = checks.sent_mail(folder / "mail")
        found = [
            checks.Check(
                "responses 5xx or without an answer",
                sum(1 for r in records if r.status == 0 or r.status >= 500),
                0,
            ),
            checks.Check(
                "responses 4xx (the load sends only what the portal accepts)",
                sum(1 for r in records if 400 <= r.status < 500),
                0,
            ),
            *checks.check_complaints(records, municipality=place, started=started),
            *checks.check_complaint_mail(records, mails),
            *checks.check_open311(records, client=rows["client"], started=started),
            *checks.check_cards(
                records,
                municipality=place,
                template=rows["template"],
                started=started,
                mails=mails,
            ),
            *checks.check_findings(
                records,
                municipality=place,
                template=rows["template"],
                started=started,
                mails=mails,
            ),
        ]
        worker_checks, tasks = checks.check_worker(worker_log, records)
        found += worker_checks
        lost = {check.lost_of: check.expected - check.found for check in found if check.lost_of}
        kinds = sorted({r.kind for r in records}, key=lambda k: (not k.startswith("map"), k))
        command = (
            "DATABASE_URL=postgis://…/villaguard_mixed REDIS_URL=redis://…/12 "
            "REDIS_CACHE_URL=redis://…/13 .venv/bin/python bench/bench_mixed.py"
            + "".join(f" {flag}" for flag in sys.argv[1:] if flag != "--no-docs")
        )
        section = markdown(
            command=command,
            tier=args.tier,
            sizes=generate.TIERS[args.tier],
            layer_rows=rows["layer_rows"],
            setup={
                "web_workers": web_workers,
                "concurrency": args.concurrency,
                "users": args.users,
                "seconds": args.seconds,
            },
            rows=per_kind(records, seconds, kinds),
            lost=lost,
            drained=drained,
            tasks=tasks,
            checks=found,
        )
    finally:
        # Server.__exit__ waits 30 s for gunicorn to stop; past that it is killed here.
        process = getattr(server, "process", None)
        if process is not None and process.poll() is None:
            process.kill()
        if args.keep_files:
            print(f"Photos, e-mails and the worker's log kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    if args.no_docs:
        print(section)
    else:
        write_docs(section)
        print(f"Written to {DOCS.relative_to(ROOT)}")
    missed = [check for check in found if not check.ok]
    if missed:
        for check in missed:
            print(f"FAIL: {check.label}: {check.found} (expected {check.expected}) {check.detail}")
        sys.exit(1)


if __name__ == "__main__":
    main()
