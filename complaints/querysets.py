"""Chainable reads for complaints."""

import datetime
import math

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.db import models

from territory.querysets import MunicipalityScopedQuerySet

from .constants import FIXED_STATUSES, OPEN_STATUSES, REPORTER_FIELDS

METRES_PER_DEGREE = 111_320


def bbox_around(point: Point, metres: float) -> Polygon:
    """A box a little larger than the circle, so that the spatial index can prefilter."""
    dlat = metres * 1.2 / METRES_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(point.y)), 0.01)
    box = Polygon.from_bbox((point.x - dlon, point.y - dlat, point.x + dlon, point.y + dlat))
    box.srid = 4326
    return box


def fixed_q(prefix: str = "") -> models.Q:
    """The one rule of what a fix rate counts as fixed: resolved or closed, and not reopened
    by its reporter answering "no" to "Has it been fixed?" (closing it again does not undo
    that answer). ``prefix`` reaches the complaint through a relation (``"complaints__"``)."""
    return models.Q(**{f"{prefix}status__in": FIXED_STATUSES}) & ~models.Q(
        **{f"{prefix}fixed_question__fixed": False}
    )


class ComplaintQuerySet(MunicipalityScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.exclude(status__in=OPEN_STATUSES)

    def fixed(self):
        return self.filter(fixed_q())

    def within(self, point: Point, metres: float):
        """Complaints at most ``metres`` from the point, nearest first (metres computed in the
        database; the bounding box lets PostGIS use the spatial index first)."""
        return (
            self.filter(location__intersects=bbox_around(point, metres))
            .annotate(distance=Distance("location", point))
            .filter(distance__lte=D(m=metres))
            .order_by("distance")
        )

    def reported_between(self, start: datetime.datetime, end: datetime.datetime):
        return self.filter(created_at__gte=start, created_at__lt=end)

    def for_directorate(self, directorate):
        return self.filter(directorate=directorate)

    def with_public_related(self):
        """What public pages and the Open311 listing show, in one query with no N+1."""
        # The related models through the relations: this module may not import models.py.
        updates, photos = self.model.updates.field.model, self.model.photos.field.model
        last_note = (
            updates.objects.filter(complaint=models.OuterRef("pk"))
            .exclude(note="")
            .order_by("-created_at", "-id")
            .values("note")[:1]
        )
        first_photo = (
            photos.objects.filter(complaint=models.OuterRef("pk"))
            .order_by("id")
            .values("image")[:1]
        )
        return self.select_related("service_type", "directorate", "colonia", "space").annotate(
            last_note=models.Subquery(last_note), first_photo=models.Subquery(first_photo)
        )


class PublicComplaintManager(models.Manager.from_queryset(ComplaintQuerySet)):
    """Every complaint, with the reporter's contact fields left out of the query."""

    def get_queryset(self):
        return super().get_queryset().defer(*REPORTER_FIELDS)
