"""Reads about complaints: where a point falls, what is public, briefs and impact figures."""

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    FilteredRelation,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise

from accounts.models import User
from accounts.selectors import is_municipal_staff, staff_directorate_id
from contracts.models import Contract
from guardians.selectors import first_card_dates
from territory import selectors as territory_selectors
from territory.models import (
    Colonia,
    Directorate,
    Municipality,
    PublicSpace,
    ServiceArea,
    ServiceType,
)

from .constants import OPEN_STATUSES, ComplaintStatus
from .models import (
    REPORTER_FIELDS,
    Complaint,
    ComplaintFollower,
    ComplaintUpdate,
    ServiceQuestion,
)
from .public import ROUNDING_METRES, public_coordinates, public_distance_m
from .querysets import ComplaintQuerySet, bbox_around, fixed_q

NEAREST_SPACE_METRES = 50
NEARBY_COMPLAINT_METRES = 100
# Open complaints of one service within ~180 m of a point: a handful in the busiest colonia.
NEARBY_CANDIDATES = 200


# --- Where a point falls ----------------------------------------------------------------------


def _space_for_point(municipality_id: int, point: Point) -> Coalesce:
    """The id of the space containing the point (the smallest), else of the nearest one at
    most 50 m away (the distance to its boundary, in metres, computed by the database)."""
    spaces = PublicSpace.objects.filter(municipality_id=municipality_id)
    containing = spaces.containing(point).order_by("area_m2", "id").values("id")[:1]
    nearest = (
        spaces.filter(geometry__intersects=bbox_around(point, NEAREST_SPACE_METRES))
        .annotate(distance=Distance("geometry", point))
        .filter(distance__lte=D(m=NEAREST_SPACE_METRES))
        .order_by("distance", "id")
        .values("id")[:1]
    )
    # COALESCE evaluates the nearest-space search only when no space contains the point.
    return Coalesce(Subquery(containing), Subquery(nearest))


def space_id_for_point(*, municipality: Municipality, point: Point) -> int | None:
    return placement_for(municipality=municipality, point=point)["space_id"]


class Placement(TypedDict):
    colonia_id: int | None
    space_id: int | None
    directorate_id: int | None


def placement_for(
    *, municipality: Municipality, point: Point | None, service_type: ServiceType | None = None
) -> Placement:
    """Where a complaint belongs, in one query: ``colonia_id`` (the colonia containing the
    point, the lowest id if several do), ``space_id`` (see :func:`_space_for_point`) and
    ``directorate_id`` (the directorate whose services include the service, the first by id
    if several do). Ids only: filing a complaint reads no geometry back, and it is the API's
    busiest write."""
    none = Value(None, output_field=IntegerField())
    colonia: Combinable = none
    space: Combinable = none
    directorate: Combinable = none
    if point is not None:
        colonia = Subquery(
            Colonia.objects.for_municipality(municipality)
            .containing(point)
            .order_by("id")
            .values("id")[:1]
        )
        space = _space_for_point(municipality.pk, point)
    if service_type is not None:
        directorate = Subquery(
            Directorate.objects.filter(services=service_type).order_by("id").values("id")[:1]
        )
    return (
        Municipality.objects.filter(pk=municipality.pk)
        .values(colonia_id=colonia, space_id=space, directorate_id=directorate)
        .get()
    )


def nearby_open_complaints(
    *,
    municipality: Municipality,
    service_type: ServiceType,
    point: Point,
    metres: float = NEARBY_COMPLAINT_METRES,
    limit: int = 10,
) -> list[Complaint]:
    """Open complaints of the service at most ``metres`` from the point, nearest first, each
    with ``distance`` (a ``D``) measured to its public point (complaints.public): a distance
    to the exact point, asked from a few places, would give the reporter's home away."""
    candidates = (
        Complaint.public_objects.for_municipality(municipality)
        .filter(service_type=service_type)
        .open()
        .within(point, metres + ROUNDING_METRES)
        .select_related("service_type")[:NEARBY_CANDIDATES]
    )
    nearby = []
    for complaint in candidates:
        distance = public_distance_m(point, complaint.location)
        if distance is not None and distance <= metres:
            complaint.distance = D(m=distance)
            nearby.append(complaint)
    nearby.sort(key=lambda complaint: (complaint.distance.m, complaint.pk))
    return nearby[:limit]


# --- What the public sees --------------------------------------------------------------------


def public_complaints(*, municipality: Municipality) -> ComplaintQuerySet:
    return Complaint.public_objects.for_municipality(municipality).with_public_related()


def public_complaint_by_code(*, municipality: Municipality, code: str) -> Complaint | None:
    return (
        public_complaints(municipality=municipality)
        .select_related("duplicate_of")
        .filter(code=code.strip().upper())
        .first()
    )


def complaint_public_history(*, complaint: Complaint) -> QuerySet[ComplaintUpdate]:
    return complaint.updates.only("status", "note", "created_at", "complaint_id").order_by(
        "created_at", "id"
    )


def complaint_follower_count(*, complaint: Complaint) -> int:
    """How many follow the complaint: the only thing public pages show about followers."""
    return complaint.followers.count()


def follower_by_token(
    *, municipality: Municipality, code: str, token: uuid.UUID
) -> ComplaintFollower | None:
    """The follower an unsubscribe link names, with its complaint (reporter fields left out)."""
    return (
        ComplaintFollower.objects.filter(
            complaint__municipality=municipality, complaint__code=code.strip().upper(), token=token
        )
        .select_related("complaint")
        .defer(*(f"complaint__{name}" for name in REPORTER_FIELDS))
        .first()
    )


def complaints_geojson(complaints: Iterable[Complaint]) -> dict:
    """A FeatureCollection (longitude first) with public fields only, each point rounded as
    complaints.public.public_coordinates says."""
    features = []
    for complaint in complaints:
        point = public_coordinates(complaint.location)
        if point is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [point.longitude, point.latitude]},
                "properties": {
                    "code": complaint.code,
                    "service": complaint.service_type.name,
                    "color": complaint.service_type.color,
                    "status": complaint.status,
                    "status_label": str(complaint.get_status_display()),
                    "reported": complaint.created_at.isoformat(),
                    "url": complaint.get_absolute_url(),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- Staff -----------------------------------------------------------------------------------


def inbox_complaints(
    *, user: User | AnonymousUser, municipality: Municipality
) -> QuerySet[Complaint]:
    """A directorate's staff see their directorate's complaints; the Sindicatura sees all."""
    complaints = Complaint.private_objects.for_municipality(municipality).select_related(
        "service_type", "colonia", "directorate", "space"
    )
    if is_municipal_staff(user, municipality):
        return complaints
    directorate_id = staff_directorate_id(user, municipality)
    if directorate_id is None:
        return complaints.none()
    return complaints.for_directorate(directorate_id)


# --- Pre-visit brief -------------------------------------------------------------------------


def local_day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class Brief:
    colonia: Colonia
    start: datetime.date
    end: datetime.date
    statuses: Sequence[tuple[str, str | Promise]]
    rows: list[dict]
    totals: dict[str, int]
    total: int
    spaces: Sequence[PublicSpace]
    open_total: int = 0
    extras: dict = field(default_factory=dict)


def brief_for_colonia(*, colonia: Colonia, start: datetime.date, end: datetime.date) -> Brief:
    """Complaints of a colonia between two dates (both included): by service and status, and
    the spaces with most complaints with the contracts (and companies) covering them then."""
    period = Q(
        complaints__created_at__gte=local_day_start(start),
        complaints__created_at__lt=local_day_start(end + datetime.timedelta(days=1)),
    )
    counts = (
        Complaint.private_objects.filter(colonia=colonia)
        .reported_between(local_day_start(start), local_day_start(end + datetime.timedelta(days=1)))
        .values("service_type_id", "service_type__name", "status")
        .annotate(n=Count("id"))
        .order_by("service_type__name")
    )
    statuses = list(Complaint.Status.choices)
    by_service: dict[int, dict] = {}
    totals = dict.fromkeys([value for value, _label in statuses], 0)
    for row in counts:
        entry = by_service.setdefault(
            row["service_type_id"],
            {"service": row["service_type__name"], "counts": dict.fromkeys(totals, 0), "total": 0},
        )
        entry["counts"][row["status"]] += row["n"]
        entry["total"] += row["n"]
        totals[row["status"]] += row["n"]
    rows = list(by_service.values())
    for entry in rows:
        entry["cells"] = [entry["counts"][value] for value, _label in statuses]
    contracts = Contract.objects.filter(start_date__lte=end, end_date__gte=start).select_related(
        "company", "service_type"
    )
    spaces = list(
        PublicSpace.objects.filter(municipality_id=colonia.municipality_id)
        .annotate(
            complaint_count=Count("complaints", filter=period & Q(complaints__colonia=colonia))
        )
        .filter(complaint_count__gt=0)
        .order_by("-complaint_count", "code")
        .prefetch_related(Prefetch("contracts", queryset=contracts, to_attr="period_contracts"))[
            :10
        ]
    )
    open_total = sum(totals[s] for s in Complaint.OPEN_STATUSES)
    return Brief(
        colonia=colonia,
        start=start,
        end=end,
        statuses=statuses,
        rows=rows,
        totals=totals,
        total=sum(totals.values()),
        spaces=spaces,
        open_total=open_total,
    )


# --- Before / after --------------------------------------------------------------------------


@dataclass
class ImpactRow:
    service: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before

    @property
    def change_percent(self) -> float | None:
        if self.before == 0:
            return None
        return round(100 * (self.after - self.before) / self.before, 1)


def impact_for_colonia(
    *, colonia: Colonia, reference_date: datetime.date, days: int
) -> list[ImpactRow]:
    """Complaints per service in the ``days`` days before the date and the ``days`` days from
    it on, every service of the municipality listed (one query)."""
    reference = local_day_start(reference_date)
    start = local_day_start(reference_date - datetime.timedelta(days=days))
    end = local_day_start(reference_date + datetime.timedelta(days=days))
    # The join is narrowed to the colonia and the window (index on colonia, created_at): a
    # filtered COUNT over every complaint of each service took ~1 s at 1,000,000 complaints.
    services = (
        ServiceType.objects.for_municipality(colonia.municipality_id)
        .annotate(
            in_window=FilteredRelation(
                "complaints",
                condition=Q(
                    complaints__colonia=colonia,
                    complaints__created_at__gte=start,
                    complaints__created_at__lt=end,
                ),
            )
        )
        .annotate(
            before=Count("in_window", filter=Q(in_window__created_at__lt=reference)),
            after=Count("in_window", filter=Q(in_window__created_at__gte=reference)),
        )
        .order_by("name")
    )
    return [ImpactRow(service.name, service.before, service.after) for service in services]


@dataclass
class ImpactGroup:
    colonias: int = 0
    rows: dict[str, ImpactRow] = field(default_factory=dict)

    @property
    def total(self) -> ImpactRow:
        return ImpactRow(
            "", sum(r.before for r in self.rows.values()), sum(r.after for r in self.rows.values())
        )

    @property
    def sorted_rows(self) -> list[ImpactRow]:
        return [self.rows[name] for name in sorted(self.rows)]


@dataclass
class ImpactSummary:
    days: int
    default_reference: datetime.date
    with_guardians: ImpactGroup
    without_guardians: ImpactGroup


def impact_summary(
    *,
    municipality: Municipality,
    days: int,
    reference_date: datetime.date | None = None,
    first_cards: dict[int, datetime.date] | None = None,
) -> ImpactSummary:
    """Complaints before vs after, summed over the colonias with guardians (each around its
    own first card) and over those without (around ``reference_date``, by default the
    municipality's earliest first card, else ``days`` days ago).

    Two queries whatever the number of colonias: the first-card dates (guardians app), and
    one aggregate of complaints per colonia, service and day over the whole window.
    """
    if first_cards is None:
        first_cards = first_card_dates(municipality=municipality)
    default_reference = reference_date or (
        min(first_cards.values())
        if first_cards
        else timezone.localdate() - datetime.timedelta(days=days)
    )
    references = [*first_cards.values(), default_reference]
    window_start = local_day_start(min(references) - datetime.timedelta(days=days))
    window_end = local_day_start(max(references) + datetime.timedelta(days=days))
    # Each colonia's own reference, as a CASE over the colonias sharing a first-card date:
    # PostgreSQL counts before and after per colonia and service, so a few thousand rows come
    # back instead of one per colonia, service and day (~150,000 at 1,000,000 complaints).
    by_reference: dict[datetime.date, list[int]] = {}
    for colonia_id, first in first_cards.items():
        by_reference.setdefault(first, []).append(colonia_id)

    def around(offset: datetime.timedelta) -> Case:
        return Case(
            *(
                When(id__in=ids, then=Value(local_day_start(first + offset)))
                for first, ids in sorted(by_reference.items())
            ),
            default=Value(local_day_start(default_reference + offset)),
            output_field=DateTimeField(),
        )

    span = datetime.timedelta(days=days)
    rows = (
        Colonia.objects.for_municipality(municipality)
        .annotate(
            in_window=FilteredRelation(
                "complaints",
                condition=Q(
                    complaints__created_at__gte=window_start,
                    complaints__created_at__lt=window_end,
                ),
            ),
            before_start=around(-span),
            reference_at=around(datetime.timedelta(0)),
            after_end=around(span),
        )
        .values("id", "in_window__service_type__name")
        .annotate(
            before=Count(
                "in_window__id",
                filter=Q(
                    in_window__created_at__gte=F("before_start"),
                    in_window__created_at__lt=F("reference_at"),
                ),
            ),
            after=Count(
                "in_window__id",
                filter=Q(
                    in_window__created_at__gte=F("reference_at"),
                    in_window__created_at__lt=F("after_end"),
                ),
            ),
        )
        .order_by()
    )
    groups = {True: ImpactGroup(), False: ImpactGroup()}
    seen: set[int] = set()
    for row in rows:
        colonia_id = row["id"]
        group = groups[colonia_id in first_cards]
        if colonia_id not in seen:
            seen.add(colonia_id)
            group.colonias += 1
        if not (row["before"] or row["after"]):
            continue
        name = row["in_window__service_type__name"]
        impact = group.rows.setdefault(name, ImpactRow(name, 0, 0))
        impact.before += row["before"]
        impact.after += row["after"]
    return ImpactSummary(
        days=days,
        default_reference=default_reference,
        with_guardians=groups[True],
        without_guardians=groups[False],
    )


@dataclass(frozen=True)
class Question:
    """A service's question (ServiceQuestion) with its offered answers, as read for the web
    form, Open311's service definition and the validation of the answers."""

    service_type_id: int
    code: str
    description: str
    datatype: str
    datatype_description: str
    required: bool
    choices: tuple[tuple[str, str], ...]  # (key, name)

    @property
    def keys(self) -> set[str]:
        return {key for key, _name in self.choices}


def service_questions(*, service_types: QuerySet | Iterable[int]) -> list[Question]:
    """The questions of the services (a queryset of ServiceType ids, or a list of ids), in
    their order, with their offered answers in theirs: one statement, whatever their number."""
    rows = (
        ServiceQuestion.objects.filter(service_type__in=service_types)
        .order_by("service_type_id", "order", "id", "choices__order", "choices__id")
        .values_list(
            "id",
            "service_type_id",
            "code",
            "description",
            "datatype",
            "datatype_description",
            "required",
            "choices__key",
            "choices__name",
        )
    )
    fields: dict[int, tuple] = {}
    choices: dict[int, list[tuple[str, str]]] = {}
    for pk, service_type_id, code, description, datatype, help_text, required, key, name in rows:
        fields.setdefault(pk, (service_type_id, code, description, datatype, help_text, required))
        if key is not None:
            choices.setdefault(pk, []).append((key, name))
    return [
        Question(
            service_type_id=service_type_id,
            code=code,
            description=description,
            datatype=datatype,
            datatype_description=help_text,
            required=required,
            choices=tuple(choices.get(pk, ())),
        )
        for pk, (service_type_id, code, description, datatype, help_text, required) in (
            fields.items()
        )
    ]


def questions_by_service(*, municipality: Municipality) -> dict[int, list[Question]]:
    """The municipality's questions grouped by service id (for the web form): one statement."""
    grouped: dict[int, list[Question]] = {}
    service_types = ServiceType.objects.for_municipality(municipality).values("pk")
    for question in service_questions(service_types=service_types):
        grouped.setdefault(question.service_type_id, []).append(question)
    return grouped


@dataclass(frozen=True)
class PlacePrefill:
    """The complaint form filled from the place a citizen reports from: a public space or a
    service area (garbage route, lighting area)."""

    place: PublicSpace | ServiceArea
    initial: dict


def place_prefill(
    *, municipality: Municipality, space_code: str = "", area_id: str = ""
) -> PlacePrefill | None:
    """The form's initial data for ``?space=<code>`` or ``?area=<id>``: the place's service
    (the contract in force's, else the municipality's green-space service for a space), its
    centroid as the pin and its name as the address. None when neither is given; raises
    ``ServiceArea.DoesNotExist``/``PublicSpace.DoesNotExist`` for an unknown place."""
    if space_code:
        space = territory_selectors.space_for_code(municipality=municipality, code=space_code)
        if space is None:
            raise PublicSpace.DoesNotExist(space_code)
        contract = territory_selectors.contract_in_force_for_space(space=space)
        service: ServiceType | None = getattr(contract, "service_type", None)
        if service is None:
            service = (
                ServiceType.objects.for_municipality(municipality)
                .filter(category=ServiceType.Category.GREEN_SPACES)
                .order_by("pk")
                .first()
            )
        place: PublicSpace | ServiceArea = space
        point = space.centroid
    elif area_id:
        area = (
            territory_selectors.area_for_pk(municipality=municipality, pk=int(area_id))
            if area_id.isdigit()
            else None
        )
        if area is None:
            raise ServiceArea.DoesNotExist(area_id)
        place, point, service = area, area.centroid, area.service_type
    else:
        return None
    return PlacePrefill(
        place=place,
        initial={
            "service_type": service.pk if service else None,
            "lat": round(point.y, 6),
            "lon": round(point.x, 6),
            "address": f"{place.name} ({place.code})"[:300],
        },
    )


# --- A place's page: a space, a service area, a colonia --------------------------------------

PLACE_COMPLAINTS_SHOWN = 10
FIX_RATE_DAYS = 365


def _place_complaints(
    *,
    space: PublicSpace | None = None,
    area: ServiceArea | None = None,
    colonia: Colonia | None = None,
) -> ComplaintQuerySet:
    """The complaints of one place, scoped to its municipality: filed on the space, inside the
    area about its service, or in the colonia."""
    if space is not None:
        return Complaint.public_objects.filter(municipality_id=space.municipality_id, space=space)
    if area is not None:
        return Complaint.public_objects.filter(
            municipality_id=area.municipality_id,
            service_type_id=area.service_type_id,
            location__intersects=area.geometry,
        )
    if colonia is not None:
        return Complaint.public_objects.filter(
            municipality_id=colonia.municipality_id, colonia=colonia
        )
    raise TypeError("A space, an area or a colonia is needed.")


def place_complaints(
    *,
    space: PublicSpace | None = None,
    area: ServiceArea | None = None,
    colonia: Colonia | None = None,
    limit: int = PLACE_COMPLAINTS_SHOWN,
) -> tuple[list[Complaint], dict]:
    """The place's latest open complaints (public fields only) and its counts, in one
    statement: open complaints now, and of those filed in the last year how many are fixed
    (resolved or closed, less those their reporter said were not: ``querysets.fixed_q``),
    the place's fix rate in percent (None without complaints). The counts ride on the rows as
    window aggregates over all the place's complaints, the open ones sorted first."""
    since = timezone.now() - datetime.timedelta(days=FIX_RATE_DAYS)
    is_open = Q(status__in=OPEN_STATUSES)
    filed = Q(created_at__gte=since) & ~Q(status=ComplaintStatus.DUPLICATE)
    rows = list(
        _place_complaints(space=space, area=area, colonia=colonia)
        .select_related("service_type")
        .only(
            "code", "status", "created_at", "location", "service_type__name", "service_type__color"
        )
        .annotate(
            _open=Window(Count("id", filter=is_open)),
            _year=Window(Count("id", filter=filed)),
            _fixed=Window(Count("id", filter=Q(created_at__gte=since) & fixed_q())),
            _is_open=Case(When(is_open, then=Value(1)), default=Value(0)),
        )
        .order_by("-_is_open", "-created_at", "-id")[:limit]
    )
    first = rows[0] if rows else None
    counts = {
        "open": first._open if first else 0,
        "year": first._year if first else 0,
        "fixed": first._fixed if first else 0,
        "days": FIX_RATE_DAYS,
    }
    counts["fix_rate"] = round(100 * counts["fixed"] / counts["year"]) if counts["year"] else None
    return [row for row in rows if row._is_open], counts


def place_complaint_counts(
    *,
    space: PublicSpace | None = None,
    area: ServiceArea | None = None,
    colonia: Colonia | None = None,
) -> dict:
    """The counts of :func:`place_complaints` alone."""
    return place_complaints(space=space, area=area, colonia=colonia)[1]
