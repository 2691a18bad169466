"""Reconciliation of the guardians' cards with the municipality's service status, set-based.

Hand-written SQL on purpose: a million card answers must be compared in a few statements, not a
Python loop per row (the ORM cannot express INSERT … SELECT … ON CONFLICT). The same SQL runs on
PostGIS and SpatiaLite; only date arithmetic differs (``_Dialect``). What only PostgreSQL runs
(the lock, statistics, its date arithmetic, the finding and outbox insert in one statement) is
in ``findings.postgis``, with how to run its equality test.

One run, in one transaction, holding a lock per municipality (``postgis.lock`` on PostgreSQL;
SQLite serialises writers by itself):

1. ``findings_space_area``: which service areas each public space in scope lies in (one spatial
   join, so later steps compare ids).
2. ``findings_cover``: the contract in force on each (space, service) today (the contracts'
   rule: the latest started, then the highest id), its directorate, company, shortest
   frequency (the window a work log "claims" the service was done in) and shortest response
   time.
3. ``findings_stage``: every failing answer of the cards not yet reconciled, with the open
   known issue that covers it (if any) and whether a work log in the window contradicts it.
4. Answers covered by a known issue are linked to it; no finding.
5. The others raise one live finding per (space, service, card item): "contradiction" if a
   work log claims the work was done, else "unreported failure"; later answers for the same
   key are more evidence of the live finding. The cards are marked reconciled
   (``ReconciledCard``, one row per card, with the run's timestamp): a finding's evidence is
   derived from that on read (``selectors.finding_evidence``), not stored per answer.
6. Each obligation whose last period has no work log raises "obligation overdue", if its
   directorate's work logs were being recorded then (``directorates_checked_since``): a
   directorate without a work-log feed would otherwise get a finding, and an e-mail, for every
   obligation every period.
7. Every finding raised writes its notification to the outbox, in this same transaction.

Idempotent: the natural keys are unique constraints (``Finding.Meta``) and a card is reconciled
once (its id is the key of ``ReconciledCard``). A finding's insert is ``ON CONFLICT DO NOTHING``:
a live finding of its key may exist. The rows written for what the run itself read are plain
inserts, because nothing can be there before them: the known-issue links and the marks are of
cards not yet reconciled, read under the lock, and only this module writes them; the outbox
rows are of the findings just raised. (``ON CONFLICT`` costs a speculative insertion per row.)

Rows are inserted in the order of the indexes they enter (a finding by its natural key, a mark
by card, a link by answer): at the national tier the findings' indexes outgrow the shared
buffers, and inserting in random order makes each row's index entries a page miss.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateField, F, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Least, NullIf
from django.utils import timezone

from contracts.models import Contract, Obligation
from core import outbox, pagecache
from territory.models import Directorate, ServiceType

from . import postgis
from .models import Finding, WorkLog

DEFAULT_WINDOW_DAYS = 14
DEFAULT_RESPONSE_HOURS = 72


@dataclasses.dataclass
class ReconcileResult:
    linked_to_issues: int = 0
    findings_raised: int = 0
    answers_linked: int = 0
    overdue_raised: int = 0
    notifications: int = 0


class _Dialect:
    """Date arithmetic and booleans: SQLite's here, PostgreSQL's from findings.postgis."""

    def __init__(self, vendor: str):
        self.vendor = vendor

    def days_before(self, date_sql: str, days_sql: str) -> str:
        if self.vendor == "postgresql":
            return postgis.days_before(date_sql, days_sql)
        return f"date({date_sql}, '-' || ({days_sql}) || ' days')"

    def hours_after(self, ts_sql: str, hours_sql: str) -> str:
        if self.vendor == "postgresql":
            return postgis.hours_after(ts_sql, hours_sql)
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {ts_sql}, '+' || ({hours_sql}) || ' hours')"

    def temp(self, name: str, select_sql: str) -> str:
        return f"CREATE TEMP TABLE {name} AS {select_sql}"

    def false(self) -> str:
        return postgis.FALSE if self.vendor == "postgresql" else "0"


def _settings_int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _lock(municipality_id: int | None) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            postgis.lock(cursor, municipality_id)


def _notify_while_raising() -> bool:
    """Whether each finding's insert writes its outbox rows too (postgis.raise_and_notify), or
    ``_notify`` writes them at the end of the run."""
    return connection.vendor == "postgresql"


def _execute(cursor, sql: str, params=()) -> int:
    cursor.execute(sql, list(params))
    return max(cursor.rowcount, 0)


def reconcile(
    *,
    municipality_id: int | None = None,
    card_ids: list[int] | None = None,
    today: datetime.date | None = None,
    with_obligations: bool = True,
) -> ReconcileResult:
    """Runs the reconciliation for a municipality (None: all of them) or only some cards.

    ``with_obligations`` adds the overdue-obligation rule (the nightly run; a single card does
    not need it).
    """
    today = today or timezone.localdate()
    now = timezone.now()
    result = ReconcileResult()
    with transaction.atomic():
        _lock(municipality_id)
        with connection.cursor() as cursor:
            _cards(cursor, result, municipality_id, card_ids, today, now)
            if with_obligations and not card_ids:
                _obligations(cursor, result, municipality_id, today, now)
            if not _notify_while_raising():
                _notify(cursor, result, now)
    if result.notifications:
        outbox.enqueue_on_commit("findings.tasks.deliver_outbox")
    if result.findings_raised or result.overdue_raised or result.linked_to_issues:
        # Written in SQL, without model signals: the public pages' cache is told here.
        pagecache.bump_on_commit("findings", municipality_id)
    return result


def _scope_sql(municipality_id, card_ids) -> tuple[str, list]:
    if card_ids:
        placeholders = ", ".join(["%s"] * len(card_ids))
        return f"c.id IN ({placeholders})", list(card_ids)
    if municipality_id:
        return "c.municipality_id = %s", [municipality_id]
    return "1 = 1", []


def _index_temp(cursor, table: str, *columns: str) -> None:
    """Temporary tables get no statistics nor indexes by themselves: the later statements look
    rows up in them once per failing answer."""
    for number, column_list in enumerate(columns):
        cursor.execute(f"CREATE INDEX {table}_{number} ON {table} ({column_list})")
    if connection.vendor == "postgresql":
        postgis.analyze(cursor, table)


def _drop_temp(cursor, *names: str) -> None:
    for name in names:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _cards(cursor, result, municipality_id, card_ids, today, now) -> None:
    d = _Dialect(connection.vendor)
    scope, scope_params = _scope_sql(municipality_id, card_ids)
    now_param = connection.ops.adapt_datetimefield_value(now)
    today_param = connection.ops.adapt_datefield_value(today)
    window_default = _settings_int("FINDINGS_CARD_WINDOW_DAYS", DEFAULT_WINDOW_DAYS)
    response_default = _settings_int("FINDINGS_DEFAULT_RESPONSE_HOURS", DEFAULT_RESPONSE_HOURS)
    spaces_table = Contract.spaces.through._meta.db_table
    areas_table = Contract.service_areas.through._meta.db_table
    _drop_temp(cursor, "findings_stage", "findings_cover", "findings_space_area")

    # 1. The service areas each space in scope lies in.
    cursor.execute(
        d.temp(
            "findings_space_area",
            f"""
            SELECT s.id AS space_id, ar.id AS area_id, ar.service_type_id
            FROM territory_publicspace s
            JOIN territory_servicearea ar
              ON ar.municipality_id = s.municipality_id AND ST_Intersects(ar.geometry, s.centroid)
            WHERE s.id IN (SELECT DISTINCT c.space_id FROM guardians_card c WHERE {scope})
            """,  # noqa: S608 (constants and model table names, values as params)
        ),
        scope_params,
    )
    _index_temp(cursor, "findings_space_area", "space_id", "area_id")
    # 2. The contract covering each (space, service) today and what follows from it. Where
    # several are in force, ContractQuerySet.in_force's rule picks one: the latest started,
    # then the highest id (the map and the space page show the same one).
    cursor.execute(
        d.temp(
            "findings_cover",
            f"""
            SELECT x.space_id, x.service_type_id, x.contract_id,
                   ct.directorate_id, ct.company_id,
                   (SELECT MIN(o.frequency_days) FROM contracts_obligation o
                     WHERE o.contract_id = x.contract_id) AS window_days,
                   (SELECT MIN(o.response_time_hours) FROM contracts_obligation o
                     WHERE o.contract_id = x.contract_id) AS response_hours
            FROM (
              SELECT y.space_id, y.service_type_id, y.contract_id FROM (
                SELECT u.space_id, u.service_type_id, u.contract_id,
                       ROW_NUMBER() OVER (PARTITION BY u.space_id, u.service_type_id
                                          ORDER BY u.start_date DESC, u.contract_id DESC) AS pick
                FROM (
                  SELECT cs.publicspace_id AS space_id, ct.service_type_id,
                         ct.id AS contract_id, ct.start_date
                  FROM {spaces_table} cs JOIN contracts_contract ct ON ct.id = cs.contract_id
                  WHERE ct.start_date <= %s AND ct.end_date >= %s
                    AND cs.publicspace_id IN (SELECT DISTINCT c.space_id FROM guardians_card c
                                              WHERE {scope})
                  UNION ALL
                  SELECT sa.space_id, ct.service_type_id, ct.id, ct.start_date
                  FROM findings_space_area sa
                  JOIN {areas_table} ca ON ca.servicearea_id = sa.area_id
                  JOIN contracts_contract ct ON ct.id = ca.contract_id
                  WHERE ct.start_date <= %s AND ct.end_date >= %s
                ) u
              ) y WHERE y.pick = 1
            ) x JOIN contracts_contract ct ON ct.id = x.contract_id
            """,  # noqa: S608 (constants and model table names, values as params)
        ),
        [today_param, today_param, *scope_params, today_param, today_param],
    )
    _index_temp(cursor, "findings_cover", "space_id, service_type_id")
    # 3. Failing answers not yet handled, classified.
    window = f"COALESCE(cv.window_days, {window_default})"
    since = d.days_before("c.observed_on", window)
    cursor.execute(
        d.temp(
            "findings_stage",
            f"""
            SELECT a.id AS answer_id, a.card_id, c.municipality_id, c.space_id,
                   c.service_type_id, c.colonia_id, c.observed_on, i.code AS item_code,
                   i.text AS item_text,
                   COALESCE(
                     (SELECT MIN(k.id) FROM findings_knownissue k
                       WHERE k.space_id = c.space_id AND k.service_type_id = c.service_type_id
                         AND k.status = 'open' AND k.since <= c.observed_on
                         AND (k.item_code = '' OR k.item_code = i.code)),
                     (SELECT MIN(k.id) FROM findings_space_area sa
                       JOIN findings_knownissue k ON k.service_area_id = sa.area_id
                       WHERE sa.space_id = c.space_id AND k.service_type_id = c.service_type_id
                         AND k.status = 'open' AND k.since <= c.observed_on
                         AND (k.item_code = '' OR k.item_code = i.code))
                   ) AS issue_id,
                   CASE WHEN EXISTS (
                       SELECT 1 FROM findings_worklog w
                       WHERE w.space_id = c.space_id AND w.service_type_id = c.service_type_id
                         AND w.done_on <= c.observed_on AND w.done_on >= {since}
                         AND (w.item_code = '' OR w.item_code = i.code))
                     OR EXISTS (
                       SELECT 1 FROM findings_worklog w
                       JOIN findings_space_area sa ON sa.area_id = w.service_area_id
                       WHERE sa.space_id = c.space_id AND w.service_type_id = c.service_type_id
                         AND w.done_on <= c.observed_on AND w.done_on >= {since}
                         AND (w.item_code = '' OR w.item_code = i.code))
                   THEN 1 ELSE 0 END AS contradicts
            FROM guardians_cardanswer a
            JOIN guardians_card c ON c.id = a.card_id
            JOIN guardians_cardtemplateitem i ON i.id = a.item_id
            LEFT JOIN findings_cover cv
              ON cv.space_id = c.space_id AND cv.service_type_id = c.service_type_id
            WHERE a.is_failure AND {scope}
              AND NOT EXISTS (SELECT 1 FROM findings_reconciledcard r WHERE r.card_id = c.id)
            """,  # noqa: S608 (constants and model table names, values as params)
        ),
        scope_params,
    )
    # No index: every later statement reads the whole stage once.
    _index_temp(cursor, "findings_stage")
    # 4. Known issues: linked, no finding.
    result.linked_to_issues = _execute(
        cursor,
        """
        INSERT INTO findings_knownissueanswer (issue_id, answer_id)
        SELECT s.issue_id, s.answer_id FROM findings_stage s WHERE s.issue_id IS NOT NULL
        ORDER BY s.answer_id
        """,
    )
    # 5a. One live finding per (space, service, item); a contradiction outranks the rest.
    response = f"COALESCE(cv.response_hours, {response_default})"
    result.findings_raised = _raise(
        cursor,
        result,
        now,
        f"""
        INSERT INTO findings_finding (
            municipality_id, kind, severity, status, service_type_id, space_id, colonia_id,
            item_code, item_text, directorate_id, contract_id, company_id, obligation_id,
            period_start, period_end, response_hours, due_at, created_at, updated_at, cycle)
        SELECT g.municipality_id,
               CASE WHEN g.contradicts = 1 THEN '{Finding.Kind.CONTRADICTION}'
                    ELSE '{Finding.Kind.UNREPORTED}' END,
               CASE WHEN g.contradicts = 1 THEN {Finding.Severity.HIGH}
                    ELSE {Finding.Severity.MEDIUM} END,
               '{Finding.Status.OPEN}', g.service_type_id, g.space_id, g.colonia_id,
               g.item_code, g.item_text,
               COALESCE(cv.directorate_id, sp.directorate_id,
                        (SELECT MIN(ds.directorate_id) FROM territory_directorate_services ds
                          WHERE ds.servicetype_id = g.service_type_id)),
               cv.contract_id, cv.company_id, NULL,
               g.period_start, g.period_end, {response},
               {d.hours_after("%s", response)}, %s, %s, 0
        FROM (
            SELECT s.municipality_id, s.space_id, s.service_type_id, s.item_code,
                   MIN(s.item_text) AS item_text, MIN(s.colonia_id) AS colonia_id,
                   MIN(s.observed_on) AS period_start, MAX(s.observed_on) AS period_end,
                   MAX(s.contradicts) AS contradicts
            FROM findings_stage s WHERE s.issue_id IS NULL
            GROUP BY s.municipality_id, s.space_id, s.service_type_id, s.item_code
        ) g
        JOIN territory_publicspace sp ON sp.id = g.space_id
        LEFT JOIN findings_cover cv
          ON cv.space_id = g.space_id AND cv.service_type_id = g.service_type_id
        WHERE g.space_id IS NOT NULL
        ORDER BY g.space_id, g.service_type_id, g.item_code
        ON CONFLICT DO NOTHING
        """,  # noqa: S608 (constants and model table names, values as params)
        [now_param, now_param, now_param],
    )
    # 5b. Every other staged answer is evidence of the live finding of its key (raised or
    # found by 5a): derived on read (``selectors.finding_evidence``), not stored. Marking the
    # cards handled, at this run's timestamp, is what ties the evidence to this finding.
    cursor.execute(
        "SELECT COUNT(*) FROM findings_stage s WHERE s.issue_id IS NULL AND s.space_id IS NOT NULL"
    )
    result.answers_linked = cursor.fetchone()[0]
    _execute(
        cursor,
        """
        INSERT INTO findings_reconciledcard (card_id, reconciled_at)
        SELECT DISTINCT s.card_id, %s FROM findings_stage s
        ORDER BY s.card_id
        """,
        [now_param],
    )
    _drop_temp(cursor, "findings_stage", "findings_cover", "findings_space_area")


def obligation_windows(*, obligations, today: datetime.date) -> list[tuple[int, str, str]]:
    """The last complete period of each obligation: every ``frequency_days`` from the
    contract's start, or the last scheduled weekday before today. Computed in Python because
    there are few obligations (one per contract task), not one per card."""
    windows = []
    for obligation in obligations:
        contract = obligation.contract
        schedule = getattr(obligation, "schedule", None)
        weekdays = schedule.weekday_list if schedule else []
        if weekdays:
            day = today - datetime.timedelta(days=1)
            while day.weekday() not in weekdays:
                day -= datetime.timedelta(days=1)
            start = end = day
        elif obligation.frequency_days:
            n = obligation.frequency_days
            periods = (today - contract.start_date).days // n
            if periods < 1:
                continue
            start = contract.start_date + datetime.timedelta(days=(periods - 1) * n)
            end = start + datetime.timedelta(days=n - 1)
        else:
            continue
        if start < contract.start_date or end > contract.end_date:
            continue
        windows.append((obligation.pk, start, end))
    return windows


_NEVER = datetime.date.max  # "no date" inside LEAST, which is NULL on SQLite if any argument is


def _first_done_on(owners, key: str):
    """The earliest ``done_on`` of the work logs whose ``key`` is one of ``owners`` (rows
    correlated with the directorate), or ``_NEVER``. One index probe per owner on
    (``key``, done_on), not a scan of every work log of the service."""
    first = Subquery(
        WorkLog.objects.filter(**{key: OuterRef("pk")}).order_by("done_on").values("done_on")[:1]
    )
    earliest = (
        owners.order_by().annotate(group=Value(1)).values("group").annotate(earliest=Min(first))
    )
    return Coalesce(
        Subquery(earliest.values("earliest")[:1]), Value(_NEVER, output_field=DateField())
    )


def directorates_checked_since(*, municipality_id: int | None = None):
    """Directorates annotated with ``checked_since``: the day from which their obligations are
    checked for overdue work, or None (never: nothing says their work is recorded).

    It is the earlier of the day staff set in the directorate's settings ("work logs reported
    since") and its first work log (one on its contracts, or for a service in its charge).
    Missing work logs are evidence only where work logs are kept. The reconciliation joins this
    queryset's SQL and the findings page lists it, so both read one rule."""
    directorates = Directorate.objects.annotate(
        checked_since=NullIf(
            Least(
                Coalesce(
                    F("findings_settings__work_logs_since"),
                    Value(_NEVER, output_field=DateField()),
                ),
                _first_done_on(Contract.objects.filter(directorate_id=OuterRef("pk")), "contract"),
                _first_done_on(
                    ServiceType.objects.filter(directorates=OuterRef("pk")),
                    "service_type",
                ),
            ),
            Value(_NEVER, output_field=DateField()),
        )
    )
    if municipality_id:
        directorates = directorates.filter(municipality_id=municipality_id)
    return directorates


def _obligations(cursor, result, municipality_id, today, now) -> None:
    d = _Dialect(connection.vendor)
    obligations = (
        Obligation.objects.filter(contract__start_date__lte=today, contract__end_date__gte=today)
        .select_related("contract", "schedule")
        .order_by("pk")
    )
    if municipality_id:
        obligations = obligations.filter(contract__municipality_id=municipality_id)
    windows = obligation_windows(obligations=obligations, today=today)
    if not windows:
        return
    _drop_temp(cursor, "findings_window")
    cursor.execute(
        "CREATE TEMP TABLE findings_window (obligation_id bigint, period_start date, "
        "period_end date)"
    )
    cursor.executemany(
        "INSERT INTO findings_window VALUES (%s, %s, %s)",
        [
            (pk, connection.ops.adapt_datefield_value(s), connection.ops.adapt_datefield_value(e))
            for pk, s, e in windows
        ],
    )
    spaces_table = Contract.spaces.through._meta.db_table
    areas_table = Contract.service_areas.through._meta.db_table
    response_default = _settings_int("FINDINGS_DEFAULT_RESPONSE_HOURS", DEFAULT_RESPONSE_HOURS)
    now_param = connection.ops.adapt_datetimefield_value(now)
    checked_sql, checked_params = (
        directorates_checked_since(municipality_id=municipality_id)
        .order_by()
        .values("id", "checked_since")
        .query.sql_with_params()
    )
    result.overdue_raised = _raise(
        cursor,
        result,
        now,
        f"""
        INSERT INTO findings_finding (
            municipality_id, kind, severity, status, service_type_id, space_id, colonia_id,
            item_code, item_text, directorate_id, contract_id, company_id, obligation_id,
            period_start, period_end, response_hours, due_at, created_at, updated_at, cycle)
        SELECT ct.municipality_id, '{Finding.Kind.OVERDUE}', {Finding.Severity.MEDIUM},
               '{Finding.Status.OPEN}', ct.service_type_id, NULL, NULL, '', o.task,
               ct.directorate_id, ct.id, ct.company_id, o.id, w.period_start, w.period_end,
               {response_default}, {d.hours_after("%s", str(response_default))}, %s, %s, 0
        FROM findings_window w
        JOIN contracts_obligation o ON o.id = w.obligation_id
        JOIN contracts_contract ct ON ct.id = o.contract_id
        JOIN ({checked_sql}) dc ON dc.id = ct.directorate_id
        WHERE w.period_start >= dc.checked_since
          AND NOT EXISTS (
            SELECT 1 FROM findings_worklog l
            WHERE l.contract_id = ct.id AND l.service_type_id = ct.service_type_id
              AND l.done_on >= w.period_start AND l.done_on <= w.period_end)
          AND NOT EXISTS (
            SELECT 1 FROM {spaces_table} cs
            JOIN findings_worklog l ON l.space_id = cs.publicspace_id
            WHERE cs.contract_id = ct.id AND l.service_type_id = ct.service_type_id
              AND l.done_on >= w.period_start AND l.done_on <= w.period_end)
          AND NOT EXISTS (
            SELECT 1 FROM {areas_table} ca
            JOIN findings_worklog l ON l.service_area_id = ca.servicearea_id
            WHERE ca.contract_id = ct.id AND l.service_type_id = ct.service_type_id
              AND l.done_on >= w.period_start AND l.done_on <= w.period_end)
        ON CONFLICT DO NOTHING
        """,  # noqa: S608 (constants, model table names and the ORM's SQL, values as params)
        [now_param, now_param, now_param, *checked_params],
    )
    _drop_temp(cursor, "findings_window")


_OUTBOX_COLUMNS = """
    municipality_id, event, finding_id, cycle, directorate_id, digest, status, attempts,
    next_attempt_at, last_error, created_at"""


def _outbox_select(findings_sql: str, false_sql: str) -> str:
    """The outbox rows (one "raised" notification each) of the findings in ``findings_sql``
    (a table or CTE with their id, municipality and directorate); two params: now, now."""
    return f"""
        SELECT f.municipality_id, 'raised', f.id, 0, f.directorate_id,
               COALESCE(ds.daily_digest, {false_sql}), 'pending', 0, %s, '', %s
        FROM {findings_sql} f
        LEFT JOIN findings_directoratesettings ds ON ds.directorate_id = f.directorate_id
        WHERE f.directorate_id IS NOT NULL"""  # noqa: S608 (constants, values as params)


def _raise(cursor, result, now, insert_sql: str, params: list) -> int:
    """Runs ``insert_sql`` (an ``INSERT INTO findings_finding … ON CONFLICT DO NOTHING``) and
    returns how many findings it raised. On PostgreSQL the same statement writes their outbox
    rows (postgis.raise_and_notify); elsewhere ``_notify`` does it at the end of the run, in
    the same transaction."""
    if not _notify_while_raising():
        return _execute(cursor, insert_sql, params)
    now_param = connection.ops.adapt_datetimefield_value(now)
    raised, notified = postgis.raise_and_notify(
        cursor,
        insert_sql=insert_sql,
        params=params,
        notify_sql=f"""
            INSERT INTO findings_outbox ({_OUTBOX_COLUMNS})
            {_outbox_select("raised", postgis.FALSE)}""",  # noqa: S608 (constants, values as params)
        notify_params=[now_param, now_param],
    )
    result.notifications += notified
    return raised


def _notify(cursor, result, now) -> None:
    """The outbox rows of the findings this run raised (where ``_raise`` does not write them
    itself): those whose ``created_at`` is this run's timestamp (runs are serialised by the
    lock, so it is unique). The history starts with the finding's own ``created_at``; events
    record what happens after."""
    d = _Dialect(connection.vendor)
    now_param = connection.ops.adapt_datetimefield_value(now)
    result.notifications = _execute(
        cursor,
        f"""
        INSERT INTO findings_outbox ({_OUTBOX_COLUMNS})
        {_outbox_select("(SELECT * FROM findings_finding WHERE created_at = %s)", d.false())}
        """,  # noqa: S608 (constants and model table names, values as params)
        [now_param, now_param, now_param],
    )
