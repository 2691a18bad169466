"""Reads of the participation program: public lists, the equity figures, map features."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.gis.db.models.functions import Centroid
from django.contrib.gis.geos import Point
from django.db.models import (
    Count,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from territory.models import Colonia, Municipality

from .models import (
    Activity,
    Agreement,
    Allocation,
    Assignment,
    CitizenCommittee,
    CivilEmployee,
    CommitteeMember,
    Forum,
    Need,
    PlanningCommittee,
    PlanningMember,
    PublicWork,
    RegistrationCertificate,
    WorkProgress,
)
from .permissions import Participant

S = Need.Status
# A need counts for the equity page once its committee prioritised it.
PRIORITISED_OR_LATER = [
    S.PRIORITISED,
    S.REQUISITIONED,
    S.APPROVED,
    S.IN_EXECUTION,
    S.DELIVERED,
]
# A community that received more than this many times the cost of its documented needs is
# flagged for review.
OVER_ALLOCATION_FACTOR = Decimal("1.5")

FLAG_OVER_ALLOCATED = "over_allocated"
FLAG_NO_NEED = "no_need_on_record"


def committees_public(municipality: Municipality) -> QuerySet[CitizenCommittee]:
    return CitizenCommittee.objects.for_municipality(municipality).for_public_list()


def committee_officers(committee: CitizenCommittee) -> QuerySet[CommitteeMember]:
    return CommitteeMember.public_objects.current().filter(committee=committee)


def committee_former_officers(committee: CitizenCommittee) -> QuerySet[CommitteeMember]:
    return CommitteeMember.public_objects.filter(
        committee=committee, ceased_on__isnull=False
    ).order_by("-ceased_on")


def forums_upcoming(municipality: Municipality) -> QuerySet[Forum]:
    return (
        Forum.objects.for_municipality(municipality)
        .for_public_list()
        .filter(starts_at__gte=timezone.now())
    )


def forums_past(municipality: Municipality) -> QuerySet[Forum]:
    return (
        Forum.objects.for_municipality(municipality)
        .for_public_list()
        .filter(starts_at__lt=timezone.now())
        .annotate(agreement_count=Count("agreements"))
        .order_by("-starts_at")
    )


def forum_public(municipality: Municipality, pk: int) -> Forum:
    return (
        Forum.objects.for_municipality(municipality)
        .select_related("colonia", "committee", "facilitator")
        .prefetch_related("agreements", "photos", "needs")
        .get(pk=pk)
    )


def planning_public(municipality: Municipality) -> QuerySet[PlanningCommittee]:
    """COPLADEM and its sub-committees with current members and recent sessions."""
    members = PlanningMember.public_objects.current().order_by("position", "full_name")
    return (
        PlanningCommittee.objects.for_municipality(municipality)
        .select_related("parent")
        .prefetch_related(
            Prefetch("members", queryset=members, to_attr="current_members"),
            Prefetch(
                "sessions__agreements",
                queryset=Agreement.objects.order_by("due_on", "id"),
            ),
        )
        .order_by("parent_id", "name")
    )


def works_public(municipality: Municipality) -> QuerySet[PublicWork]:
    progress = WorkProgress.objects.select_related(
        "reported_by_committee", "reported_by_association"
    ).order_by("reported_on", "id")
    return (
        PublicWork.objects.for_municipality(municipality)
        .select_related("executing_committee", "executing_association")
        .prefetch_related(
            "communities",
            "needs__colonia",
            Prefetch("progress", queryset=progress),
        )
        .annotate(allocated=Sum("allocations__value"))
    )


def needs_for(municipality: Municipality, participant: Participant) -> QuerySet[Need]:
    """Staff see every need of the municipality; members those of their communities."""
    needs = Need.objects.for_municipality(municipality).for_list()
    if participant.is_staff:
        return needs
    return needs.filter(colonia_id__in=participant.colonia_ids)


def need_point(need: Need) -> Point | None:
    """Where to draw a need: its own point, else its community's point or centre."""
    if need.location is not None:
        return need.location
    if need.colonia.location is not None:
        return need.colonia.location
    if need.colonia.geometry is not None:
        return need.colonia.geometry.centroid
    return None


def needs_geojson(needs: Iterable[Need]) -> dict:
    features = []
    for need in needs:
        point = need_point(need)
        if point is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(point.x, 6), round(point.y, 6)],
                },
                "properties": {
                    "id": need.pk,
                    "community": need.colonia.name,
                    "category": need.get_category_display(),
                    "status": need.get_status_display(),
                    "people_affected": need.people_affected,
                    "url": need.get_absolute_url(),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- Equity --------------------------------------------------------------------------------


@dataclass
class EquityRow:
    colonia_id: int
    name: str
    kind: str
    is_rural: bool
    population: int | None
    received: Decimal
    received_without_need: Decimal
    needs_on_record: int
    documented_cost: Decimal
    prioritised: int
    met: int
    lon: float | None = None
    lat: float | None = None

    @property
    def per_inhabitant(self) -> Decimal | None:
        if not self.population:
            return None
        return (self.received / self.population).quantize(Decimal("0.01"))

    @property
    def met_share(self) -> float | None:
        """Share of its prioritised needs that were delivered (0 to 1)."""
        if not self.prioritised:
            return None
        return self.met / self.prioritised

    @property
    def gap(self) -> Decimal:
        """Documented need still without allocation; negative when it got more than that."""
        return self.documented_cost - self.received

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.received > 0 and self.needs_on_record == 0:
            flags.append(FLAG_NO_NEED)
        elif self.needs_on_record and self.received > self.documented_cost * OVER_ALLOCATION_FACTOR:
            flags.append(FLAG_OVER_ALLOCATED)
        return flags


SORT_KEYS = {
    "name": lambda r: r.name.lower(),
    "population": lambda r: r.population or 0,
    "received": lambda r: r.received,
    "per_inhabitant": lambda r: r.per_inhabitant if r.per_inhabitant is not None else -1,
    "met_share": lambda r: r.met_share if r.met_share is not None else -1,
    "gap": lambda r: r.gap,
    "documented_cost": lambda r: r.documented_cost,
}


def equity_rows(
    municipality: Municipality, *, with_points: bool = False, sort: str = "name"
) -> list[EquityRow]:
    """The equity figures of every community, in three grouped queries whatever the count of
    communities (one per table: communities, allocations, needs), merged in memory."""
    zero = Decimal("0")
    colonias = Colonia.objects.for_municipality(municipality).order_by()
    fields = ["pk", "name", "kind", "is_rural", "population"]
    if with_points:
        colonias = colonias.annotate(center=Centroid("geometry"))
        fields += ["location", "center"]
    received = {
        row["colonia_id"]: row
        for row in Allocation.objects.filter(municipality=municipality)
        .order_by()
        .values("colonia_id")
        .annotate(
            received=Sum("value"),
            without_need=Sum("value", filter=Q(need__isnull=True)),
        )
    }
    needs = {
        row["colonia_id"]: row
        for row in equity_needs(municipality)
        .order_by()
        .values("colonia_id")
        .annotate(count=Count("pk"), cost=Sum("estimated_cost"), **needs_met_counts())
    }
    rows = []
    for colonia in colonias.values(*fields):
        got: Mapping[str, Any] = received.get(colonia["pk"], {})
        need: Mapping[str, Any] = needs.get(colonia["pk"], {})
        row = EquityRow(
            colonia_id=colonia["pk"],
            name=colonia["name"],
            kind=colonia["kind"],
            is_rural=colonia["is_rural"],
            population=colonia["population"],
            received=Decimal(got.get("received") or zero),
            received_without_need=Decimal(got.get("without_need") or zero),
            needs_on_record=need.get("count", 0),
            documented_cost=Decimal(need.get("cost") or zero),
            prioritised=need.get("prioritised", 0),
            met=need.get("met", 0),
        )
        if with_points:
            point = colonia["location"] or colonia["center"]
            if point is not None:
                row.lon, row.lat = round(point.x, 6), round(point.y, 6)
        rows.append(row)
    descending = sort.startswith("-")
    key = SORT_KEYS.get(sort.lstrip("-"), SORT_KEYS["name"])
    rows.sort(key=key, reverse=descending)
    return rows


def equity_needs(municipality: Municipality) -> QuerySet[Need]:
    """The needs the equity page counts: every need on record but the rejected ones."""
    return Need.objects.filter(municipality=municipality).exclude(status=S.REJECTED)


def needs_met_counts() -> dict[str, Count]:
    """Prioritised needs and, of them, those met (delivered), for a ``GROUP BY`` over
    ``equity_needs``: the equity page and the workspace's statistics
    (``committees.statistics``) both count with these, so they show the same numbers."""
    return {
        "prioritised": Count("pk", filter=Q(status__in=PRIORITISED_OR_LATER)),
        "met": Count("pk", filter=Q(status=S.DELIVERED)),
    }


def equity_totals(rows: list[EquityRow]) -> dict:
    return {
        "communities": len(rows),
        "received": sum((r.received for r in rows), Decimal("0")),
        "documented_cost": sum((r.documented_cost for r in rows), Decimal("0")),
        "flagged": sum(1 for r in rows if r.flags),
    }


def last_progress(work: PublicWork) -> int:
    progress = list(work.progress.all())
    return progress[-1].percent if progress else 0


def requisitionable_needs(municipality: Municipality) -> QuerySet[Need]:
    return (
        Need.objects.for_municipality(municipality)
        .filter(status=S.PRIORITISED)
        .select_related("colonia")
        .order_by("colonia__name", "priority")
    )


# --- Civil employees and distribution (staff and employee pages) ---------------------------


def _current(assignments: QuerySet[Assignment], today: datetime.date) -> QuerySet[Assignment]:
    return assignments.filter(starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )


def employee_assignments(employee_id: int) -> QuerySet[Assignment]:
    """Every assignment of one employee, current first, with its community."""
    return (
        Assignment.objects.filter(employee_id=employee_id)
        .select_related("colonia")
        .order_by("-starts_on", "colonia__name")
    )


def employee_current_communities(employee_id: int) -> QuerySet[Colonia]:
    today = timezone.localdate()
    return Colonia.objects.filter(
        pk__in=_current(Assignment.objects.filter(employee_id=employee_id), today).values(
            "colonia_id"
        )
    ).order_by("name")


def employee_activities(employee_id: int) -> QuerySet[Activity]:
    return Activity.objects.filter(employee_id=employee_id).select_related("colonia")


def employees_for_staff(municipality: Municipality) -> QuerySet[CivilEmployee]:
    """The municipality's civil employees with their assignments and how much they logged."""
    assignments = Assignment.objects.select_related("colonia").order_by("-starts_on", "pk")
    return (
        CivilEmployee.objects.filter(association__municipality=municipality)
        .select_related("association")
        .prefetch_related(Prefetch("assignment_set", queryset=assignments, to_attr="assignments"))
        .annotate(
            activity_count=Count("activities", distinct=True),
            people_reached=Sum("activities__people_reached"),
        )
        .order_by("full_name")
    )


def activities_for_staff(municipality: Municipality) -> QuerySet[Activity]:
    return Activity.objects.filter(employee__association__municipality=municipality).select_related(
        "employee", "colonia"
    )


def allocations_for_list(municipality: Municipality) -> QuerySet[Allocation]:
    return Allocation.objects.filter(municipality=municipality).select_related(
        "colonia", "need", "committee", "program", "work"
    )


def allocatable_needs(municipality: Municipality) -> QuerySet[Need]:
    from .services import ALLOCATABLE_STATUSES

    return (
        Need.objects.for_municipality(municipality)
        .filter(status__in=ALLOCATABLE_STATUSES)
        .select_related("colonia")
        .order_by("colonia__name", "priority", "pk")
    )


# --- Workflows: forums to close, COPLADEM agreements, registrations, works to report on -----

# An agreement is "due" from this many days before its date; after it, overdue.
AGREEMENT_DUE_SOON_DAYS = 7


def forums_to_close(municipality: Municipality, participant: Participant) -> QuerySet[Forum]:
    """Forums already held and not yet closed, oldest first; a member's or employee's: those
    of their communities."""
    forums = (
        Forum.objects.for_municipality(municipality)
        .filter(starts_at__lte=timezone.now(), closed_at__isnull=True)
        .select_related("colonia")
        .order_by("starts_at", "pk")
    )
    if participant.is_staff:
        return forums
    return forums.filter(colonia_id__in=participant.colonia_ids)


def session_agreements(municipality: Municipality) -> QuerySet[Agreement]:
    """The agreements of the municipality's COPLADEM sessions."""
    return Agreement.objects.filter(session__body__municipality=municipality)


def agreements_for_list(
    municipality: Municipality, *, show: str = "due", today: datetime.date | None = None
) -> QuerySet[Agreement]:
    """COPLADEM agreements by due date (no date last): ``due`` (pending and due within
    AGREEMENT_DUE_SOON_DAYS or overdue), ``pending`` (every one not done) or ``done``."""
    today = today or timezone.localdate()
    agreements = session_agreements(municipality).select_related("session__body")
    if show == "done":
        return agreements.filter(done=True).order_by("-done_on", "-pk")
    agreements = agreements.filter(done=False)
    if show == "due":
        agreements = agreements.filter(
            due_on__lte=today + datetime.timedelta(days=AGREEMENT_DUE_SOON_DAYS)
        )
    return agreements.order_by(F("due_on").asc(nulls_last=True), "pk")


def agreements_due_summary(
    municipality: Municipality, *, today: datetime.date | None = None
) -> dict[str, Any]:
    """Count, oldest due date and overdue count of the pending COPLADEM agreements due within
    AGREEMENT_DUE_SOON_DAYS or overdue, in one query."""
    today = today or timezone.localdate()
    return (
        session_agreements(municipality)
        .filter(done=False, due_on__lte=today + datetime.timedelta(days=AGREEMENT_DUE_SOON_DAYS))
        .aggregate(
            count=Count("pk"),
            oldest=Min("due_on"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
    )


def committees_for_registration(municipality: Municipality) -> QuerySet[CitizenCommittee]:
    """The municipality's committees with their certificate in force (if any), unregistered
    ones first."""
    in_force = RegistrationCertificate.objects.filter(revoked_at__isnull=True)
    return (
        CitizenCommittee.objects.for_municipality(municipality)
        .prefetch_related(
            "communities",
            Prefetch("certificates", queryset=in_force, to_attr="certificates_in_force"),
        )
        .order_by(F("registered_on").asc(nulls_first=True), "name")
    )


def certificate_for_code(municipality: Municipality, code: str) -> RegistrationCertificate:
    """The certificate with this verification code, in this municipality only."""
    return (
        RegistrationCertificate.objects.for_municipality(municipality)
        .select_related("committee", "municipality")
        .get(code=code)
    )


@dataclass(frozen=True)
class CertificateStatus:
    valid: bool
    reason: str


def certificate_status(certificate: RegistrationCertificate) -> CertificateStatus:
    """Whether a certificate is valid today, and why not. Reasons are keys, the page words them."""
    committee = certificate.committee
    if certificate.revoked_at is not None:
        return CertificateStatus(False, "revoked")
    if committee.status != CitizenCommittee.Status.ACTIVE:
        return CertificateStatus(False, "committee_not_active")
    if committee.registration_number != certificate.registration_number:
        return CertificateStatus(False, "registration_changed")
    return CertificateStatus(True, "valid")


def works_to_report(municipality: Municipality, participant: Participant) -> QuerySet[PublicWork]:
    """The works a user reports progress on: every work for staff; for a committee member the
    works their committee executes; for a civil employee those of their association."""
    works = (
        PublicWork.objects.for_municipality(municipality)
        .select_related("executing_committee", "executing_association")
        .annotate(last_percent=Max("progress__percent"), last_report=Max("progress__reported_on"))
        .order_by("name", "pk")
    )
    if participant.is_staff:
        return works
    executing = Q(executing_committee_id__in=participant.committee_ids)
    if participant.civil_employee_id is not None:
        executing |= Q(executing_association__employees__pk=participant.civil_employee_id)
    return works.filter(executing)


# --- "My colonia" (territory.panels: colonia_panels) -----------------------------------------

OPEN_NEED_STATUSES = (
    Need.Status.IDENTIFIED,
    Need.Status.PRIORITISED,
    Need.Status.REQUISITIONED,
    Need.Status.APPROVED,
    Need.Status.IN_EXECUTION,
)


def colonia_committees(colonia: Colonia) -> list[CitizenCommittee]:
    """The colonia's Committees of Citizen Participation (the public fields): one statement."""
    return list(
        CitizenCommittee.objects.filter(
            municipality_id=colonia.municipality_id, communities=colonia
        )
        .exclude(status=CitizenCommittee.Status.DISSOLVED)
        .only("id", "name", "status", "registration_number", "registered_on")
        .order_by("name")
    )


def colonia_need_counts(colonia: Colonia) -> list[dict]:
    """The colonia's needs by category: still open, delivered, and people affected by the
    open ones. Counts only (a need's page is for participants): one statement."""
    labels = dict(Need.Category.choices)
    rows = (
        Need.objects.filter(municipality_id=colonia.municipality_id, colonia=colonia)
        .values("category")
        .annotate(
            open=Count("id", filter=Q(status__in=OPEN_NEED_STATUSES)),
            delivered=Count("id", filter=Q(status=Need.Status.DELIVERED)),
            people=Sum("people_affected", filter=Q(status__in=OPEN_NEED_STATUSES)),
        )
        .order_by("-open", "category")
    )
    return [{**row, "label": labels.get(row["category"], row["category"])} for row in rows]


def colonia_works(colonia: Colonia, limit: int = 10) -> list[PublicWork]:
    """The public works for the colonia, latest first, each with ``progress_percent`` (its
    last reported progress): one statement."""
    last = WorkProgress.objects.filter(work=OuterRef("pk")).order_by("-reported_on", "-id")
    return list(
        PublicWork.objects.filter(municipality_id=colonia.municipality_id, communities=colonia)
        .annotate(progress_percent=Subquery(last.values("percent")[:1]))
        .only("id", "name", "budget", "starts_on", "ends_on")
        .order_by("-starts_on", "name")[:limit]
    )
