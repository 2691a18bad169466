"""Demo data of the participation workflows (``CommitteesConfig.demo_seeders``, after
``committees.demo``): forum capacities and two held forums waiting to be closed, pending
COPLADEM agreements (overdue, due soon, later), a registration certificate, and public works
executed by a committee and by the civil association, whose members report progress.

Upserted by natural keys, so a second run leaves the same rows.
"""

import datetime
import secrets
from decimal import Decimal

from django.utils import timezone

from .models import (
    Agreement,
    CitizenCommittee,
    CivilAssociation,
    Forum,
    PlanningCommittee,
    PublicWork,
    RegistrationCertificate,
    Source,
    WorkProgress,
)

PENDING_AGREEMENTS = [
    ("Entregar al COPLADEM el padrón de obras priorizadas por comunidad", -12),
    ("Presentar el informe trimestral de avance de obras al Cabildo", 3),
    ("Convocar a los subcomités a la sesión de seguimiento", 30),
]


def seed_workflows(context) -> None:
    municipality = context.villaflores
    if municipality is None:
        return
    rng = context.random("committees-workflows")
    today = context.today
    committees = list(
        CitizenCommittee.objects.for_municipality(municipality)
        .filter(name__startswith="Comité de Participación Ciudadana")
        .order_by("pk")
    )
    if not committees:
        return

    # Every forum has a capacity; held forums with their attendance are closed, except the
    # latest debate of the first two committees, which wait to be closed in the portal.
    forums = Forum.objects.for_municipality(municipality)
    for forum in forums.filter(capacity__isnull=True).order_by("pk"):
        forum.capacity = max(forum.attendance_total, 40) + rng.randint(2, 8) * 10
        forum.save(update_fields=["capacity"])
    now = timezone.now()
    held = forums.filter(starts_at__lte=now)
    open_ids = []
    for committee in committees[:2]:
        latest = held.filter(committee=committee, kind=Forum.Kind.DEBATE).order_by("-starts_at")
        forum = latest.first()
        if forum is not None:
            open_ids.append(forum.pk)
    held.filter(pk__in=open_ids).update(
        closed_at=None, attendance_women=0, attendance_men=0, attendance_total=0, summary=""
    )
    Agreement.objects.filter(forum_id__in=open_ids).delete()
    held.exclude(pk__in=open_ids).filter(closed_at__isnull=True).update(closed_at=now)

    # Pending COPLADEM agreements: one overdue, one due soon, one later.
    copladem = PlanningCommittee.objects.filter(
        municipality=municipality, parent__isnull=True
    ).first()
    session = copladem.sessions.order_by("-held_on").first() if copladem else None
    if session is not None:
        for description, days in PENDING_AGREEMENTS:
            Agreement.objects.update_or_create(
                session=session,
                description=description,
                defaults={
                    "owner": "Secretaría Técnica del COPLADEM",
                    "due_on": today + datetime.timedelta(days=days),
                    "done": False,
                },
            )

    # The first committee's registration certificate (its code is kept between runs).
    first = committees[0]
    if first.is_registered and not first.certificates.filter(revoked_at__isnull=True).exists():
        RegistrationCertificate.objects.create(
            municipality=municipality,
            committee=first,
            code=secrets.token_urlsafe(18),
            registration_number=first.registration_number,
            registered_on=first.registered_on,
        )

    # Works executed by the first committee (demo-committee) and by the civil association
    # (demo-civil), with progress they reported.
    PublicWork.objects.filter(municipality=municipality, name__startswith="Pavimentación").update(
        executing_committee=first, executing_association=None
    )
    association = CivilAssociation.objects.filter(municipality=municipality).order_by("pk").first()
    colonia = first.communities.order_by("pk").first()
    if association is not None and colonia is not None:
        work, _ = PublicWork.objects.update_or_create(
            municipality=municipality,
            name=f"Rehabilitación de la cancha de usos múltiples de {colonia.name}",
            defaults={
                "budget": Decimal("380000"),
                "source": Source.MUNICIPAL,
                "starts_on": today - datetime.timedelta(days=45),
                "ends_on": today + datetime.timedelta(days=60),
                "location": colonia.location,
                "executing_association": association,
                "executing_committee": None,
            },
        )
        work.communities.set([colonia])
        for days, percent, note in [(40, 15, "Limpieza y trazo"), (10, 40, "Firme de concreto")]:
            WorkProgress.objects.update_or_create(
                work=work,
                reported_on=today - datetime.timedelta(days=days),
                defaults={
                    "percent": percent,
                    "note": note,
                    "reported_by_association": association,
                },
            )
    context.count(
        "COPLADEM agreements pending",
        Agreement.objects.filter(session__body__municipality=municipality, done=False),
    )
    context.count(
        "forums to close",
        Forum.objects.for_municipality(municipality).filter(
            closed_at__isnull=True, starts_at__lte=now
        ),
    )
