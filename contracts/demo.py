"""Contracts' part of the demo (``core.demo``): companies, contracts and their obligations.

Named in ``ContractsConfig.demo_seeders``; they run after territory's seeders and cover what
those made (``territory.demo``): 11 green-space maintenance contracts (lots 11–21, one company
each, lot N over zone N's spaces), 2 street-lighting contracts of one company over the west and
the east lighting sectors, and 1 garbage-collection contract over the collection routes; all run
this calendar year. Upserted by natural keys (RFC, contract number), so a second run leaves the
same rows. Companies, RFCs and amounts are invented.
"""

import datetime
from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.demo import DEMO_EMAIL_DOMAIN, DemoContext
from territory.demo import (
    CLEANING,
    GARBAGE,
    GARBAGE_ROUTES,
    GREEN,
    LIGHTING,
    LIGHTING_EAST,
    LIGHTING_WEST,
    PARKS,
    STREET_LIGHTING,
)
from territory.models import PublicSpace

from .models import Company, Contract, Obligation
from .services import company_upsert, contract_add_coverage, contract_upsert, obligation_add

# Green-space maintenance: lot (= territory's zone) → (company, RFC, procurement method,
# monthly amount IVA incl.).
GREEN_LOTS = [
    (11, "Jardinería Integral del Norte S.A. de C.V.", "JIN080314KJ2", "open", "337000.00"),
    (12, "Paisajes Sierra Madre S.A. de C.V.", "PSM110527QR5", "open", "298500.00"),
    (13, "Áreas Verdes Chihuahuenses S.A. de C.V.", "AVC050912H48", "open", "412800.00"),
    (14, "Mantenimiento Urbano Conchos S.A. de C.V.", "MUC130205TA1", "selective", "265400.00"),
    (15, "Grupo Forestal Sacramento S.A. de C.V.", "GFS091130LM7", "open", "378900.00"),
    (16, "Servicios Ambientales del Desierto S.A. de C.V.", "SAD140818PE3", "open", "441200.00"),
    (17, "Viveros y Paisajismo Santa Eulalia S.A. de C.V.", "VPS070621B99", "direct", "254300.00"),
    (18, "Ecopaisaje Majalca S.A. de C.V.", "EMA160403UX0", "selective", "322750.00"),
    (19, "Jardines y Riego Tarahumara S.A. de C.V.", "JRT120716D5A", "open", "356100.00"),
    (20, "Construcciones Verdes El Rejón S.A. de C.V.", "CVR100209GN6", "open", "389600.00"),
    (
        21,
        "Servicios Integrales Nombre de Dios S.A. de C.V.",
        "SIN150930RW4",
        "selective",
        "301900.00",
    ),
]
GREEN_OBLIGATIONS = [
    ("Corte de pasto y deshierbe", 15, None),
    ("Recolección de basura y limpieza general", 7, None),
    ("Riego de áreas verdes", 3, None),
    ("Poda de árboles y arbustos", 90, None),
    ("Reparación de mobiliario urbano (bancas, juegos infantiles, bebederos)", None, 72),
]
LIGHTING_COMPANY = ("Iluminación y Energía del Norte S.A. de C.V.", "IEN060125SL8")
# number prefix, monthly amount IVA incl., the sectors it covers (the first: the western ones).
LIGHTING_CONTRACTS = [("CD08", "918400.00", LIGHTING_WEST), ("CD09", "874250.00", LIGHTING_EAST)]
LIGHTING_OBLIGATIONS = [("Reparación de luminaria apagada o dañada", None, 48)]
GARBAGE_COMPANY = ("Recolectora Ambiental del Valle S.A. de C.V.", "RAV040607CT2")
GARBAGE_MONTHLY = "4850000.00"
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


def _company_details(legal_name: str) -> dict:
    handle = slugify(legal_name.split(" S.A.")[0]).replace("-", "")[:24]
    return {
        "email": f"contacto.{handle}@{DEMO_EMAIL_DOMAIN}",
        "address": "Chihuahua, Chih.",
    }


def seed_green_contracts(context: DemoContext) -> None:
    """One contract per lot, each of its own company, over the green spaces of its zone."""
    # The summary seed_demo prints, counted once everything is loaded.
    context.count(_("Companies"), Company.objects.all())
    context.count(_("Contracts"), Contract.objects.all())
    municipality = context.chihuahua
    period = _contract_period(context)
    year = period["start_date"].year
    prefix = {"open": "LP", "selective": "IR", "direct": "AD"}
    for lot, legal_name, rfc, method, monthly in GREEN_LOTS:
        company, _created = company_upsert(
            municipality=municipality,
            legal_name=legal_name,
            rfc=rfc,
            **_company_details(legal_name),
        )
        codes = context.space_codes_by_zone[lot]
        contract, _created = contract_upsert(
            municipality=municipality,
            number=f"OM/{prefix[method]}/AV-{lot:03d}/{year}",
            lot=str(lot),
            title=f"Mantenimiento de áreas verdes, partida {lot}",
            company=company,
            service_type=context.service_types[GREEN],
            directorate=context.directorates[PARKS],
            procurement_method=method,
            monthly_amount=Decimal(monthly),
            total_amount=Decimal(monthly) * 12,
            amounts_include_vat=True,
            description=(
                f"Limpieza y mantenimiento de {len(codes)} espacios públicos de la partida {lot}."
            ),
            **period,
        )
        contract_add_coverage(
            contract=contract,
            spaces=PublicSpace.objects.filter(municipality=municipality, code__in=codes),
        )
        _obligations(contract, GREEN_OBLIGATIONS)
        context.contracts.append(contract)


def seed_lighting_contracts(context: DemoContext) -> None:
    """Two street-lighting contracts of one company: the west and the east sectors."""
    company, _created = company_upsert(
        municipality=context.chihuahua,
        legal_name=LIGHTING_COMPANY[0],
        rfc=LIGHTING_COMPANY[1],
        **_company_details(LIGHTING_COMPANY[0]),
    )
    period = _contract_period(context)
    for prefix, monthly, sectors in LIGHTING_CONTRACTS:
        covered = context.service_areas[sectors]
        contract, _created = contract_upsert(
            municipality=context.chihuahua,
            number=f"{prefix}-{period['start_date']:%y}",
            title="Mantenimiento del alumbrado público",
            company=company,
            service_type=context.service_types[LIGHTING],
            directorate=context.directorates[STREET_LIGHTING],
            procurement_method=Contract.ProcurementMethod.OPEN,
            monthly_amount=Decimal(monthly),
            total_amount=Decimal(monthly) * 12,
            description=f"Mantenimiento de luminarias en {len(covered)} sectores.",
            **period,
        )
        contract_add_coverage(contract=contract, service_areas=covered)
        _obligations(contract, LIGHTING_OBLIGATIONS)
        context.contracts.append(contract)


def seed_garbage_contract(context: DemoContext) -> None:
    """All the garbage-collection routes under one contract."""
    routes = context.service_areas[GARBAGE_ROUTES]
    company, _created = company_upsert(
        municipality=context.chihuahua,
        legal_name=GARBAGE_COMPANY[0],
        rfc=GARBAGE_COMPANY[1],
        **_company_details(GARBAGE_COMPANY[0]),
    )
    period = _contract_period(context)
    contract, _created = contract_upsert(
        municipality=context.chihuahua,
        number=f"OM/LP/RB-001/{period['start_date'].year}",
        title="Recolección de residuos sólidos urbanos",
        company=company,
        service_type=context.service_types[GARBAGE],
        directorate=context.directorates[CLEANING],
        procurement_method=Contract.ProcurementMethod.OPEN,
        monthly_amount=Decimal(GARBAGE_MONTHLY),
        total_amount=Decimal(GARBAGE_MONTHLY) * 12,
        description=f"Recolección domiciliaria en {len(routes)} rutas.",
        **period,
    )
    contract_add_coverage(contract=contract, service_areas=routes)
    _obligations(contract, GARBAGE_OBLIGATIONS)
    context.contracts.append(contract)
