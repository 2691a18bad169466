"""Demo complaints for ``manage.py seed_demo``: a few hundred over the last year in Chihuahua.

Idempotent: each demo complaint has the folio ``DEMO-NNNN`` and is created only once. Randomness
comes only from ``context.random("complaints")``.
"""

import datetime

from django.contrib.gis.geos import Point
from django.utils import timezone

from .models import Complaint
from .services import complaint_change_status, complaint_create

DEMO_COUNT = 320
DESCRIPTIONS = {
    "green-spaces": [
        "El pasto del parque lleva más de un mes sin cortarse.",
        "Los árboles no se han regado y se están secando.",
        "Juegos infantiles rotos y con fierros expuestos.",
        "Basura y ramas acumuladas en el camellón.",
        "La maleza tapa las bancas del parque.",
    ],
    "garbage": [
        "El camión de la basura no pasó esta semana.",
        "Tiradero clandestino en el lote baldío de la esquina.",
        "El contenedor está desbordado desde hace días.",
        "Dejaron bolsas regadas al recoger la basura.",
    ],
    "lighting": [
        "La lámpara del poste está apagada por la noche.",
        "La luminaria parpadea toda la noche.",
        "El alumbrado se queda prendido de día.",
        "Poste inclinado con cables expuestos.",
        "Calle completa sin alumbrado desde hace una semana.",
    ],
}
STREETS = [
    "Av. Juárez",
    "Calle Aldama",
    "Av. Independencia",
    "Calle Ojinaga",
    "Av. Universidad",
    "Calle Libertad",
    "Av. Tecnológico",
    "Calle Victoria",
    "Av. División del Norte",
]
# Where each complaint ended up, with weights: older complaints are more often closed.
PATHS = [
    ([], 3),
    (["acknowledged"], 2),
    (["acknowledged", "in_progress"], 2),
    (["acknowledged", "in_progress", "resolved"], 5),
    (["acknowledged", "resolved", "closed"], 3),
    (["rejected"], 1),
]
NOTES = {
    "acknowledged": "Turnado a la cuadrilla de la zona.",
    "in_progress": "Programado en la ruta de esta semana.",
    "resolved": "Atendido por la cuadrilla.",
    "closed": "Cerrado tras confirmar la atención.",
    "rejected": "Fuera de la competencia municipal.",
}


def _point_in(geometry, rng) -> Point:
    """A random point inside the colonia (drawn in its extent until one falls inside)."""
    xmin, ymin, xmax, ymax = geometry.extent
    for _ in range(20):
        point = Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax), srid=4326)
        if geometry.contains(point):
            return point
    return Point(geometry.point_on_surface.x, geometry.point_on_surface.y, srid=4326)


def seed_complaints(context) -> None:
    municipality = context.chihuahua
    # The city's colonias (territory.demo), not the rural zones of the garbage routes.
    colonias = [c for c in context.colonias if c.geometry is not None and not c.is_rural]
    services = [s for code, s in context.service_types.items() if code in DESCRIPTIONS]
    if municipality is None or not colonias or not services:
        return
    rng = context.random("complaints")
    existing = set(
        Complaint.private_objects.for_municipality(municipality)
        .filter(external_id__startswith="DEMO-")
        .values_list("external_id", flat=True)
    )
    now = timezone.now()
    created = 0
    # Some colonias get many more complaints, as in a real city.
    weights = [rng.choice([1, 1, 2, 3, 6]) for _ in colonias]
    for number in range(1, DEMO_COUNT + 1):
        folio = f"DEMO-{number:04d}"
        colonia = rng.choices(colonias, weights=weights)[0]
        service = rng.choice(services)
        point = _point_in(colonia.geometry, rng)
        reported = now - datetime.timedelta(days=rng.uniform(0, 365), minutes=rng.randint(0, 600))
        path = rng.choices([p for p, _ in PATHS], weights=[w for _, w in PATHS])[0]
        if reported > now - datetime.timedelta(days=10):
            path = path[:1]
        anonymous = rng.random() < 0.4
        description = rng.choice(DESCRIPTIONS[service.code])
        address = f"{rng.choice(STREETS)} {rng.randint(100, 4800)}"
        source = rng.choices(["web", "phone", "open311", "staff"], weights=[5, 4, 2, 1])[0]
        if folio in existing:
            continue
        complaint = complaint_create(
            municipality=municipality,
            service_type=service,
            description=description,
            source=source,
            point=point,
            address=address,
            reporter_name="" if anonymous else f"Vecino demo {number}",
            # No e-mail: the demo must not send mail for its status changes.
            reporter_phone="" if anonymous else f"614-555-{number:04d}",
            external_id=folio,
            created_at=reported,
        )
        when = reported
        for status in path:
            when = min(when + datetime.timedelta(days=rng.uniform(0.5, 12)), now)
            complaint_change_status(complaint=complaint, status=status, note=NOTES[status], at=when)
        created += 1
    context.log(f"complaints: {created} demo complaints created")
