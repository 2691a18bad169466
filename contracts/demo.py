"""Contracts' part of the demo (``core.demo``): companies, contracts and their obligations.

Named in ``ContractsConfig.demo_seeders``; they run after territory's seeders, over the
published map those wrote (``territory.demo``), and build the contracts from what the published
files say, marking what they invent:

- **Green spaces, lots 11–14.** Lots 11 and 12 state their company, monthly amount (IVA
  included), period (2021) and number of spaces: those become contracts ``PARTIDA-11`` and
  ``PARTIDA-12`` exactly as ``import_spaces`` makes them (``contracts.imports``). Their period
  is over, so each lot also gets a contract in force this calendar year, ``DEMO-AV-0NN/<year>``,
  of the same company at the same monthly amount, whose description says it is invented. Lots
  13 and 14 name no company: their ``DEMO-`` contracts go to "Empresa ficticia de demostración
  (partida N)" at an invented amount.
- **Garbage collection and street lighting.** One contract in force this year per contractor the
  folders name (``DEMO-RB-NN/<year>`` and ``DEMO-AP-NN/<year>``), over its areas; period and
  amount are invented, and the description lists the contract numbers the folders publish
  ("CD08-11", "OM-23/12-A"…).

Upserted by natural keys (legal name, contract number), so a second run leaves the same rows.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.demo import DEMO_EMAIL_DOMAIN, DemoContext
from territory.demo import (
    CLEANING,
    GARBAGE,
    GREEN,
    GREEN_LOTS,
    LIGHTING,
    PARKS,
    STREET_LIGHTING,
    contractor_key,
    green_key,
)
from territory.imports import CONTRACT_NUMBER_RE
from territory.models import PublicSpace

from .imports import lot_contract_number, lot_contract_upsert
from .models import Company, Contract, Obligation
from .services import company_upsert, contract_add_coverage, contract_upsert, obligation_add

DEMO_COMPANY = "Empresa ficticia de demostración (partida {lot})"
# About what lots 11 and 12 publish per space and month (337,000 / 77 and 313,700 / 62).
GREEN_MONTHLY_PER_SPACE = Decimal("4700.00")
GARBAGE_MONTHLY_BASE, GARBAGE_MONTHLY_PER_AREA = Decimal("250000.00"), Decimal("45000.00")
LIGHTING_MONTHLY_PER_AREA = Decimal("18500.00")
INVENTED = (
    "Contrato de demostración: el periodo y el monto son ficticios; el archivo publicado por la "
    "Sindicatura (Vigila tu ciudad, 2021) no los indica."
)
GREEN_OBLIGATIONS = [
    ("Corte de pasto y deshierbe", 15, None),
    ("Recolección de basura y limpieza general", 7, None),
    ("Riego de áreas verdes", 3, None),
    ("Poda de árboles y arbustos", 90, None),
    ("Reparación de mobiliario urbano (bancas, juegos infantiles, bebederos)", None, 72),
]
LIGHTING_OBLIGATIONS = [("Reparación de luminaria apagada o dañada", None, 48)]
GARBAGE_OBLIGATIONS = [
    ("Recolección domiciliaria de basura", 3, None),
    ("Limpieza de tiradero clandestino reportado", None, 72),
]


def _obligations(contract: Contract, obligations: list[tuple[str, int | None, int | None]]):
    existing = set(Obligation.objects.filter(contract=contract).values_list("task", flat=True))
    for task, frequency_days, response_time_hours in obligations:
        if task not in existing:
            obligation_add(
                contract=contract,
                task=task,
                frequency_days=frequency_days,
                response_time_hours=response_time_hours,
            )


def _contract_period(context: DemoContext) -> dict:
    """This calendar year, so the contracts are in force whenever the demo is loaded."""
    year = context.today.year
    return {
        "start_date": datetime.date(year, 1, 1),
        "end_date": datetime.date(year, 12, 31),
    }


def _company(context: DemoContext, legal_name: str) -> Company:
    """The company as published (or the demo's own), with an invented demo contact address."""
    handle = slugify(legal_name.split(" S.A.")[0]).replace("-", "")[:24]
    company, _created = company_upsert(
        municipality=context.chihuahua,
        legal_name=legal_name,
        email=f"contacto.{handle}@{DEMO_EMAIL_DOMAIN}",
        address="Chihuahua, Chih.",
    )
    return company


def seed_green_contracts(context: DemoContext) -> None:
    """Lots 11–14: the published contracts of lots 11 and 12, and one in force per lot."""
    # The summary seed_demo prints, counted once everything is loaded.
    context.count(_("Companies"), Company.objects.all())
    context.count(_("Contracts"), Contract.objects.all())
    municipality = context.chihuahua
    period = _contract_period(context)
    service_type = context.service_types[GREEN]
    for lot in GREEN_LOTS:
        parsed = context.real_files[green_key(lot)]
        spaces = list(
            PublicSpace.objects.filter(
                municipality=municipality, code__in=context.space_codes_by_zone[lot]
            )
        )
        if parsed.terms is not None:
            published = lot_contract_upsert(
                municipality=municipality,
                parsed=parsed,
                number=lot_contract_number(parsed),
                service_type=service_type,
                directorate=context.directorates[PARKS],
            )
            contract_add_coverage(contract=published, spaces=spaces)
            context.contracts.append(published)
            company = _company(context, parsed.terms.company)
            monthly = parsed.terms.monthly_amount
            description = (
                f"Mantenimiento de los {len(spaces)} espacios públicos de la partida {lot}. "
                f"Contrato de demostración: continúa en {period['start_date'].year} el contrato "
                f"{published.number} publicado (vigencia {published.start_date:%d/%m/%Y} – "
                f"{published.end_date:%d/%m/%Y}) con la misma empresa y el mismo monto mensual; "
                "el periodo es ficticio."
            )
        else:
            company = _company(context, DEMO_COMPANY.format(lot=lot))
            monthly = GREEN_MONTHLY_PER_SPACE * len(spaces)
            description = (
                f"Mantenimiento de los {len(spaces)} espacios públicos de la partida {lot}. "
                "Contrato de demostración: el archivo publicado de esta partida no nombra "
                "empresa, monto ni vigencia; los tres son ficticios."
            )
        contract, _created = contract_upsert(
            municipality=municipality,
            number=f"DEMO-AV-{lot:03d}/{period['start_date'].year}",
            lot=str(lot),
            title=f"Mantenimiento de áreas verdes, partida {lot}",
            company=company,
            service_type=service_type,
            directorate=context.directorates[PARKS],
            procurement_method=Contract.ProcurementMethod.OPEN,
            monthly_amount=monthly,
            total_amount=monthly * 12,
            amounts_include_vat=True,
            description=description,
            **period,
        )
        contract_add_coverage(contract=contract, spaces=spaces)
        _obligations(contract, GREEN_OBLIGATIONS)
        context.contracts.append(contract)


def _contractor_contracts(
    context: DemoContext,
    *,
    service: str,
    prefix: str,
    title: str,
    directorate: str,
    monthly_for,
    obligations,
) -> None:
    """One contract in force per contractor of the service's published file, over its areas."""
    parsed = context.real_files[service]
    named: dict[str, set[str]] = defaultdict(set)
    for feature in parsed.features:
        named[feature.company].update(CONTRACT_NUMBER_RE.findall(feature.layer))
    period = _contract_period(context)
    for index, company_name in enumerate(sorted(named), start=1):
        areas = context.service_areas[contractor_key(service, company_name)]
        published = ", ".join(sorted(named[company_name]))
        monthly = monthly_for(len(areas))
        contract, _created = contract_upsert(
            municipality=context.chihuahua,
            number=f"DEMO-{prefix}-{index:02d}/{period['start_date'].year}",
            title=f"{title} ({company_name})",
            company=_company(context, company_name),
            service_type=context.service_types[service],
            directorate=context.directorates[directorate],
            procurement_method=Contract.ProcurementMethod.OPEN,
            monthly_amount=monthly,
            total_amount=monthly * 12,
            description=(
                f"{len(areas)} áreas publicadas de {company_name}. "
                + (f"Contratos publicados: {published}. " if published else "")
                + INVENTED
            ),
            **period,
        )
        contract_add_coverage(contract=contract, service_areas=areas)
        _obligations(contract, obligations)
        context.contracts.append(contract)


def seed_lighting_contracts(context: DemoContext) -> None:
    """Street lighting: one contract per contractor of the published lighting file."""
    _contractor_contracts(
        context,
        service=LIGHTING,
        prefix="AP",
        title="Mantenimiento del alumbrado público",
        directorate=STREET_LIGHTING,
        monthly_for=lambda areas: LIGHTING_MONTHLY_PER_AREA * areas,
        obligations=LIGHTING_OBLIGATIONS,
    )


def seed_garbage_contract(context: DemoContext) -> None:
    """Garbage collection: one contract per contractor of the published routes file."""
    _contractor_contracts(
        context,
        service=GARBAGE,
        prefix="RB",
        title="Recolección de residuos sólidos urbanos",
        directorate=CLEANING,
        monthly_for=lambda areas: GARBAGE_MONTHLY_BASE + GARBAGE_MONTHLY_PER_AREA * areas,
        obligations=GARBAGE_OBLIGATIONS,
    )
