"""Import of contracts from an OCDS release package (a transparency portal's export).

Each release becomes a contract: its supplier a company (by RFC, else by name), its procuring
entity a directorate (by name, else the one given, else the one in charge of the service), its
items the public spaces or service areas with those codes. A re-import updates the same
contracts (by number) and adds coverage, never duplicates. A file imports whole or not at all:
every release is tried and every error reported, then nothing is kept if any failed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import Company, Contract
from contracts.services import (
    company_upsert,
    contract_add_coverage,
    contract_upsert,
    obligation_add,
)
from territory.models import Directorate, Municipality, PublicSpace, ServiceArea, ServiceType

PROCUREMENT_METHODS = {
    "open": Contract.ProcurementMethod.OPEN,
    "selective": Contract.ProcurementMethod.SELECTIVE,
    "limited": Contract.ProcurementMethod.SELECTIVE,  # invitación restringida
    "direct": Contract.ProcurementMethod.DIRECT,
}


class OcdsImportError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


class _ReleaseError(Exception):
    pass


@dataclass
class OcdsImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unknown_items: dict[str, list[str]] = field(default_factory=dict)


def _date(value: object, what: str) -> datetime.date:
    if not value:
        raise _ReleaseError(_("%(what)s is missing.") % {"what": what})
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError as error:
        raise _ReleaseError(
            _("%(what)s is not a date: %(value)s.") % {"what": what, "value": value}
        ) from error


def _party(release: dict, role: str) -> dict | None:
    return next((p for p in release.get("parties") or [] if role in (p.get("roles") or [])), None)


def _company(municipality: Municipality, release: dict) -> Company:
    supplier = _party(release, "supplier")
    if supplier is None:
        awards = release.get("awards") or [{}]
        supplier = (awards[0].get("suppliers") or [None])[0]
    if not supplier or not (supplier.get("name") or "").strip():
        raise _ReleaseError(_("It names no supplier."))
    identifier = supplier.get("identifier") or {}
    rfc = (
        str(identifier.get("id") or "").strip().upper()
        if identifier.get("scheme") == "MX-RFC"
        else ""
    )
    if rfc:
        existing = Company.objects.filter(municipality=municipality, rfc=rfc).first()
        if existing is not None:
            return existing
    name = (identifier.get("legalName") or supplier["name"]).strip()
    try:
        company, _created = company_upsert(municipality=municipality, legal_name=name, rfc=rfc)
    except ValidationError as error:
        raise _ReleaseError(
            _("Supplier %(name)s: %(errors)s") % {"name": name, "errors": " ".join(error.messages)}
        ) from error
    return company


def _directorate(
    municipality: Municipality,
    release: dict,
    service_type: ServiceType,
    default: Directorate | None,
) -> Directorate:
    entity = _party(release, "procuringEntity") or (release.get("tender") or {}).get(
        "procuringEntity"
    )
    if entity and entity.get("name"):
        found = Directorate.objects.filter(
            municipality=municipality, name__iexact=entity["name"].strip()
        ).first()
        if found is not None:
            return found
    found = default or service_type.directorates.order_by("pk").first()
    if found is None:
        raise _ReleaseError(
            _("The procuring entity %(name)s is not a directorate of the municipality.")
            % {"name": (entity or {}).get("name", "?")}
        )
    return found


def _value(contract: dict, award: dict) -> Decimal | None:
    value = contract.get("value") or award.get("value") or {}
    if value.get("amount") is None:
        return None
    if value.get("currency", "MXN") != "MXN":
        raise _ReleaseError(
            _("The value is in %(currency)s; only MXN is accepted.")
            % {"currency": value.get("currency")}
        )
    try:
        return Decimal(str(value["amount"])).quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise _ReleaseError(
            _("The value %(amount)s is not a number.") % {"amount": value["amount"]}
        ) from error


def _title(ocds_contract: dict, tender: dict, number: str, existing: Contract | None) -> str:
    title = (ocds_contract.get("title") or tender.get("title") or "").strip()[:300]
    if title == number:  # publishers (this portal too) fall back on the number for a title
        return existing.title if existing else ""
    return title


def _obligations(contract: Contract, metrics: list[dict]) -> None:
    """Obligations from agreedMetrics measured in days or hours (as this portal publishes them);
    one with the same task is not added twice."""
    existing = set(contract.obligations.values_list("task", flat=True))
    for metric in metrics:
        task = (metric.get("title") or "").strip()[:250]
        if not task or task in existing:
            continue
        measures = {
            (o.get("unit") or {}).get("name"): o.get("measure")
            for o in metric.get("observations") or []
        }
        days, hours = measures.get("days"), measures.get("hours")
        if not isinstance(days, int) and not isinstance(hours, int):
            continue
        obligation_add(
            contract=contract,
            task=task,
            frequency_days=days if isinstance(days, int) else None,
            response_time_hours=hours if isinstance(hours, int) else None,
            notes=(metric.get("description") or "")[:300],
        )
        existing.add(task)


def _import_release(
    *,
    municipality: Municipality,
    release: dict,
    service_type: ServiceType,
    directorate: Directorate | None,
    report: OcdsImportReport,
) -> None:
    ocds_contract = (release.get("contracts") or [{}])[0]
    award = (release.get("awards") or [{}])[0]
    tender = release.get("tender") or {}
    number = str(ocds_contract.get("id") or ocds_contract.get("title") or "").strip()[:80]
    if not number:
        raise _ReleaseError(_("Its contract has neither an id nor a title."))
    period = ocds_contract.get("period") or award.get("contractPeriod") or {}
    start = _date(period.get("startDate"), _("The contract's start date"))
    end = _date(period.get("endDate"), _("The contract's end date"))
    method = tender.get("procurementMethod") or "open"
    if method not in PROCUREMENT_METHODS:
        raise _ReleaseError(
            _("Unknown procurement method %(method)s (open, selective, limited or direct).")
            % {"method": method}
        )
    existing = Contract.objects.filter(municipality=municipality, number=number).first()
    company = _company(municipality, release)
    try:
        contract, created = contract_upsert(
            municipality=municipality,
            number=number,
            company=company,
            service_type=existing.service_type if existing else service_type,
            directorate=_directorate(municipality, release, service_type, directorate),
            start_date=start,
            end_date=end,
            # OCDS has no lot nor monthly amount: a re-import keeps the ones recorded.
            lot=existing.lot if existing else "",
            monthly_amount=existing.monthly_amount if existing else None,
            title=_title(ocds_contract, tender, number, existing),
            procurement_method=PROCUREMENT_METHODS[method],
            total_amount=_value(ocds_contract, award),
            amounts_include_vat=(ocds_contract.get("value") or {}).get(
                "valueAddedTaxIncluded", existing.amounts_include_vat if existing else True
            ),
            description=existing.description if existing else "",
        )
    except ValidationError as error:
        raise _ReleaseError(" ".join(error.messages)) from error
    codes = [str(item.get("id")) for item in ocds_contract.get("items") or [] if item.get("id")]
    spaces = list(PublicSpace.objects.filter(municipality=municipality, code__in=codes))
    areas = list(
        ServiceArea.objects.filter(
            municipality=municipality, service_type=contract.service_type, code__in=codes
        )
    )
    contract_add_coverage(contract=contract, spaces=spaces, service_areas=areas)
    known = {space.code for space in spaces} | {area.code for area in areas}
    unknown = [code for code in codes if code not in known]
    if unknown:
        report.unknown_items[number] = unknown
    _obligations(contract, ocds_contract.get("agreedMetrics") or [])
    (report.created if created else report.updated).append(number)


def ocds_package_import(
    *,
    municipality: Municipality,
    package: dict,
    service_code: str = "green-spaces",
    directorate_name: str = "",
) -> OcdsImportReport:
    """Imports every release of the package, or none (see the module's docstring)."""
    if not isinstance(package, dict):
        raise OcdsImportError([_("The file is not an OCDS release package (a JSON object).")])
    releases = package.get("releases") if "releases" in package else [package]
    if not isinstance(releases, list) or not releases:
        raise OcdsImportError([_("The package has no releases.")])
    service_type = ServiceType.objects.filter(municipality=municipality, code=service_code).first()
    if service_type is None:
        raise OcdsImportError(
            [
                _("The service %(code)s does not exist in %(municipality)s.")
                % {"code": service_code, "municipality": municipality.name}
            ]
        )
    directorate = None
    if directorate_name:
        directorate = Directorate.objects.filter(
            municipality=municipality, name__iexact=directorate_name
        ).first()
        if directorate is None:
            raise OcdsImportError(
                [_("There is no directorate named %(name)s.") % {"name": directorate_name}]
            )
    report = OcdsImportReport()
    errors = []
    with transaction.atomic():
        for position, release in enumerate(releases, start=1):
            label = (
                release.get("ocid") or release.get("id") or f"#{position}"
                if isinstance(release, dict)
                else f"#{position}"
            )
            try:
                if not isinstance(release, dict):
                    raise _ReleaseError(_("It is not a JSON object."))
                with transaction.atomic():
                    _import_release(
                        municipality=municipality,
                        release=release,
                        service_type=service_type,
                        directorate=directorate,
                        report=report,
                    )
            except _ReleaseError as error:
                errors.append(
                    _("Release %(release)s: %(error)s") % {"release": label, "error": error}
                )
        if errors:
            raise OcdsImportError(errors)  # rolls the whole file back
    return report
