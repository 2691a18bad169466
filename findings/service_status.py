"""Writes of the service status that card results are checked against: work logs (work done)
and known issues (open work orders), from the admin, the CSV imports and client systems'
API, and when a directorate's work logs start counting. Idempotent on a client's
``external_id``."""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from contracts.models import Contract
from territory.models import Directorate, Municipality, PublicSpace, ServiceArea, ServiceType

from .models import ApiClient, DirectorateSettings, KnownIssue, Source, WorkLog

_Row = TypeVar("_Row", WorkLog, KnownIssue)


def _check_place(
    *,
    municipality: Municipality,
    service_type: ServiceType,
    space: PublicSpace | None,
    service_area: ServiceArea | None,
) -> None:
    errors = {}
    if space is None and service_area is None:
        errors["space"] = _("Give a public space or a service area.")
    if service_type.municipality_id != municipality.pk:
        errors["service_type"] = _("Unknown service.")
    if space is not None and space.municipality_id != municipality.pk:
        errors["space"] = _("Unknown public space.")
    if service_area is not None and service_area.municipality_id != municipality.pk:
        errors["service_area"] = _("Unknown service area.")
    if errors:
        raise ValidationError(errors)


def _check_client_scope(
    *,
    api_client: ApiClient | None,
    service_type: ServiceType,
    space: PublicSpace | None,
    service_area: ServiceArea | None,
    contract: Contract | None,
    day: datetime.date,
) -> None:
    """What a client system may write about: a company's client only the spaces and areas
    under that company's contracts for the service (in force on ``day``), a directorate's
    client only the services in its charge. Otherwise a contractor could post a work log or a
    known issue on a competitor's park and silence the findings of its cards."""
    if api_client is None:
        return
    errors = {}
    company = api_client.company  # no query for an empty key: the descriptor sees it
    if company is not None:
        contracts = Contract.objects.filter(
            company_id=company.pk, service_type_id=service_type.pk
        ).active_on(day)
        if contract is not None:
            if contract.company_id != company.pk:
                errors["contract"] = _("Contract %(number)s is not held by %(company)s.") % {
                    "number": contract.number,
                    "company": company,
                }
            contracts = contracts.filter(pk=contract.pk)
        if space is not None:
            covers = Q(spaces=space)
            if space.centroid is not None:
                covers |= Q(service_areas__geometry__intersects=space.centroid)
            if not contracts.filter(covers).exists():
                errors["space"] = _(
                    "%(place)s is not under a contract of %(company)s for this service."
                ) % {"place": space, "company": company}
        if service_area is not None and not contracts.filter(service_areas=service_area).exists():
            errors["service_area"] = _(
                "%(place)s is not under a contract of %(company)s for this service."
            ) % {"place": service_area, "company": company}
    elif (directorate := api_client.directorate) is not None:
        if contract is not None and contract.directorate_id != directorate.pk:
            errors["contract"] = _("Contract %(number)s is not in the charge of %(name)s.") % {
                "number": contract.number,
                "name": directorate,
            }
        if not directorate.services.filter(pk=service_type.pk).exists():
            errors["service"] = _("%(name)s is not in charge of this service.") % {
                "name": directorate
            }
    if errors:
        raise ValidationError(errors)


def _existing(
    model: type[_Row],
    *,
    municipality: Municipality,
    api_client: ApiClient | None,
    external_id: str,
) -> _Row | None:
    """The row a repeated ``external_id`` names: ids are the sending system's own, so a
    client's are looked up among its rows only, and the imports' among theirs."""
    if not external_id:
        return None
    rows = model.objects.filter(municipality=municipality, external_id=external_id)
    if api_client is not None:
        return rows.filter(api_client=api_client).first()
    return rows.filter(api_client__isnull=True).exclude(source=Source.API).first()


def _create_once(
    model: type[_Row], *, audit_as: ApiClient | None, **fields: Any
) -> tuple[_Row, bool]:
    """Inserts the row, or returns the one a concurrent post with the same external id
    inserted first. A client's post is recorded in the audit trail (the CSV import records one
    entry per file instead: ``imports.service_status_import``)."""
    try:
        with transaction.atomic():
            row = model.objects.create(**fields)
            if audit_as is not None:
                audit_record(instance=row, action="create", system=f"API: {audit_as.name}")
    except IntegrityError:
        existing = _existing(
            model,
            municipality=fields["municipality"],
            api_client=fields.get("api_client"),
            external_id=fields.get("external_id", ""),
        )
        if existing is None:
            raise
        return existing, False
    return row, True


def work_log_create(
    *,
    municipality: Municipality,
    service_type: ServiceType,
    done_on: datetime.date,
    description: str,
    space: PublicSpace | None = None,
    service_area: ServiceArea | None = None,
    contract: Contract | None = None,
    item_code: str = "",
    reported_by: str = "directorate",
    source: str = "admin",
    api_client: ApiClient | None = None,
    external_id: str = "",
) -> tuple[WorkLog, bool]:
    """Records work done. Idempotent on ``external_id`` (within the client that sent it): the
    same id again returns the existing row and ``False``. A client's rows are reported as
    the client reports (``ApiClient.reported_by``), whatever it says."""
    _check_place(
        municipality=municipality, service_type=service_type, space=space, service_area=service_area
    )
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    _check_client_scope(
        api_client=api_client,
        service_type=service_type,
        space=space,
        service_area=service_area,
        contract=contract,
        day=done_on,
    )
    existing = _existing(
        WorkLog, municipality=municipality, api_client=api_client, external_id=external_id
    )
    if existing is not None:
        return existing, False
    return _create_once(
        WorkLog,
        audit_as=api_client,
        municipality=municipality,
        service_type=service_type,
        space=space,
        service_area=service_area,
        contract=contract,
        done_on=done_on,
        description=description,
        item_code=item_code,
        reported_by=api_client.reported_by if api_client else reported_by,
        source=source,
        api_client=api_client,
        external_id=external_id,
    )


def known_issue_create(
    *,
    municipality: Municipality,
    service_type: ServiceType,
    since: datetime.date,
    description: str,
    space: PublicSpace | None = None,
    service_area: ServiceArea | None = None,
    item_code: str = "",
    status: str = KnownIssue.Status.OPEN,
    reported_by: str = "directorate",
    source: str = "admin",
    api_client: ApiClient | None = None,
    external_id: str = "",
) -> tuple[KnownIssue, bool]:
    """Records a known issue (an open work order). Idempotent on ``external_id`` within the
    client; a client may report issues only where it works today (``_check_client_scope``)."""
    _check_place(
        municipality=municipality, service_type=service_type, space=space, service_area=service_area
    )
    _check_client_scope(
        api_client=api_client,
        service_type=service_type,
        space=space,
        service_area=service_area,
        contract=None,
        day=timezone.localdate(),
    )
    existing = _existing(
        KnownIssue, municipality=municipality, api_client=api_client, external_id=external_id
    )
    if existing is not None:
        return existing, False
    return _create_once(
        KnownIssue,
        audit_as=api_client,
        municipality=municipality,
        service_type=service_type,
        space=space,
        service_area=service_area,
        since=since,
        description=description,
        item_code=item_code,
        status=status,
        closed_on=timezone.localdate() if status == KnownIssue.Status.CLOSED else None,
        reported_by=api_client.reported_by if api_client else reported_by,
        source=source,
        api_client=api_client,
        external_id=external_id,
    )


def directorate_work_logs_since_set(
    *, directorate: Directorate, since: datetime.date | None
) -> DirectorateSettings:
    """From ``since`` on, every job of the directorate's contracts is recorded as a work log:
    its obligations are checked for overdue work (``reconcile.directorates_checked_since``)."""
    row, _created = DirectorateSettings.objects.update_or_create(
        directorate=directorate, defaults={"work_logs_since": since}
    )
    return row
