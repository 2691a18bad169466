"""Faults: the worker killed in the middle of the nightly reconciliation (issue #8, item 6).

A real Celery worker (prefork, one child) runs in a subprocess against the test database and
the real Redis broker, on a queue of its own so that no other test's tasks reach it. The fault
is injected from outside the code under test: the worker is started by a small script that
wraps the reconciliation's last write step so that, the first time, the pool child kills
itself (SIGKILL) right after it, with every row written and only the commit left.

Each step waits for a file the worker writes or for a state of the database, polling with a
deadline; nothing depends on how fast the machine is:

1. the child writes ``killed.json`` (what its transaction holds, its database session) and
   dies; the test waits for that session to end and finds nothing of the run committed;
2. the worker's parent requeues the message (``reject_on_worker_lost``) and a new child picks
   it up: ``task_prerun`` records the run and holds it until the test writes ``resume``;
3. the rerun completes (``task_postrun`` writes ``done.json``): every row exists exactly once,
   the message has left the broker, and one more reconciliation writes nothing.
"""

import contextlib
import dataclasses
import datetime
import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from audit.models import AuditEntry
from core import outbox
from findings import tasks
from findings.models import Finding, KnownIssueAnswer, Outbox, ReconciledCard
from findings.selectors import evidence_count
from findings.service_status import known_issue_create
from findings.services import findings_reconcile
from findings.tests.world import build_world

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60  # seconds, for each wait: a healthy run takes a few

WORKER_SCRIPT = textwrap.dedent(
    """
    import json, os, pathlib, signal, time

    import django

    django.setup()

    from celery.signals import task_postrun, task_prerun
    from django.db import connection

    from core import outbox
    from findings import reconcile
    from findings.models import Finding, KnownIssueAnswer, Outbox, ReconciledCard
    from config.celery import app

    files = pathlib.Path(os.environ["FAULT_DIR"])
    killed, resume = files / "killed.json", files / "resume"

    # Delivery is the sweeper's job (findings/tests/test_worker.py): here only what the run
    # writes, and no message to the default queue, which other tests' workers consume.
    outbox.enqueue = lambda name, *args: False


    def write_json(path, data):
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(path)


    real_obligations = reconcile._obligations


    def obligations_then_die(*args, **kwargs):
        # The run's last write step: after it only the commit is left.
        real_obligations(*args, **kwargs)
        if killed.exists():  # the rerun: let it commit
            return
        written = {  # seen from inside the doomed transaction
            "findings": Finding.objects.count(),
            "outbox": Outbox.objects.count(),
            "reconciled_cards": ReconciledCard.objects.count(),
            "known_issue_links": KnownIssueAnswer.objects.count(),
        }
        write_json(
            killed,
            {
                "pid": os.getpid(),
                "backend_pid": connection.connection.info.backend_pid,
                "in_transaction": connection.in_atomic_block,
                "written": written,
            },
        )
        os.kill(os.getpid(), signal.SIGKILL)


    reconcile._obligations = obligations_then_die


    @task_prerun.connect(weak=False)
    def record_then_hold(task_id, **kwargs):
        with (files / "runs").open("a") as runs:
            runs.write(task_id + "\\n")
        # A run after the kill waits until the test has looked at what the killed one left.
        deadline = time.monotonic() + 120
        while killed.exists() and not resume.exists() and time.monotonic() < deadline:
            time.sleep(0.05)


    @task_postrun.connect(weak=False)
    def record_done(task_id, retval, state, **kwargs):
        write_json(files / "done.json", {"task_id": task_id, "state": state, "retval": retval})


    app.worker_main(
        [
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--queues", os.environ["FAULT_QUEUE"],
            "--hostname", os.environ["FAULT_QUEUE"] + "@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
    )
    """
)


@dataclasses.dataclass
class FaultyWorker:
    process: subprocess.Popen
    queue: str
    files: pathlib.Path
    log: pathlib.Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_for(self, condition, what: str, timeout: float = TIMEOUT):
        """Polls ``condition`` until it returns something true; fails (never hangs) when the
        worker exits or the deadline passes."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if self.exited():
                pytest.fail(f"the worker exited while waiting for {what}:\n" + self.log_tail())
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not after {timeout} s. Worker log:\n" + self.log_tail())
            time.sleep(0.1)

    def wait_for_json(self, name: str, what: str) -> dict:
        path = self.files / name
        self.wait_for(path.exists, what)
        return json.loads(path.read_text())

    def runs(self) -> list[str]:
        path = self.files / "runs"
        return path.read_text().split() if path.exists() else []

    def resume(self) -> None:
        (self.files / "resume").touch()

    def exited(self) -> bool:
        """Whether the worker has exited, without reaping it: until it is reaped its id still
        names its process group (nobody else's)."""
        flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
        return os.waitid(os.P_PID, self.process.pid, flags) is not None

    def stop(self) -> None:
        self.resume()  # a held run must not delay the warm shutdown
        deadline = time.monotonic() + 20
        if not self.exited():
            os.kill(self.process.pid, signal.SIGTERM)  # warm shutdown
        while not self.exited() and time.monotonic() < deadline:
            time.sleep(0.1)
        # Started in a session of its own: whatever is left (the worker itself if it did not
        # stop in time, its pool children) is in its process group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)


def _database_url() -> str:
    """The test database, for the worker subprocess."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgis://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def faulty_worker(transactional_db, tmp_path):
    from config.celery import app

    assert not app.conf.task_always_eager
    queue = f"fault-reconcile-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "FAULT_DIR": str(tmp_path),
        "FAULT_QUEUE": queue,
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", WORKER_SCRIPT],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = FaultyWorker(process=process, queue=queue, files=tmp_path, log=log)
    try:
        yield worker
    finally:
        worker.stop()
        with app.connection_for_write() as broker:
            broker.default_channel.client.delete(queue)


@pytest.fixture
def world(municipality, monkeypatch):
    """Three parks with two failures each, and a third failure on a known issue. The cards
    are filed with nothing enqueued after their commit: only the nightly run reconciles them."""
    w = build_world(municipality)
    known_issue_create(
        municipality=municipality,
        service_type=w.green,
        space=w.spaces[0],
        since=w.today - datetime.timedelta(days=10),
        description="Bomba de riego descompuesta",
        item_code="irrigation",
    )
    monkeypatch.setattr(outbox, "enqueue", lambda name, *args: False)
    w.cards = [
        w.file(
            space=w.spaces[0], **{"grass-cut": "no", "litter-removed": "no", "irrigation": "no"}
        ),
        *(
            w.file(space=space, **{"grass-cut": "no", "litter-removed": "no"})
            for space in w.spaces[1:]
        ),
    ]
    return w


def committed() -> dict:
    """What the database holds, read with the test's own (autocommit) connection."""
    return {
        "findings": sorted(
            (f.kind, f.space.code if f.space else "", f.item_code, f.obligation_id)
            for f in Finding.objects.select_related("space")
        ),
        "outbox": sorted(Outbox.objects.values_list("finding_id", "event", "cycle")),
        "reconciled_cards": sorted(ReconciledCard.objects.values_list("card_id", flat=True)),
        "known_issue_links": sorted(KnownIssueAnswer.objects.values_list("answer_id", flat=True)),
        "audit_runs": AuditEntry.objects.filter(object_repr="reconciliation run").count(),
    }


def session_alive(backend_pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend_pid])
        return cursor.fetchone() is not None


def left_in_broker(queue: str, task_id: str) -> tuple[int, int]:
    """(messages waiting in the queue, unacknowledged deliveries of the task)."""
    from config.celery import app

    with app.connection_for_write() as broker:
        channel = broker.default_channel
        unacked = channel.client.hvals(channel.unacked_key)
        return channel.client.llen(queue), sum(task_id.encode() in m for m in unacked)


def test_worker_killed_mid_reconciliation_the_rerun_completes_and_nothing_is_doubled(
    world, faulty_worker
):
    nothing = {
        "findings": [],
        "outbox": [],
        "reconciled_cards": [],
        "known_issue_links": [],
        "audit_runs": 0,
    }
    assert committed() == nothing
    expected_findings = sorted(
        [
            (Finding.Kind.UNREPORTED, space.code, item, None)
            for space in world.spaces
            for item in ("grass-cut", "litter-removed")
        ]
        + [(Finding.Kind.OVERDUE, "", "", world.mowing.pk)]
    )
    irrigation = world.cards[0].answers.get(item__code="irrigation")

    task_id = tasks.reconcile_all.apply_async(
        args=[world.municipality.pk], queue=faulty_worker.queue
    ).id

    # 1. The pool child dies with everything written and its transaction open.
    killed = faulty_worker.wait_for_json("killed.json", "the pool child to die mid-transaction")
    assert killed["in_transaction"]
    assert killed["written"] == {
        "findings": len(expected_findings),
        "outbox": len(expected_findings),
        "reconciled_cards": len(world.cards),
        "known_issue_links": 1,
    }
    faulty_worker.wait_for(
        lambda: not session_alive(killed["backend_pid"]), "the killed child's session to end"
    )
    faulty_worker.wait_for(
        lambda: not pathlib.Path(f"/proc/{killed['pid']}").exists(), "the child to be reaped"
    )
    assert committed() == nothing  # rolled back with the dead connection

    # 2. The worker requeued the same message; a new child holds it until told to go on.
    faulty_worker.wait_for(
        lambda: faulty_worker.runs() == [task_id, task_id], "the message to be redelivered"
    )
    assert committed() == nothing
    faulty_worker.resume()

    # 3. The rerun completes: every row once.
    done = faulty_worker.wait_for_json("done.json", "the rerun to complete")
    assert (done["task_id"], done["state"]) == (task_id, "SUCCESS")
    assert done["retval"] == {
        "linked_to_issues": 1,
        "findings_raised": 6,
        "answers_linked": 6,
        "overdue_raised": 1,
        "notifications": 7,
    }
    after = committed()
    assert after["findings"] == expected_findings
    assert after["outbox"] == sorted(
        (pk, Outbox.Event.FINDING_RAISED, 0) for pk in Finding.objects.values_list("pk", flat=True)
    )
    assert after["reconciled_cards"] == sorted(card.pk for card in world.cards)
    assert ReconciledCard.objects.values("reconciled_at").distinct().count() == 1
    assert after["known_issue_links"] == [irrigation.pk]
    assert after["audit_runs"] == 1
    assert sum(Finding.objects.annotate(n=evidence_count()).values_list("n", flat=True)) == 6
    # Acknowledged: the message will not come back a third time.
    faulty_worker.wait_for(
        lambda: left_in_broker(faulty_worker.queue, task_id) == (0, 0), "the message's ack"
    )
    assert faulty_worker.runs() == [task_id, task_id]

    # Idempotent: one more run writes nothing.
    result = findings_reconcile(municipality=world.municipality)
    assert vars(result) == dict.fromkeys(done["retval"], 0)
    assert committed() == after
