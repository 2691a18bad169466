"""Chainable reads for territory models (the selectors' building blocks)."""

from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point, Polygon
from django.db import models


class MunicipalityScopedQuerySet(models.QuerySet):
    def for_municipality(self, municipality):
        return self.filter(municipality=municipality)


class ColoniaQuerySet(MunicipalityScopedQuerySet):
    def containing(self, point: Point):
        return self.filter(geometry__intersects=point)


class _SpatialQuerySet(MunicipalityScopedQuerySet):
    def in_bbox(self, bbox: Polygon):
        """Rows whose geometry touches the bounding box (uses the spatial index on PostGIS).

        ``intersects`` rather than ``bboverlaps``: SpatiaLite's MbrOverlaps is false when the
        viewport contains the whole space, which is the common case.
        """
        return self.filter(geometry__intersects=bbox)

    def containing(self, point: Point):
        return self.filter(geometry__intersects=point)

    def nearest(self, point: Point):
        """Ordered by distance in metres from the point, computed in the database."""
        return self.annotate(distance=Distance("centroid", point)).order_by("distance")


class PublicSpaceQuerySet(_SpatialQuerySet):
    pass


class ServiceAreaQuerySet(_SpatialQuerySet):
    pass
