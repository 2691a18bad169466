"""The reconciliation's SQL that only PostgreSQL runs, beside the portable statements of
``findings.reconcile`` (the same text on PostGIS and SpatiaLite). Set-based on purpose: a
nightly run compares a million card answers in a few statements.

- :func:`lock`: one run at a time per municipality (a transaction-scoped advisory lock), and
  no wait for the WAL flush of a bulk run. SQLite serialises writers by itself.
- :func:`analyze`: statistics for a temporary table, which the planner otherwise lacks.
- :func:`days_before`, :func:`hours_after`, :data:`FALSE`: date arithmetic and a boolean, whose
  SQLite forms are in ``reconcile._Dialect``.
- :func:`raise_and_notify`: a finding's insert and its outbox rows in one statement (a
  data-modifying CTE): no second pass over the findings to find what this run raised. Twin:
  ``reconcile._notify``, which writes the same outbox rows in one pass at the end of the run.

The equality test, ``findings/tests/test_postgis.py``, runs the reconciliation through both
forms on the same cards and compares the findings and outbox rows. It is marked ``services``:
the embedded SpatiaLite default skips it, and it runs against PostGIS (CI's ``.ci/run`` does
it with ``REQUIRE_SERVICES=1``). Locally, with PostgreSQL and Redis running::

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/villaguard REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m pytest findings/tests/test_postgis.py findings/tests/test_reconcile.py

(the second file, unmarked, runs every rule of the reconciliation on whichever database the
environment names).
"""

import zlib

LOCK_NAMESPACE = zlib.crc32(b"findings.reconcile")
FALSE = "false"


def lock(cursor, municipality_id: int | None) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, municipality_id or 0])
    # A lost commit (a crash in the next few hundred milliseconds) loses nothing that the next
    # run does not redo: do not wait for the WAL flush of a bulk run.
    cursor.execute("SET LOCAL synchronous_commit = off")


def analyze(cursor, table: str) -> None:
    cursor.execute(f"ANALYZE {table}")


def days_before(date_sql: str, days_sql: str) -> str:
    return f"({date_sql} - ({days_sql})::int)"


def hours_after(ts_sql: str, hours_sql: str) -> str:
    return f"({ts_sql} + make_interval(hours => ({hours_sql})::int))"


def raise_and_notify(
    cursor, *, insert_sql: str, params: list, notify_sql: str, notify_params: list
) -> tuple[int, int]:
    """Runs ``insert_sql`` (an ``INSERT INTO findings_finding … ON CONFLICT DO NOTHING``) and
    ``notify_sql`` (the outbox ``INSERT … SELECT`` of the findings in a table named
    ``raised``: id, municipality_id, directorate_id) as one statement, and returns how many
    findings were raised and how many outbox rows written."""
    cursor.execute(
        f"""
        WITH raised AS (
            {insert_sql}
            RETURNING id, municipality_id, directorate_id
        ), notified AS (
            {notify_sql}
            RETURNING 1
        )
        SELECT (SELECT COUNT(*) FROM raised), (SELECT COUNT(*) FROM notified)
        """,  # noqa: S608 (the reconciliation's own statements, values as params)
        [*params, *notify_params],
    )
    raised, notified = cursor.fetchone()
    return raised, notified
