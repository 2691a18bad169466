"""Reads of the alerts app: what a followed place is, and what changed there.

A place's changes are public data at public precision, the same the public pages show: a
complaint's code, service and status (never its reporter, address or exact point), the
findings raised and fixed there (what failed, not who reported it), and the cards filed
(their date and how many items failed, never who filed them). The Atom feeds and the e-mail
digests read the same :func:`place_events`.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from complaints.constants import ComplaintStatus
from complaints.models import ComplaintUpdate
from findings.models import Finding
from guardians.models import Card
from territory.models import Colonia, Municipality, PublicSpace, ServiceArea, ServiceType

from .constants import FollowKind
from .models import Subscription

#: Changes a feed shows, and a digest lists per place.
EVENTS_LIMIT = 50


@dataclass(frozen=True)
class Place:
    """Something a citizen can follow: a space, a service area, a colonia, or one service in
    a colonia."""

    kind: str
    municipality_id: int
    space: PublicSpace | None = None
    area: ServiceArea | None = None
    colonia: Colonia | None = None
    service_type: ServiceType | None = None

    @property
    def name(self) -> str:
        if self.space is not None:
            return f"{self.space.name} ({self.space.code})"
        if self.area is not None:
            return f"{self.area.name} ({self.area.service_type.name})"
        assert self.colonia is not None
        if self.service_type is not None:
            return _("%(service)s in %(colonia)s") % {
                "service": self.service_type.name,
                "colonia": self.colonia.name,
            }
        return self.colonia.name

    @property
    def page_url(self) -> str:
        if self.space is not None:
            return self.space.get_absolute_url()
        if self.area is not None:
            return reverse("territory:area_detail", kwargs={"pk": self.area.pk})
        assert self.colonia is not None
        return reverse("territory:colonia_detail", kwargs={"pk": self.colonia.pk})

    @property
    def feed_url(self) -> str:
        if self.space is not None:
            return reverse("alerts:space_feed", kwargs={"code": self.space.code})
        if self.area is not None:
            return reverse("alerts:area_feed", kwargs={"pk": self.area.pk})
        assert self.colonia is not None
        if self.service_type is not None:
            return reverse(
                "alerts:colonia_service_feed",
                kwargs={"pk": self.colonia.pk, "service": self.service_type.code},
            )
        return reverse("alerts:colonia_feed", kwargs={"pk": self.colonia.pk})

    @property
    def follow_url(self) -> str:
        if self.space is not None:
            return reverse("alerts:follow_space", kwargs={"code": self.space.code})
        if self.area is not None:
            return reverse("alerts:follow_area", kwargs={"pk": self.area.pk})
        assert self.colonia is not None
        return reverse("alerts:follow_colonia", kwargs={"pk": self.colonia.pk})

    def key(self) -> dict:
        """What a confirmation token carries to find the place again."""
        target = self.space or self.area or self.colonia
        assert target is not None
        return {
            "k": self.kind,
            "p": target.pk,
            "s": self.service_type.pk if self.service_type is not None else None,
        }

    def subscription_fields(self) -> dict:
        return {
            "kind": self.kind,
            "space": self.space,
            "area": self.area,
            "colonia": self.colonia,
            "service_type": self.service_type,
        }


# --- Finding a place ---------------------------------------------------------------------------


def space_place(*, municipality: Municipality, code: str) -> Place | None:
    space = PublicSpace.objects.for_municipality(municipality).filter(code=code).first()
    return Place(FollowKind.SPACE, municipality.pk, space=space) if space else None


def area_place(*, municipality: Municipality, pk: int) -> Place | None:
    area = (
        ServiceArea.objects.for_municipality(municipality)
        .select_related("service_type")
        .filter(pk=pk)
        .first()
    )
    return Place(FollowKind.AREA, municipality.pk, area=area) if area else None


def colonia_place(
    *, municipality: Municipality, pk: int, service_code: str | None = None
) -> Place | None:
    """The colonia, or one service in it (``service_code``); None if either is unknown or
    another municipality's."""
    colonia = Colonia.objects.for_municipality(municipality).filter(pk=pk).first()
    if colonia is None:
        return None
    if service_code is None:
        return Place(FollowKind.COLONIA, municipality.pk, colonia=colonia)
    service = ServiceType.objects.for_municipality(municipality).filter(code=service_code).first()
    if service is None:
        return None
    return Place(FollowKind.COLONIA_SERVICE, municipality.pk, colonia=colonia, service_type=service)


def place_from_key(*, municipality: Municipality, key: dict) -> Place | None:
    """The place a confirmation token names (see :meth:`Place.key`), if it still exists in
    this municipality."""
    kind, pk, service_id = key.get("k"), key.get("p"), key.get("s")
    if not isinstance(pk, int):
        return None
    if kind == FollowKind.SPACE:
        space = PublicSpace.objects.for_municipality(municipality).filter(pk=pk).first()
        return Place(kind, municipality.pk, space=space) if space else None
    if kind == FollowKind.AREA:
        return area_place(municipality=municipality, pk=pk)
    if kind == FollowKind.COLONIA:
        return colonia_place(municipality=municipality, pk=pk)
    if kind == FollowKind.COLONIA_SERVICE and isinstance(service_id, int):
        colonia = Colonia.objects.for_municipality(municipality).filter(pk=pk).first()
        service = ServiceType.objects.for_municipality(municipality).filter(pk=service_id).first()
        if colonia is None or service is None:
            return None
        return Place(kind, municipality.pk, colonia=colonia, service_type=service)
    return None


def subscription_place(subscription: Subscription) -> Place:
    return Place(
        subscription.kind,
        subscription.municipality_id,
        space=subscription.space,
        area=subscription.area,
        colonia=subscription.colonia,
        service_type=subscription.service_type,
    )


def subscription_by_token(*, municipality: Municipality, token: uuid.UUID) -> Subscription | None:
    return (
        Subscription.objects.for_municipality(municipality)
        .select_related("space", "area__service_type", "colonia", "service_type")
        .filter(token=token)
        .first()
    )


def subscriptions_of(*, municipality_id: int, email: str) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(municipality_id=municipality_id, email=email)
        .select_related("space", "area__service_type", "colonia", "service_type")
        .order_by("id")
    )


# --- What changed at a place -------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One public change at a place."""

    key: str  # stable and unique: the feed entry's id
    at: datetime.datetime
    title: str
    text: str
    url: str  # a public page's path


def _complaint_filter(place: Place, prefix: str = "complaint__") -> Q:
    q = Q(**{f"{prefix}municipality_id": place.municipality_id})
    if place.space is not None:
        return q & Q(**{f"{prefix}space": place.space})
    if place.area is not None:
        # The area's own service, inside its boundary (only a yes/no on the exact point).
        return q & Q(
            **{
                f"{prefix}service_type_id": place.area.service_type_id,
                f"{prefix}location__intersects": place.area.geometry,
            }
        )
    q &= Q(**{f"{prefix}colonia": place.colonia})
    if place.service_type is not None:
        q &= Q(**{f"{prefix}service_type": place.service_type})
    return q


def _space_filter(place: Place) -> Q:
    """Findings and cards: about a space, so an area's are those of the spaces inside it."""
    q = Q(municipality_id=place.municipality_id)
    if place.space is not None:
        return q & Q(space=place.space)
    if place.area is not None:
        return q & Q(
            service_type_id=place.area.service_type_id,
            space__centroid__intersects=place.area.geometry,
        )
    q &= Q(colonia=place.colonia)
    if place.service_type is not None:
        q &= Q(service_type=place.service_type)
    return q


def _window(field: str, since: datetime.datetime | None, until: datetime.datetime | None) -> Q:
    q = Q()
    if since is not None:
        q &= Q(**{f"{field}__gt": since})
    if until is not None:
        q &= Q(**{f"{field}__lte": until})
    return q


def place_events(
    place: Place,
    *,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    limit: int = EVENTS_LIMIT,
) -> list[Event]:
    """The latest public changes at the place in ``(since, until]``, newest first, at most
    ``limit``: complaints filed and their status changes, findings raised and fixed, cards
    filed. Three queries, whatever the place's history."""
    events: list[Event] = []
    updates = (
        ComplaintUpdate.objects.filter(
            _complaint_filter(place), _window("created_at", since, until)
        )
        .order_by("-created_at", "-id")
        .values(
            "id",
            "status",
            "previous_status",
            "created_at",
            "complaint__code",
            "complaint__service_type__name",
        )[:limit]
    )
    for row in updates:
        code, service = row["complaint__code"], row["complaint__service_type__name"]
        status = ComplaintStatus(row["status"]).label
        if row["previous_status"]:
            title = _("Complaint %(code)s (%(service)s): %(status)s") % {
                "code": code,
                "service": service,
                "status": status,
            }
        else:
            title = _("New complaint %(code)s (%(service)s)") % {"code": code, "service": service}
        events.append(
            Event(
                key=f"complaint-update-{row['id']}",
                at=row["created_at"],
                title=str(title),
                text=str(_("Status: %(status)s") % {"status": status}),
                url=reverse("complaints:detail", kwargs={"code": code}),
            )
        )
    findings = (
        Finding.objects.filter(
            _space_filter(place),
            _window("created_at", since, until) | _window("verified_at", since, until),
        )
        .order_by("-updated_at", "-id")
        .values(
            "id",
            "kind",
            "item_text",
            "created_at",
            "verified_at",
            "service_type__name",
            "space__code",
            "space__name",
        )[:limit]
    )
    for finding in findings:
        what = finding["item_text"] or Finding.Kind(finding["kind"]).label
        where = finding["space__name"] or ""
        url = (
            reverse("territory:space_detail", kwargs={"code": finding["space__code"]})
            if finding["space__code"]
            else place.page_url
        )
        for at, key, title in (
            (finding["created_at"], "raised", _("Problem found at %(where)s: %(what)s")),
            (finding["verified_at"], "fixed", _("Fixed at %(where)s: %(what)s")),
        ):
            if at is None or (since is not None and at <= since) or (until and at > until):
                continue
            events.append(
                Event(
                    key=f"finding-{finding['id']}-{key}",
                    at=at,
                    title=str(title % {"where": where, "what": what}),
                    text=str(finding["service_type__name"]),
                    url=url,
                )
            )
    cards = (
        Card.objects.filter(_space_filter(place), _window("submitted_at", since, until))
        .order_by("-submitted_at", "-id")
        .values(
            "id",
            "submitted_at",
            "observed_on",
            "failure_count",
            "service_type__name",
            "space__code",
            "space__name",
        )[:limit]
    )
    for card in cards:
        events.append(
            Event(
                key=f"card-{card['id']}",
                at=card["submitted_at"],
                title=str(
                    _("Surveillance card filed at %(where)s (%(service)s)")
                    % {"where": card["space__name"], "service": card["service_type__name"]}
                ),
                text=str(
                    _("Observed on %(date)s; failing items: %(failures)s")
                    % {"date": card["observed_on"].isoformat(), "failures": card["failure_count"]}
                ),
                url=reverse("territory:space_detail", kwargs={"code": card["space__code"]}),
            )
        )
    events.sort(key=lambda event: (event.at, event.key), reverse=True)
    return events[:limit]
