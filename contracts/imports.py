"""Imports public spaces or service areas (``territory.imports``) and the contract covering them.

What the ``import_spaces`` command runs. ``territory.imports`` reads and writes the geometry;
this module checks the contract named by ``--contract`` before anything is written, creates or
updates the contract of a green-space lot whose descriptions state its company, amount and period
(lots 11 and 12), and covers the imported spaces or areas with it, all in one transaction.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from territory.imports import (
    SERVICES,
    ImportReport,
    ParsedFile,
    SpaceImportError,
    features_write,
    parse_file,
    service_type_for_code,
)
from territory.models import Municipality, ServiceType

from .models import Company, Contract
from .services import company_upsert, contract_add_coverage, contract_upsert


@dataclass
class ContractImportReport(ImportReport):
    contract: Contract | None = None
    contract_created: bool = False
    company: Company | None = None
    company_created: bool = False


def import_spaces_file(
    *,
    municipality: Municipality,
    path: Path | str,
    contract_number: str | None = None,
    service_code: str | None = None,
    progress: bool | None = None,
) -> ContractImportReport:
    """Imports the public spaces or service areas of a KML or GeoJSON file.

    Spaces are updated by code and areas by (service, code), so a re-import never duplicates.
    A contract named by ``contract_number`` must exist, except for a lot whose descriptions
    state its company, amount and period (lots 11 and 12): that contract is created or updated.
    Without any contract, spaces stay in charge of the service's directorate.
    """
    report = ContractImportReport()
    parsed = parse_file(
        path=Path(path), service_code=service_code, report=report, municipality=municipality
    )
    contract = _existing_contract(municipality=municipality, number=contract_number)
    existing_service = ServiceType.objects.filter(
        municipality=municipality, code=parsed.service_code
    ).first()
    if existing_service is None and parsed.service_code not in SERVICES:
        service_type_for_code(municipality=municipality, code=parsed.service_code)  # raises
    if contract_number and contract is None and parsed.terms is None:
        raise SpaceImportError(
            _("Contract %(number)s does not exist in %(municipality)s; create it first.")
            % {"number": contract_number, "municipality": municipality.name}
        )
    if contract is not None and parsed.terms is None:
        expected = existing_service.pk if existing_service else None
        if contract.service_type_id != expected:
            raise SpaceImportError(
                _("Contract %(number)s is for %(service)s, not for the service of this file.")
                % {"number": contract.number, "service": contract.service_type}
            )
    companies_named = sorted({f.company for f in parsed.features if f.company})
    report.companies_named = companies_named
    report.contracts_named = parsed.contracts_named
    if contract is not None and report.target == "areas" and len(companies_named) > 1:
        raise SpaceImportError(
            _(
                "The file names %(count)s companies (%(companies)s); one contract cannot cover "
                "them all. Import one company's areas at a time."
            )
            % {"count": len(companies_named), "companies": ", ".join(companies_named)}
        )

    with transaction.atomic():
        records = features_write(
            municipality=municipality, parsed=parsed, report=report, progress=progress
        )
        if parsed.terms is not None:
            contract = _upsert_lot_contract(
                municipality=municipality,
                parsed=parsed,
                number=contract_number or lot_contract_number(parsed),
                service_type=report.service_type,
                directorate=report.directorate,
                report=report,
            )
        if contract is not None:
            report.contract = contract
            report.company = report.company or contract.company
            if report.target == "spaces":
                contract_add_coverage(contract=contract, spaces=records)
            else:
                contract_add_coverage(contract=contract, service_areas=records)
        else:
            report.uncovered = len(records)
    return report


def lot_contract_number(parsed: ParsedFile) -> str:
    """The number a lot's contract gets when the caller names none: ``PARTIDA-11``."""
    return f"PARTIDA-{parsed.lot or '?'}"


def _existing_contract(*, municipality: Municipality, number: str | None) -> Contract | None:
    if not number:
        return None
    return (
        Contract.objects.filter(municipality=municipality, number=number)
        .select_related("company", "service_type")
        .first()
    )


def lot_contract_upsert(
    *,
    municipality: Municipality,
    parsed: ParsedFile,
    number: str,
    service_type: ServiceType,
    directorate,
) -> Contract:
    """The contract of a lot whose descriptions state its terms (lots 11 and 12), as
    ``import_spaces_file`` makes it, for a caller that wrote the spaces itself (the demo)."""
    return _upsert_lot_contract(
        municipality=municipality,
        parsed=parsed,
        number=number,
        service_type=service_type,
        directorate=directorate,
        report=ContractImportReport(),
    )


def _upsert_lot_contract(
    *, municipality, parsed: ParsedFile, number, service_type, directorate, report
) -> Contract:
    terms = parsed.terms
    company, report.company_created = company_upsert(
        municipality=municipality, legal_name=terms.company
    )
    report.company = company
    current = _existing_contract(municipality=municipality, number=number)
    # contract_upsert writes every field: keep what the file does not state.
    contract, report.contract_created = contract_upsert(
        municipality=municipality,
        number=number,
        company=company,
        service_type=service_type,
        directorate=current.directorate if current else directorate,
        start_date=terms.start_date,
        end_date=terms.end_date,
        lot=parsed.lot,
        title=(current.title if current and current.title else parsed.title),
        procurement_method=(
            current.procurement_method if current else Contract.ProcurementMethod.OPEN
        ),
        monthly_amount=terms.monthly_amount,
        total_amount=current.total_amount if current else None,
        amounts_include_vat=terms.amounts_include_vat,
        description=current.description if current else "",
    )
    return contract
