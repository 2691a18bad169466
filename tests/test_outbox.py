"""core.outbox: services enqueue tasks by name and never import them; rows are claimed once."""

import ast
import logging
import pathlib
from unittest import mock

import pytest
from celery.exceptions import NotRegistered
from django.db import transaction
from django_celery_beat.models import IntervalSchedule
from kombu.exceptions import OperationalError

from core import outbox

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = [
    "config",
    "core",
    "accounts",
    "audit",
    "territory",
    "contracts",
    "guardians",
    "committees",
    "complaints",
    "findings",
    "opendata",
]


def _modules():
    """(path, tree) of every module of the project's packages, tests and migrations aside."""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if {"tests", "migrations"} & set(path.relative_to(ROOT).parts):
                continue
            yield path, ast.parse(path.read_text(), filename=str(path))


def _imports_tasks(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[-1] == "tasks" for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        module = (node.module or "").split(".")
        return module[-1] == "tasks" or any(alias.name == "tasks" for alias in node.names)
    return False


def test_no_module_imports_a_tasks_module():
    """Tasks import services; a service that imported its tasks back would close a cycle.
    Work is handed to Celery by name (core.outbox.enqueue), so nothing imports a tasks module:
    Celery's discovery does."""
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if _imports_tasks(node)
    ]
    assert offenders == []


def test_every_task_enqueued_by_name_is_registered():
    names = {
        node.args[0].value
        for _path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None))
        in {"enqueue", "enqueue_on_commit"}
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert {
        "complaints.tasks.notify_reporter_task",
        "findings.tasks.deliver_outbox",
        "findings.tasks.reconcile_card",
        "guardians.tasks.card_filed",
    } <= names
    for name in names:
        assert outbox._registered(name).name == name


def test_an_unknown_task_name_is_an_error_not_a_warning():
    with pytest.raises(NotRegistered):
        outbox.enqueue("findings.tasks.no_such_task")


def test_enqueue_runs_the_named_task(settings):
    task = outbox._registered("findings.tasks.deliver_outbox")
    with mock.patch.object(task, "delay") as delay:
        assert outbox.enqueue("findings.tasks.deliver_outbox", 1, 2) is True
    delay.assert_called_once_with(1, 2)


def test_a_broker_outage_is_logged_and_the_caller_goes_on(caplog):
    task = outbox._registered("findings.tasks.deliver_outbox")
    with (
        mock.patch.object(task, "delay", side_effect=OperationalError("down")),
        caplog.at_level(logging.WARNING, logger="core.outbox"),
    ):
        assert outbox.enqueue("findings.tasks.deliver_outbox", 7) is False
    assert "findings.tasks.deliver_outbox(7,) not enqueued, broker unreachable" in caplog.text


@pytest.mark.django_db
def test_enqueue_on_commit_waits_for_the_commit(django_capture_on_commit_callbacks):
    task = outbox._registered("findings.tasks.deliver_outbox")
    with mock.patch.object(task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            outbox.enqueue_on_commit("findings.tasks.deliver_outbox")
            delay.assert_not_called()
        delay.assert_called_once_with()


@pytest.mark.django_db
def test_rows_are_claimed_and_marked_once_in_order():
    rows = [IntervalSchedule.objects.create(every=n, period="seconds") for n in (3, 1, 2)]
    pending = IntervalSchedule.objects.order_by("every")
    claim = {"pending": {"period": "seconds"}, "mark": {"period": "minutes"}}

    with transaction.atomic():
        assert outbox.claim_pending(pending, limit=2, **claim) == [rows[1].pk, rows[2].pk]
        assert outbox.claim_pending(pending.filter(pk=rows[1].pk), **claim) == []
    assert outbox.claim_pending(pending, **claim) == [rows[0].pk]
    assert outbox.claim_pending(pending, **claim) == []
    assert set(IntervalSchedule.objects.values_list("period", flat=True)) == {"minutes"}


def test_a_confirmation_no_row_owes_is_sent_in_place_when_the_broker_is_down(monkeypatch):
    """Double opt-in stores nothing before the confirmation, so no sweeper could send the link
    later: with the broker unreachable the task runs in the request instead."""
    from kombu.exceptions import OperationalError

    from core import outbox

    calls = []

    class Task:
        def __init__(self, up):
            self.up = up

        def delay(self, *args):
            if not self.up:
                raise OperationalError("broker down")
            calls.append(("queued", args))

        def run(self, *args):
            calls.append(("ran here", args))

    monkeypatch.setattr(outbox, "_registered", lambda name: Task(up=False))
    outbox.enqueue_or_run("complaints.tasks.send_follow_confirmation_task", "token")
    monkeypatch.setattr(outbox, "_registered", lambda name: Task(up=True))
    outbox.enqueue_or_run("complaints.tasks.send_follow_confirmation_task", "token")
    assert calls == [("ran here", ("token",)), ("queued", ("token",))]
