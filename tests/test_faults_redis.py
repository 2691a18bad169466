"""Faults: Redis down (issue #8, item 6). Pages, card and complaint submission still work;
jobs and notifications resume when it returns, each e-mail sent exactly once.

Nothing here touches the shared Redis or this process's Celery app: the test starts a Redis
server of its own on a free port, and runs the portal (gunicorn) and, later, a Celery worker
as subprocesses pointed at it and at the test database (``transaction=True``, so they see what
the test commits, and the test sees what they commit). Their e-mail goes to files (Django's
file backend) that the test reads. Then:

1. with the private Redis killed, public pages answer, a citizen files a complaint and another
   follows it, a guardian files a card with failures, and staff change the complaint's status:
   everything is committed although no job and no e-mail could be enqueued;
2. Redis is started again on the same port and a worker with it: a card filed now is e-mailed
   through the normal path at once, and the sweepers (run by the worker, as beat would ask it
   to once their grace minute has passed) send what the outage left pending;
3. a second run of the sweepers sends nothing: every e-mail went out exactly once.
"""

import datetime
import email
import email.header
import os
import pathlib
import re
import shutil
import socket
import subprocess
import time
import uuid
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from complaints.models import Complaint, ComplaintFollower, ComplaintUpdate
from guardians.models import Card
from guardians.tests.conftest import make_world

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
TIMEOUT = 60  # seconds, for each wait: a healthy step takes a few
PASSWORD = "fault-test-password-1"  # noqa: S105
REPORTER_EMAIL = "vecina.reporta@example.org"
FOLLOWER_EMAIL = "vecino.sigue@example.org"
BIN = settings.BASE_DIR / ".venv" / "bin"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


class PrivateRedis:
    """A throw-away redis-server on a port of its own, no persistence: restarted, it is empty,
    as a Redis that lost its data would be."""

    def __init__(self, directory: pathlib.Path):
        self.port = _free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - redis-server found on PATH
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=(self.directory / "redis.log").open("a"),
            stderr=subprocess.STDOUT,
        )
        _wait_for(self._answers, "the private Redis")

    def stop(self) -> None:
        _stop(self.process)
        self.process = None
        assert not self._answers()


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        message = "needs redis-server on PATH (the test runs a Redis server of its own)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def world(municipality):
    world = make_world(municipality)
    hasher = PBKDF2PasswordHasher()  # the portal's hasher: the test settings only know MD5
    for user in (world.staff, world.guardian_a.user):
        user.password = hasher.encode(PASSWORD, hasher.salt())
        user.save(update_fields=["password"])
    return world


@pytest.fixture
def environment(tmp_path, private_redis):
    """What the subprocesses run with: this test's database, the private Redis, e-mail to
    files; the production-like defaults otherwise (DEBUG off, not eager)."""
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "REDIS_", "EMAIL_", "DATABASE_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": (
                f"postgis://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "CONN_MAX_AGE": "0",
            "REDIS_URL": f"{private_redis.url}/0",
            "REDIS_CACHE_URL": f"{private_redis.url}/1",
            "EMAIL_URL": f"filemail:///{mail_dir}",
            "DEBUG": "false",
            "SECRET_KEY": "fault-test-" + uuid.uuid4().hex,
            "AUDIT_HMAC_KEY": "fault-test-audit-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "OTP_REQUIRED_FOR_STAFF": "false",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return {"env": env, "mail_dir": mail_dir, "logs": tmp_path}


@pytest.fixture
def processes(environment):
    """Starts the portal or a worker; stops every one of them when the test ends, before the
    test database is emptied."""
    started = []

    def start(name: str, args: list[str]) -> subprocess.Popen:
        log = environment["logs"] / f"{name}.log"
        process = subprocess.Popen(  # noqa: S603 - our own virtualenv's programs
            args,
            cwd=settings.BASE_DIR,
            env=environment["env"],
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
        )
        process.log = log
        started.append(process)
        return process

    yield start
    for process in reversed(started):
        _stop(process)


@pytest.fixture
def portal(processes):
    port = _free_port()
    process = processes(
        "portal",
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "120",
            "--no-control-socket",  # its default path is shared by every gunicorn of the user
        ],
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        assert process.poll() is None, process.log.read_text()
        try:
            return requests.get(f"{base}/healthz", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    _wait_for(up, "the portal")
    process.base = base
    return process


def _browser(base: str) -> requests.Session:
    session = requests.Session()
    session.headers["Accept-Language"] = "en"
    session.base = base
    return session


def _post(session, path: str, data: dict, form_page: str = "") -> requests.Response:
    """A form post as the browser makes it: the form's page first (``path`` unless another is
    given), for the CSRF cookie and token."""
    page = session.get(session.base + (form_page or path), timeout=30)
    assert page.status_code == 200, (form_page or path, page.status_code)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        session.base + path,
        data={**data, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=60,
    )


def _log_in(base: str, user) -> requests.Session:
    session = _browser(base)
    response = _post(session, "/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.text[:2000]
    return session


def _card_form(world, space) -> dict:
    template = world.green_template
    prefix = f"t{template.pk}-item-"
    items = {item.code: item.pk for item in template.items.all()}
    answers = {
        "grass-cut": "yes",
        "litter-removed": "no",  # failing
        "irrigation": "no",  # failing
        "trees-pruned": "yes",
        "furniture": "5",
        "overall": "4",
    }
    return {
        "client_id": str(uuid.uuid4()),
        "space": space.pk,
        "service_type": template.service_type_id,
        "observed_on": timezone.localdate().isoformat(),
        "template": template.pk,
        **{f"{prefix}{items[code]}": value for code, value in answers.items()},
    }


def _mails(mail_dir: pathlib.Path) -> list[dict]:
    """Every e-mail the file backend wrote: one file per connection, messages separated by a
    line of 79 dashes."""
    found = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk)
            subject = email.header.make_header(email.header.decode_header(message["Subject"]))
            body = message.get_payload(decode=True) or b""
            found.append(
                {
                    "to": message["To"],
                    "subject": str(subject),
                    "body": body.decode(message.get_content_charset() or "utf-8"),
                }
            )
    return found


def _to(mails: list[dict], address: str) -> list[dict]:
    return [m for m in mails if m["to"] == address]


def _call(environment, task: str) -> str:
    """Enqueues a task by name with Celery's own command line (the test's process keeps its
    Celery app untouched) and returns its id."""
    result = subprocess.run(  # noqa: S603 - our own virtualenv's celery
        [str(BIN / "celery"), "-A", "config", "call", task],
        cwd=settings.BASE_DIR,
        env=environment["env"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def _succeeded(worker, task_id: str):
    match = re.search(rf"\[{task_id}\] succeeded in [\d.]+s: (.*)", worker.log.read_text())
    return match and match.group(1)


def test_redis_down_the_portal_works_and_nothing_is_lost_when_it_returns(
    world, private_redis, environment, processes, portal
):
    mail_dir = environment["mail_dir"]
    staff_email = world.staff.email
    space, other_space = world.spaces_a[0], world.spaces_a[1]
    complaint_form = {
        "service_type": world.lighting.pk,
        f"q{world.lighting.pk}-lamp_condition": "off",  # its required question
        "description": "La luminaria no enciende",
        "lat": "28.63",
        "lon": "-106.08",
        "address": "",
        "reporter_name": "Vecina",
        "reporter_email": REPORTER_EMAIL,
        "reporter_phone": "",
    }

    # --- 1. Redis down -----------------------------------------------------------------------
    private_redis.stop()

    citizen = _browser(portal.base)
    for path in ("/", "/map/", space.get_absolute_url(), "/complaints/"):
        response = citizen.get(portal.base + path, timeout=30)
        assert response.status_code == 200, (path, response.status_code)
    response = _post(citizen, "/complaints/new/", complaint_form)
    assert response.status_code == 302, response.text[:2000]
    complaint = Complaint.private_objects.get(reporter_email=REPORTER_EMAIL)
    assert response.headers["Location"] == f"/complaints/{complaint.code}/"
    assert citizen.get(portal.base + complaint.get_absolute_url()).status_code == 200

    follower = _browser(portal.base)
    response = _post(
        follower,
        f"/complaints/{complaint.code}/follow/",
        {"email": FOLLOWER_EMAIL, "accept_privacy_notice": "on"},
        form_page=complaint.get_absolute_url(),
    )
    assert response.status_code == 302
    # Double opt-in: nothing is stored until the link is followed, so no row could owe the
    # confirmation; with the broker down it is sent in place, and following it takes effect.
    assert not ComplaintFollower.objects.filter(complaint=complaint, email=FOLLOWER_EMAIL)
    (confirmation,) = _to(_mails(mail_dir), FOLLOWER_EMAIL)
    link = re.search(r"(/complaints/[^/\s]+/follow/confirm/[^/\s]+/)", confirmation["body"])
    assert link, confirmation["body"]
    response = _post(follower, link.group(1), {})
    assert response.status_code == 302, response.text[:2000]
    assert ComplaintFollower.objects.filter(complaint=complaint, email=FOLLOWER_EMAIL).exists()

    guardian = _log_in(portal.base, world.guardian_a.user)
    response = _post(guardian, "/guardians/cards/new/", _card_form(world, space))
    assert response.status_code == 302, response.text[:2000]
    outage_card = Card.objects.get(space=space)
    assert outage_card.failure_count == 2

    staff = _log_in(portal.base, world.staff)
    response = _post(
        staff,
        f"/complaints/inbox/{complaint.code}/",
        {"action": "status", "status": "in_progress", "note": "Cuadrilla asignada"},
    )
    assert response.status_code == 302, response.text[:2000]
    complaint.refresh_from_db()
    assert complaint.status == "in_progress"

    # All committed; the e-mails wait in their rows, none could be enqueued or sent (but the
    # follow confirmation, sent in place).
    change = complaint.updates.get(status="in_progress")
    assert change.reporter_email_pending and change.followers_email_pending
    outage_card.refresh_from_db()
    assert outage_card.staff_notified_at is None
    assert _mails(mail_dir) == [confirmation]
    assert "not enqueued, broker unreachable" in portal.log.read_text()

    # --- 2. Redis back, and a worker ----------------------------------------------------------
    private_redis.start()
    worker = processes(
        "worker",
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname",
            f"fault-{uuid.uuid4().hex[:8]}@%h",
        ],
    )
    _wait_for(lambda: " ready." in worker.log.read_text(), "the worker")

    # Jobs resume: a card filed now is e-mailed by the task enqueued on its commit.
    response = _post(guardian, "/guardians/cards/new/", _card_form(world, other_space))
    assert response.status_code == 302, response.text[:2000]
    _wait_for(
        lambda: any(other_space.name in m["body"] for m in _to(_mails(mail_dir), staff_email)),
        "the e-mail about the card filed after Redis returned",
    )

    # The sweepers, as beat runs them every minute: the outage's rows are past their grace
    # minute by then (moved back here rather than waiting for it).
    past_grace = timezone.now() - datetime.timedelta(minutes=2)
    ComplaintUpdate.objects.filter(pk=change.pk).update(created_at=past_grace)
    Card.objects.filter(pk=outage_card.pk).update(submitted_at=past_grace)
    sweeps = [
        _call(environment, "complaints.tasks.sweep_notifications"),
        _call(environment, "guardians.tasks.sweep_card_notifications"),
    ]
    results = [_wait_for(lambda t=t: _succeeded(worker, t), f"sweep {t}") for t in sweeps]
    assert results == ["2", "1"]  # the reporter and the follower; the card of the outage

    # --- 3. Exactly once ----------------------------------------------------------------------
    again = [
        _call(environment, "complaints.tasks.sweep_notifications"),
        _call(environment, "guardians.tasks.sweep_card_notifications"),
    ]
    assert [_wait_for(lambda t=t: _succeeded(worker, t), f"sweep {t}") for t in again] == [
        "0",
        "0",
    ]
    mails = _mails(mail_dir)
    (reporter_mail,) = _to(mails, REPORTER_EMAIL)
    assert complaint.code in reporter_mail["subject"]
    assert "Cuadrilla asignada" in reporter_mail["body"]
    (follower_mail,) = [m for m in _to(mails, FOLLOWER_EMAIL) if m != confirmation]
    assert complaint.code in follower_mail["subject"]
    staff_mails = _to(mails, staff_email)
    assert len(staff_mails) == 2
    assert sum(space.name in m["body"] for m in staff_mails) == 1
    assert sum(other_space.name in m["body"] for m in staff_mails) == 1
    change.refresh_from_db()
    outage_card.refresh_from_db()
    assert change.reporter_notified_at is not None and not change.followers_email_pending
    assert outage_card.staff_notified_at is not None
