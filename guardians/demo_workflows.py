"""Demo data for the visit and training workflows, run after ``guardians.demo`` by
``manage.py seed_demo`` (``GuardiansConfig.demo_seeders``): planned visits with their public
briefs (one this week to the demo guardians' colonia, with them invited, and one the week
after to another colonia), and the attendance of the demo training session with its capacity.
Idempotent: a planned visit is found by its colonia and moved to the demo date, the attendance
list is set, not added to."""

import datetime

from territory.models import Municipality, PublicSpace

from . import services
from .models import Guardian, GuardianApplication, TrainingSession, Visit

DEMO_SESSION_TITLE = "Capacitación de Guardianes Ciudadanos"  # seeded by guardians.demo
DEMO_SESSION_CAPACITY = 30
PLANNED = [
    # (index of the colonia among those with guardians, days from today, message); the first
    # visit stays in this week (the workspace's "visits planned this week" queue shows it).
    (
        0,
        None,
        "Nos vemos en el parque a las 10:00. Trae tus dudas sobre el alumbrado y la poda; "
        "revisaremos juntos las cédulas de vigilancia.",
    ),
    (
        1,
        9,
        "Recorrido por las áreas verdes de la colonia con la Sindicatura. Invita a tus vecinos.",
    ),
]


def seed_workflows(context) -> None:
    municipality: Municipality | None = context.chihuahua
    if municipality is None:
        return
    colonias = [c for c in context.colonias if PublicSpace.objects.filter(colonia=c).exists()]
    planned = 0
    for index, days, message in PLANNED:
        if index >= len(colonias):
            continue
        _plan(
            context=context,
            municipality=municipality,
            colonia=colonias[index],
            date=context.today
            + datetime.timedelta(
                days=min(2, 6 - context.today.weekday()) if days is None else days
            ),
            message=message,
        )
        planned += 1
    _attendance(municipality=municipality, staff=context.users.get("demo-staff"))
    context.count("planned visits", Visit.objects.for_municipality(municipality).planned())
    context.log(f"guardians: {planned} planned visits with public briefs")


def _plan(*, context, municipality, colonia, date, message) -> Visit:
    visit = Visit.objects.for_municipality(municipality).planned().filter(colonia=colonia).first()
    guardians = list(
        Guardian.private_objects.for_municipality(municipality).active().filter(colonia=colonia)
    )
    if visit is None:
        return services.visit_plan(
            municipality=municipality,
            date=date,
            colonia=colonia,
            spaces=PublicSpace.objects.filter(colonia=colonia).order_by("code")[:2],
            guardians_invited=guardians,
            public_note=message,
            notes="Llevar volantes del programa y formatos de solicitud.",
            created_by=context.users.get("demo-staff"),
        )
    # Re-assert the demo values: the date stays in the days to come on every run.
    Visit.objects.filter(pk=visit.pk).update(date=date, public_note=message)
    visit.guardians_invited.set(guardians)
    return visit


def _attendance(*, municipality, staff) -> None:
    session = (
        TrainingSession.objects.for_municipality(municipality).filter(title=DEMO_SESSION_TITLE)
    ).first()
    if session is None:
        return
    if session.capacity != DEMO_SESSION_CAPACITY:
        TrainingSession.objects.filter(pk=session.pk).update(capacity=DEMO_SESSION_CAPACITY)
    # Everyone who took the tests came, and so did the first pending applicant.
    guardians = Guardian.private_objects.for_municipality(municipality).filter(
        attempts__evaluation__session=session
    )
    applicants = GuardianApplication.private_objects.for_municipality(municipality).pending()
    services.training_attendance_record(
        session=session,
        guardians=list(guardians.distinct()[: DEMO_SESSION_CAPACITY - 1]),
        applications=list(applicants.order_by("created_at", "id")[:1]),
        recorded_by=staff,
    )
