"""Demo data of "Unidos para Planear el Desarrollo" for the Villaflores-like municipality.

Run by ``manage.py seed_demo`` (named in ``CommitteesConfig.demo_seeders``). Everything is
upserted by natural keys (names, titles, folios) with numbers from ``context.random``, so a
second run leaves the same rows. The demo writes statuses directly, with their history, rather
than walking each need through the workflow: the workflow is the services' and is tested there.
People and amounts are invented.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Role
from territory.models import Colonia

from .models import (
    Activity,
    Agreement,
    Allocation,
    Assignment,
    CitizenCommittee,
    CivilAssociation,
    CivilEmployee,
    CommitteeMember,
    Forum,
    Institution,
    Need,
    NeedStatusChange,
    PlanningCommittee,
    PlanningMember,
    PlanningSession,
    Program,
    PublicWork,
    Requisition,
    Source,
    WorkProgress,
)

FIRST_NAMES = [
    "María", "José", "Guadalupe", "Juan", "Rosa", "Francisco", "Martha", "Antonio", "Carmen",
    "Manuel", "Josefina", "Pedro", "Leticia", "Jesús", "Rocío", "Miguel", "Elena", "Alfredo",
    "Verónica", "Rigoberto", "Yolanda", "Efraín", "Candelaria", "Octavio",
]  # fmt: skip
SURNAMES = [
    "Hernández", "Gómez", "López", "Pérez", "Cruz", "Díaz", "Ruiz", "Velázquez", "Gutiérrez",
    "Moreno", "Domínguez", "Coutiño", "Nucamendi", "Albores", "Grajales", "Toledo", "Zenteno",
    "Castellanos", "Aquino", "Vázquez", "Espinosa", "Santiago",
]  # fmt: skip
SUBCOMMITTEES = [
    ("Subcomité de Infraestructura Social Básica", "Agua, drenaje, electrificación y caminos"),
    ("Subcomité de Desarrollo Agropecuario", "Proyectos productivos del campo"),
    ("Subcomité de Salud y Educación", "Clínicas, escuelas y espacios públicos"),
    ("Subcomité de Vivienda", "Mejoramiento de vivienda"),
]
NEEDS = [
    ("water", "Ampliación de la red de agua potable", 180_000, 600_000),
    ("water", "Rehabilitación del pozo profundo y bomba", 120_000, 350_000),
    ("drainage", "Construcción de letrinas secas", 60_000, 180_000),
    ("drainage", "Red de drenaje sanitario", 400_000, 1_200_000),
    ("electricity", "Ampliación de red eléctrica a viviendas", 150_000, 500_000),
    ("roads", "Rehabilitación del camino saca-cosechas", 250_000, 900_000),
    ("roads", "Construcción de vado en el arroyo", 90_000, 300_000),
    ("housing", "Láminas y cemento para techos firmes", 40_000, 150_000),
    ("health", "Equipamiento de la casa de salud", 50_000, 200_000),
    ("education", "Aula y sanitarios para la escuela primaria", 300_000, 800_000),
    ("productive", "Semilla mejorada y fertilizante para maíz", 70_000, 250_000),
    ("productive", "Proyecto de traspatio avícola para mujeres", 30_000, 90_000),
    ("public_spaces", "Techado de la cancha de usos múltiples", 200_000, 650_000),
]
# Roughly how a year of the program leaves its needs.
STATUS_MIX = (
    ["identified"] * 14
    + ["prioritised"] * 16
    + ["requisitioned"] * 8
    + ["approved"] * 6
    + ["in_execution"] * 5
    + ["delivered"] * 9
    + ["rejected"] * 2
)
WORKFLOW = ["identified", "prioritised", "requisitioned", "approved", "in_execution", "delivered"]
INSTITUTIONS = [
    ("Secretaría de Bienestar (antes SEDESOL)", "BIENESTAR", "federal",
     "Delegación de Programas para el Desarrollo en Chiapas",
     [("Fondo de Aportaciones para la Infraestructura Social",
       "water,drainage,electricity,housing"),
      ("Producción para el Bienestar", "productive")]),
    ("Comisión Nacional del Agua", "CONAGUA", "federal", "Dirección Local Chiapas",
     [("PROAGUA, Apartado Rural", "water,drainage")]),
    ("Secretaría de Comunicaciones y Transportes", "SCT", "federal", "Centro SCT Chiapas",
     [("Programa de Caminos Rurales y Alimentadores", "roads")]),
    ("Secretaría de Obras Públicas del Estado de Chiapas", "SOP Chiapas", "state",
     "C. Secretario de Obras Públicas",
     [("Programa de Infraestructura Comunitaria", "roads,public_spaces,education,health")]),
]  # fmt: skip
COMMITTEE_COUNT = 20


def _name(rng) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"


def seed_committees(context) -> None:
    municipality = context.villaflores
    if municipality is None:
        return
    rng = context.random("committees")
    today = context.today
    communities = list(
        Colonia.objects.for_municipality(municipality).order_by("-is_rural", "-population", "name")
    )
    if not communities:
        return

    # COPLADEM and its four sub-committees.
    copladem, _ = PlanningCommittee.objects.update_or_create(
        municipality=municipality,
        name="COPLADEM Villaflores",
        defaults={"theme": "Planeación del desarrollo municipal", "parent": None,
                  "installed_on": datetime.date(today.year, 1, 20)},
    )  # fmt: skip
    bodies = [copladem]
    for name, theme in SUBCOMMITTEES:
        body, _ = PlanningCommittee.objects.update_or_create(
            municipality=municipality, name=name, defaults={"theme": theme, "parent": copladem}
        )
        bodies.append(body)
    for index, body in enumerate(bodies):
        positions = (
            ["president", "technical_secretary", "coordinator", "vocal", "vocal"]
            if index == 0
            else ["coordinator", "vocal", "vocal"]
        )
        for position in positions:
            PlanningMember.objects.update_or_create(
                body=body,
                full_name=f"{_name(rng)}",
                defaults={
                    "position": position,
                    "organisation": rng.choice(
                        ["H. Ayuntamiento", "Sociedad civil", "Comisariado ejidal", "Regiduría"]
                    ),
                    "designated_on": datetime.date(today.year, 1, 20),
                    "phone": f"965-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                },
            )
        session, _ = PlanningSession.objects.update_or_create(
            body=body,
            held_on=datetime.date(today.year, 2, 10 + index),
            defaults={
                "place": "Sala de Cabildo",
                "agenda": "1. Lista de asistencia\n2. Priorización de obras\n3. Asuntos generales",
            },
        )
        Agreement.objects.update_or_create(
            session=session,
            description="Integrar la propuesta de obras con las necesidades priorizadas",
            defaults={"owner": "Secretaría Técnica", "due_on": session.held_on
                      + datetime.timedelta(days=30), "done": True},
        )  # fmt: skip

    # A civil association and its civil employees.
    association, _ = CivilAssociation.objects.update_or_create(
        municipality=municipality,
        name="Desarrollo Comunitario Frailesca, A.C.",
        defaults={"purpose": "Promoción de la participación ciudadana en la Frailesca"},
    )
    employees = []
    for index in range(4):
        employee, _ = CivilEmployee.objects.update_or_create(
            association=association,
            full_name=["Adriana Coutiño Ruiz", "Jorge Nucamendi Cruz", "Elvia Grajales Pérez",
                       "Rubén Albores Toledo"][index],
            defaults={"hired_on": datetime.date(today.year, 1, 15),
                      "phone": f"965-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"},
        )  # fmt: skip
        employees.append(employee)
    civil_user = context.users.get("demo-civil")
    if civil_user is not None and civil_user.has_role(Role.CIVIL_EMPLOYEE):
        CivilEmployee.objects.filter(user=civil_user).exclude(pk=employees[0].pk).update(user=None)
        employees[0].user = civil_user
        employees[0].save(update_fields=["user"])

    # Committees: one per community, the most rural first; the last communities have none.
    committees = []
    for index, colonia in enumerate(communities[:COMMITTEE_COUNT]):
        committee, _ = CitizenCommittee.objects.update_or_create(
            municipality=municipality,
            name=f"Comité de Participación Ciudadana {colonia.name}",
            defaults={
                "status": CitizenCommittee.Status.ACTIVE if index < 18 else
                CitizenCommittee.Status.IN_FORMATION,
                "assembly_date": datetime.date(today.year, 2, 1) + datetime.timedelta(days=index),
                "registration_number": f"CPC-VFL-{today.year}-{index + 1:03d}"
                if index < 18 else "",
                "registered_on": datetime.date(today.year, 3, 1) if index < 18 else None,
            },
        )  # fmt: skip
        committee.communities.set([colonia])
        for position in ["president", "secretary", "treasurer", "vocal", "vocal"]:
            CommitteeMember.objects.get_or_create(
                committee=committee,
                position=position,
                ceased_on=None,
                defaults={
                    "full_name": _name(rng),
                    "designated_on": committee.assembly_date,
                    "phone": f"965-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                    "address": f"Domicilio conocido, {colonia.name}",
                },
            )
        Assignment.objects.get_or_create(
            employee=employees[index % len(employees)],
            colonia=colonia,
            defaults={"starts_on": datetime.date(today.year, 1, 20)},
        )
        committees.append(committee)
    committee_user = context.users.get("demo-committee")
    if committee_user is not None and committees:
        CommitteeMember.objects.filter(user=committee_user).update(user=None)
        president = committees[0].members.get(position="president", ceased_on=None)
        president.user = committee_user
        president.save(update_fields=["user"])

    # Forums: two held and one coming per committee for the first twelve.
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    forums_by_colonia: dict[int, Forum] = {}
    for index, committee in enumerate(committees[:12]):
        colonia = committee.communities.get()
        for number, days in enumerate([-60 - index, -20 - index, 7 + index]):
            kind = Forum.Kind.FORUM if number != 1 else Forum.Kind.DEBATE
            title = (
                f"Foro de planeación comunitaria en {colonia.name}"
                if number == 0
                else f"Debate de acción comunitaria en {colonia.name}"
                if number == 1
                else f"Foro de seguimiento en {colonia.name}"
            )
            held = days < 0
            women, men = (rng.randint(15, 60), rng.randint(10, 50)) if held else (0, 0)
            forum, _ = Forum.objects.update_or_create(
                municipality=municipality,
                title=title,
                defaults={
                    "kind": kind,
                    "starts_at": now + datetime.timedelta(days=days, hours=17 - now.hour),
                    "place": rng.choice(["Casa ejidal", "Escuela primaria", "Cancha municipal",
                                         "Agencia municipal"]),
                    "colonia": colonia,
                    "committee": committee,
                    "facilitator": employees[index % len(employees)],
                    "agenda": "1. Informe del comité\n2. Necesidades de la comunidad\n"
                    "3. Priorización y acuerdos",
                    "attendance_women": women,
                    "attendance_men": men,
                    "attendance_total": women + men + (rng.randint(0, 5) if held else 0),
                    "summary": "Se identificaron y priorizaron las necesidades de la comunidad."
                    if held else "",
                },
            )  # fmt: skip
            if held:
                Agreement.objects.update_or_create(
                    forum=forum,
                    description="Entregar al COPLADEM la lista priorizada de necesidades",
                    defaults={"owner": "Presidencia del comité",
                              "due_on": (forum.starts_at + datetime.timedelta(days=15)).date(),
                              "done": days < -30},
                )  # fmt: skip
                forums_by_colonia.setdefault(colonia.pk, forum)
        Activity.objects.get_or_create(
            employee=employees[index % len(employees)],
            colonia=colonia,
            kind=Activity.Kind.FORUM,
            description=f"Facilitó el debate de acción comunitaria en {colonia.name}",
            defaults={"done_on": (now + datetime.timedelta(days=-20 - index)).date()},
        )

    # About sixty needs in every status.
    needs: list[Need] = []
    statuses = STATUS_MIX[:]
    rng.shuffle(statuses)
    for index, status in enumerate(statuses):
        committee = committees[index % len(committees)]
        colonia = committee.communities.get()
        category, text, low, high = NEEDS[(index * 7) % len(NEEDS)]
        description = f"{text} en {colonia.name}"
        people = rng.randint(40, max(60, (colonia.population or 500) // 2))
        cost = Decimal(rng.randrange(low, high, 1000))
        need, _ = Need.objects.update_or_create(
            municipality=municipality,
            colonia=colonia,
            description=description,
            defaults={
                "committee": committee,
                "category": category,
                "people_affected": people,
                "estimated_cost": cost,
                "priority": None if status == "identified" else 1 + index % 5,
                "status": status,
                "rejection_reason": "La obra ya fue atendida por el gobierno del estado"
                if status == "rejected"
                else "",
                "forum": forums_by_colonia.get(colonia.pk),
            },
        )
        if not need.history.exists():
            path = ["identified", "prioritised", "rejected"] if status == "rejected" else (
                WORKFLOW[: WORKFLOW.index(status) + 1]
            )  # fmt: skip
            NeedStatusChange.objects.bulk_create(
                [NeedStatusChange(need=need, from_status=a, to_status=b)
                 for a, b in zip(["identified", *path], path, strict=False)]
            )  # fmt: skip
        needs.append(need)

    # Institutions, programs and requisitions.
    programs = {}
    institutions = {}
    for name, acronym, level, addressee, program_specs in INSTITUTIONS:
        institution, _ = Institution.objects.update_or_create(
            municipality=municipality,
            name=name,
            defaults={"acronym": acronym, "level": level, "addressee": addressee},
        )
        institutions[acronym] = institution
        for program_name, categories in program_specs:
            program, _ = Program.objects.update_or_create(
                institution=institution, name=program_name, defaults={"categories": categories}
            )
            for category in categories.split(","):
                programs.setdefault(category, program)
    requisition_plan = [
        ("requisitioned", Requisition.Status.SUBMITTED),
        ("approved", Requisition.Status.APPROVED),
        ("in_execution", Requisition.Status.APPROVED),
    ]
    folio_number = 0
    for need_status, requisition_status in requisition_plan:
        by_program: dict[int, list[Need]] = {}
        for need in needs:
            if need.status == need_status and need.category in programs:
                by_program.setdefault(programs[need.category].pk, []).append(need)
        for program_id, bundle in sorted(by_program.items()):
            folio_number += 1
            program = Program.objects.select_related("institution").get(pk=program_id)
            approved = requisition_status == Requisition.Status.APPROVED
            requisition, _ = Requisition.objects.update_or_create(
                municipality=municipality,
                folio=f"REQ-{today.year}-{folio_number:04d}",
                defaults={
                    "institution": program.institution,
                    "program": program,
                    "subject": f"Apoyo para {len(bundle)} necesidades priorizadas por los comités",
                    "status": requisition_status,
                    "submitted_on": datetime.date(today.year, 3, 15),
                    "answered_on": datetime.date(today.year, 5, 2) if approved else None,
                    "approved_amount": sum(n.estimated_cost for n in bundle) if approved else None,
                },
            )
            requisition.needs.set(bundle)

    # Allocations: what was delivered or is being built, plus a few municipal deliveries.
    for need in needs:
        if need.status not in ("delivered", "in_execution"):
            continue
        share = Decimal("1.0") if need.status == "delivered" else Decimal("0.4")
        source = Source.FEDERAL if need.category in ("water", "drainage", "roads") else Source.STATE
        Allocation.objects.update_or_create(
            municipality=municipality,
            need=need,
            defaults={
                "colonia": need.colonia,
                "item": need.description.split(" en ")[0],
                "quantity": Decimal("1"),
                "unit": "obra" if need.category in ("roads", "drainage", "water") else "lote",
                "value": (need.estimated_cost * share).quantize(Decimal("0.01")),
                "delivered_on": datetime.date(today.year, 6, 1),
                "source": source,
                "program": programs.get(need.category),
                "committee": need.committee,
                "signed_by": need.committee.members.get(
                    position="president", ceased_on=None
                ).full_name
                if need.committee
                else "",
            },
        )
    # Two deliveries the equity page should flag: one to a community with no needs on record,
    # one far beyond what a community documented.
    spare = [c for c in communities if not c.needs.exists()]
    if spare:
        Allocation.objects.update_or_create(
            municipality=municipality,
            colonia=spare[0],
            item="Paquetes de lámina galvanizada",
            defaults={"quantity": Decimal("300"), "unit": "pieza", "value": Decimal("185000"),
                      "delivered_on": datetime.date(today.year, 4, 12),
                      "source": Source.MUNICIPAL, "signed_by": "Agente municipal"},
        )  # fmt: skip
    target = committees[-1].communities.get()
    Allocation.objects.update_or_create(
        municipality=municipality,
        colonia=target,
        item="Cemento gris (bultos de 50 kg)",
        defaults={"quantity": Decimal("2000"), "unit": "bulto", "value": Decimal("3400000"),
                  "delivered_on": datetime.date(today.year, 4, 20), "source": Source.MUNICIPAL,
                  "committee": committees[-1]},
    )  # fmt: skip

    # One public work with its progress over time.
    road_needs = [n for n in needs if n.category == "roads" and n.status == "in_execution"]
    road_needs = road_needs or [n for n in needs if n.category == "roads"][:1]
    work, _ = PublicWork.objects.update_or_create(
        municipality=municipality,
        name="Pavimentación del camino Villaflores – Nueva Independencia",
        defaults={
            "budget": Decimal("4850000"),
            "source": Source.FEDERAL,
            "program": programs.get("roads"),
            "starts_on": datetime.date(today.year, 5, 1),
            "ends_on": datetime.date(today.year, 11, 30),
            "location": communities[0].location,
        },
    )
    work.needs.set(road_needs)
    work.communities.set({n.colonia for n in road_needs} or {communities[0]})
    for month, percent in [(5, 10), (6, 35), (7, 55), (8, 70)]:
        WorkProgress.objects.update_or_create(
            work=work, reported_on=datetime.date(today.year, month, 28),
            defaults={"percent": percent},
        )  # fmt: skip
    context.log(
        f"{len(committees)} committees, {len(needs)} needs, "
        f"{Forum.objects.filter(municipality=municipality).count()} forums in {municipality}"
    )
