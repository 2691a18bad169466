"""Phone budgets: Lighthouse (mobile, simulated throttling) on the pages people use on a phone.

The portal runs as deployed: production settings, static files collected and compressed by
WhiteNoise, gunicorn with the project's gunicorn.conf.py, PostGIS, the demo data. Lighthouse
(npm, in bench/lighthouse/, kept out of the test suite's node_modules) drives Debian's
Chromium. Map tiles come from OpenStreetMap, which this machine cannot reach: they are blocked,
so "bytes" is what the portal itself sends.

Budgets (issues #17 and #19): performance >= 95, accessibility = 100, largest contentful paint
<= 2.0 s on every page; <= 150 KB transferred on the map page. A missed budget makes the
benchmark exit 1 (after writing every figure).

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/villaguard_lighthouse \
        .venv/bin/python bench/bench_lighthouse.py
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
DOCS = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- lighthouse:start -->", "<!-- lighthouse:end -->"
LIGHTHOUSE_DIR = ROOT / "bench" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage"
)
BLOCKED = ["*.tile.openstreetmap.org*", "*tile.openstreetmap.org*"]

MIN_PERFORMANCE = 95
MIN_ACCESSIBILITY = 100
MAX_LCP_MS = 2000
MAX_MAP_BYTES = 150 * 1024
ATTEMPTS = 2

# The deployed settings, made to answer plain http on 127.0.0.1 (no TLS proxy in front here).
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,chihuahua.localhost,villaflores.localhost",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
    "OTP_REQUIRED_FOR_STAFF": "false",
    "ALLOW_DEMO_USERS": "true",  # the demo logins, refused in production otherwise
    "SERVE_MEDIA": "true",
    "GUNICORN_ACCESS_LOG": "",
    "WEB_CONCURRENCY": "2",
}


@dataclass
class Page:
    label: str
    path: str
    login: str | None = None  # demo username whose session cookie Lighthouse sends
    max_bytes: int | None = None


@dataclass
class Result:
    page: Page
    performance: int
    accessibility: int
    lcp_ms: float
    bytes: int
    failed_audits: list[str]

    def misses(self) -> list[str]:
        misses = []
        if self.performance < MIN_PERFORMANCE:
            misses.append(f"performance {self.performance} < {MIN_PERFORMANCE}")
        if self.accessibility < MIN_ACCESSIBILITY:
            misses.append(
                f"accessibility {self.accessibility} < {MIN_ACCESSIBILITY} "
                f"({', '.join(self.failed_audits)})"
            )
        if self.lcp_ms > MAX_LCP_MS:
            misses.append(f"LCP {self.lcp_ms:.0f} ms > {MAX_LCP_MS} ms")
        if self.page.max_bytes is not None and self.bytes > self.page.max_bytes:
            misses.append(f"{self.bytes / 1024:.0f} KB > {self.page.max_bytes / 1024:.0f} KB")
        return misses


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def ensure_lighthouse() -> None:
    if not LIGHTHOUSE.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"],  # the lock's versions
            cwd=LIGHTHOUSE_DIR,
            check=True,
        )
    if not Path(CHROMIUM).exists():
        sys.exit("Chromium is missing: apt-get install chromium (bench/run.sh does it)")


def prepare_site() -> None:
    """Migrate, load today's demo into an emptied database, collect the static files
    (compressed, hashed names)."""
    from bench.generate import ensure_database

    ensure_database()
    manage("migrate", "--noinput", "-v", "0")
    manage("flush", "--noinput")
    manage("seed_demo", "--allow-demo-users")
    manage("collectstatic", "--noinput", "-v", "0")


def pages() -> list[Page]:
    """The pages of the budgets, with real objects of the default municipality's demo."""
    from django.urls import reverse

    from contracts.models import Contract
    from territory.models import Colonia, Municipality, PublicSpace

    municipality = Municipality.objects.get(is_default=True)
    space = PublicSpace.objects.filter(municipality=municipality).order_by("code").first()
    colonia = (
        Colonia.objects.filter(municipality=municipality, spaces__isnull=False)
        .order_by("pk")
        .first()
    )
    contract = Contract.objects.filter(municipality=municipality).order_by("pk").first()
    listed = [
        Page("map", reverse("territory:map"), max_bytes=MAX_MAP_BYTES),
        Page("space page", reverse("territory:space_detail", kwargs={"code": space.code})),
        Page("colonia page", reverse("territory:colonia_detail", kwargs={"pk": colonia.pk})),
        Page("complaint form", reverse("complaints:new")),
        Page("card form", reverse("guardians:card_new"), login="demo-guardian"),
        Page("contract page", reverse("contracts:contract_detail", kwargs={"pk": contract.pk})),
    ]
    from accounts.demo import DEMO_USERS

    for spec in DEMO_USERS:
        if spec.municipality in (None, municipality.slug):
            listed.append(Page(f"workspace: {spec.username}", "/workspace/", login=spec.username))
    return listed


def session_cookie(username: str) -> str:
    """A signed-in session of a demo user, as the login form would leave it (roles included)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies["sessionid"].value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self):
        self.port = free_port()

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi:application",
                f"--bind={HOST}:{self.port}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://{HOST}:{self.port}/healthz", timeout=5)  # noqa: S310
                return self
            except OSError:
                time.sleep(0.2)
        self.process.terminate()
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def lighthouse(url: str, cookie: str | None, workdir: Path) -> dict:
    output = workdir / "report.json"
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={output}",
        "--only-categories=performance,accessibility",
        f"--chrome-flags={CHROME_FLAGS}",
        *(f"--blocked-url-patterns={pattern}" for pattern in BLOCKED),
    ]
    if cookie:
        headers = workdir / "headers.json"
        headers.write_text(json.dumps({"Cookie": f"sessionid={cookie}"}))
        command.append(f"--extra-headers={headers}")
    # Lighthouse sometimes loses the trace of a load ("NO_NAVSTART ... Please run Lighthouse
    # again"): a run that fails is run once more before the failure counts.
    for attempt in range(ATTEMPTS):
        finished = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM})
        if finished.returncode == 0:
            return json.loads(output.read_text())
        print(f"lighthouse failed on {url} (attempt {attempt + 1} of {ATTEMPTS})", flush=True)
    finished.check_returncode()
    raise AssertionError("unreachable")


def measure(page: Page, base: str, cookie: str | None) -> Result:
    # The median run of three by performance score, as Lighthouse's own docs advise.
    runs = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as workdir:
            report = lighthouse(base + page.path, cookie, Path(workdir))
        if report.get("runtimeError"):
            raise RuntimeError(f"{page.label}: {report['runtimeError']}")
        if report.get("finalDisplayedUrl", "").split("?")[0] != (base + page.path):
            raise RuntimeError(f"{page.label}: redirected to {report.get('finalDisplayedUrl')}")
        audits = report["audits"]
        failed = sorted(
            audit_id
            for audit_id, audit in audits.items()
            if audit.get("scoreDisplayMode") == "binary" and audit.get("score") == 0
        )
        accessibility_failed = [
            ref["id"]
            for ref in report["categories"]["accessibility"]["auditRefs"]
            if ref["id"] in failed
        ]
        runs.append(
            Result(
                page=page,
                performance=round(report["categories"]["performance"]["score"] * 100),
                accessibility=round(report["categories"]["accessibility"]["score"] * 100),
                lcp_ms=audits["largest-contentful-paint"]["numericValue"],
                bytes=int(audits["total-byte-weight"]["numericValue"]),
                failed_audits=accessibility_failed,
            )
        )
    runs.sort(key=lambda result: result.performance)
    return runs[1]


def markdown(results: list[Result], seconds: float) -> str:
    lines = [
        START,
        "## Phone budgets (Lighthouse)",
        "",
        "Lighthouse 12 (mobile form factor, simulated throttling: slow 4G, 4× CPU slowdown) on "
        "Debian's Chromium, against gunicorn with the production settings, WhiteNoise's "
        "compressed static files and PostGIS holding the demo data (the real Chihuahua). Map "
        "tiles are blocked (no internet here), so bytes are what the portal sends. Median of "
        "three runs per page. Logged-in pages send a demo user's session cookie. "
        f"`make bench` (bench/bench_lighthouse.py), {seconds:.0f} s.",
        "",
        "| page | performance (≥ 95) | accessibility (= 100) | LCP (≤ 2.0 s) | bytes | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        misses = result.misses()
        budget = f" (≤ {result.page.max_bytes // 1024} KB)" if result.page.max_bytes else ""
        lines.append(
            f"| {result.page.label} | {result.performance} | {result.accessibility} | "
            f"{result.lcp_ms / 1000:.2f} s | {result.bytes / 1024:.0f} KB{budget} | "
            f"{'; '.join(misses) if misses else 'pass'} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        before = text[: text.index(START)]
        after = text[text.index(END) + len(END) :].lstrip("\n")
        text = before + section + ("\n\n" + after if after else "\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text)
    print(f"Written to {DOCS.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="measure only the pages whose label contains this")
    parser.add_argument("--no-docs", action="store_true", help="print only")
    args = parser.parse_args()
    started = time.perf_counter()
    os.environ.setdefault("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/villaguard_lighthouse")
    for key, value in SERVER_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("AUDIT_HMAC_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    ensure_lighthouse()
    prepare_site()
    listed = [page for page in pages() if not args.only or args.only in page.label]
    results = []
    with Server() as server:
        base = f"http://{HOST}:{server.port}"
        for page in listed:
            cookie = session_cookie(page.login) if page.login else None
            result = measure(page, base, cookie)
            print(
                f"{page.label:32} perf {result.performance:3} a11y {result.accessibility:3} "
                f"LCP {result.lcp_ms:6.0f} ms {result.bytes / 1024:6.0f} KB "
                f"{'; '.join(result.misses()) or 'pass'}",
                flush=True,
            )
            results.append(result)
    if not args.no_docs and not args.only:
        write_docs(markdown(results, time.perf_counter() - started))
    missed = [result for result in results if result.misses()]
    if missed:
        print(f"{len(missed)} page(s) missed a budget", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
