"""CSV import of service status, shared by ``manage.py import_service_status`` and the admin
upload. All or nothing: every row is validated first (with the API's serializers, so the rules
are the same); one bad row and nothing is saved, with a report of every bad row."""

from __future__ import annotations

import csv
import dataclasses
import io

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_append
from territory.models import Municipality

from .api.serializers import KnownIssueSerializer, WorkLogSerializer
from .models import Source
from .service_status import known_issue_create, work_log_create

KINDS = {
    "work-logs": (WorkLogSerializer, work_log_create),
    "known-issues": (KnownIssueSerializer, known_issue_create),
}


@dataclasses.dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    skipped: int = 0  # already imported (same external_id)
    errors: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _flatten(errors) -> str:
    parts = []
    for field, messages in errors.items():
        if isinstance(messages, dict):
            messages = [_flatten(messages)]
        parts.append(f"{field}: {' '.join(str(m) for m in messages)}")
    return "; ".join(parts)


def read_csv(data: bytes | str) -> list[dict]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text))
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]


def service_status_import(
    *,
    municipality: Municipality,
    kind: str,
    rows: list[dict],
    reported_by: str = "directorate",
    actor=None,
) -> ImportReport:
    """Validates every row, then saves them all in one transaction with one audit entry that
    lists the ids created (one entry per file, not per row: files have thousands of rows)."""
    serializer_class, create = KINDS[kind]
    report = ImportReport(rows=len(rows))
    valid = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        row = {k: v for k, v in row.items() if v != ""}
        row.setdefault("reported_by", reported_by)
        serializer = serializer_class(data=row, context={"municipality": municipality})
        if serializer.is_valid():
            valid.append((line, serializer.validated_data))
        else:
            report.errors.append((line, _flatten(serializer.errors)))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            created_ids = []
            for line, data in valid:
                try:
                    row, created = create(municipality=municipality, source=Source.CSV, **data)
                except ValidationError as error:
                    report.errors.append((line, " ".join(error.messages)))
                    continue
                if created:
                    created_ids.append(row.pk)
                report.created += created
                report.skipped += not created
            if report.errors:
                raise _Rollback
            if created_ids:
                audit_append(
                    municipality_id=municipality.pk,
                    action="create",
                    object_type=serializer_class.Meta.model._meta.label_lower,
                    object_repr=f"CSV import ({kind})",
                    changes={"ids": [None, created_ids], "skipped": [None, report.skipped]},
                    actor=actor,
                    system="" if actor else "service_status_import",
                )
    except _Rollback:
        report.created = report.skipped = 0
    return report


class _Rollback(Exception):
    pass
