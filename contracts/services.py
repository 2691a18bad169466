"""Writes for companies and contracts; views, admin, commands and imports all call these."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record, audit_snapshot
from territory.models import Directorate, Municipality, PublicSpace, ServiceArea, ServiceType

from .models import Company, Contract, ContractDocument, Obligation


def company_upsert(
    *,
    municipality: Municipality,
    legal_name: str,
    rfc: str = "",
    contact_name: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
) -> tuple[Company, bool]:
    """The company with this legal name, created or completed with the details given."""
    company, created = Company.objects.get_or_create(
        municipality=municipality, legal_name=legal_name.strip()
    )
    changed = False
    for field, value in {
        "rfc": rfc.strip().upper(),
        "contact_name": contact_name,
        "email": email,
        "phone": phone,
        "address": address,
    }.items():
        if value and getattr(company, field) != value:
            setattr(company, field, value)
            changed = True
    if changed:
        company.full_clean()
        company.save()
    return company, created


@transaction.atomic
def contract_upsert(
    *,
    municipality: Municipality,
    number: str,
    company: Company,
    service_type: ServiceType,
    directorate: Directorate,
    start_date: datetime.date,
    end_date: datetime.date,
    lot: str = "",
    title: str = "",
    procurement_method: str = Contract.ProcurementMethod.OPEN,
    monthly_amount: Decimal | None = None,
    total_amount: Decimal | None = None,
    amounts_include_vat: bool = True,
    description: str = "",
    actor: User | None = None,
) -> tuple[Contract, bool]:
    """Creates or updates the contract with this number in the municipality."""
    existing = Contract.objects.filter(municipality=municipality, number=number).first()
    created = existing is None
    before = None if existing is None else audit_snapshot(existing)
    contract = existing or Contract(municipality=municipality, number=number)
    contract.company = company
    contract.service_type = service_type
    contract.directorate = directorate
    contract.start_date = start_date
    contract.end_date = end_date
    contract.lot = lot
    contract.title = title
    contract.procurement_method = procurement_method
    contract.monthly_amount = monthly_amount
    contract.total_amount = total_amount
    contract.amounts_include_vat = amounts_include_vat
    contract.description = description
    contract.full_clean()
    contract.save()
    audit_record(
        instance=contract, action="create" if created else "update", actor=actor, before=before
    )
    return contract, created


@transaction.atomic
def contract_add_coverage(
    *,
    contract: Contract,
    spaces: Iterable[PublicSpace] = (),
    service_areas: Iterable[ServiceArea] = (),
    actor: User | None = None,
) -> None:
    """Adds spaces or service areas to what the contract covers (existing ones are kept)."""
    spaces = list(spaces)
    service_areas = list(service_areas)
    # What is really new, for the audit trail (the demo and imports add the same sites again).
    added = {
        "spaces added": {s.pk for s in spaces}
        - set(contract.spaces.values_list("pk", flat=True) if spaces else ()),
        "service_areas added": {a.pk for a in service_areas}
        - set(contract.service_areas.values_list("pk", flat=True) if service_areas else ()),
    }
    if spaces:
        contract.spaces.add(*spaces)
    if service_areas:
        contract.service_areas.add(*service_areas)
    if spaces or service_areas:
        Contract.objects.filter(pk=contract.pk).update(updated_at=timezone.now())
    if any(added.values()):
        audit_record(
            instance=contract,
            action="update",
            actor=actor,
            before=audit_snapshot(contract),
            extra={name: [None, sorted(pks)] for name, pks in added.items() if pks},
        )


@transaction.atomic
def obligation_add(
    *,
    contract: Contract,
    task: str,
    frequency_days: int | None = None,
    response_time_hours: int | None = None,
    notes: str = "",
    actor: User | None = None,
) -> Obligation:
    obligation = Obligation(
        contract=contract,
        task=task,
        frequency_days=frequency_days,
        response_time_hours=response_time_hours,
        notes=notes,
    )
    obligation.full_clean()
    obligation.save()
    audit_record(instance=obligation, action="create", actor=actor)
    # The contract's published release (OCDS) and its date follow its obligations.
    Contract.objects.filter(pk=contract.pk).update(updated_at=timezone.now())
    return obligation


@transaction.atomic
def contract_document_add(
    *, contract: Contract, title: str, file: File, actor: User | None = None
) -> ContractDocument:
    """Attaches a PDF to the contract (validated as every contract document:
    ``contracts.validators.validate_pdf``); the contract's release (OCDS) follows it."""
    document = ContractDocument(contract=contract, title=title.strip())
    document.file = file
    document.full_clean()
    document.save()
    audit_record(
        instance=document, action="create", actor=actor, municipality_id=contract.municipality_id
    )
    Contract.objects.filter(pk=contract.pk).update(updated_at=timezone.now())
    return document
