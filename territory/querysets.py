"""Chainable reads for territory models (the selectors' building blocks)."""

import datetime

from django.contrib.gis.db.models.functions import Distance, GeomOutputGeoFunc
from django.contrib.gis.geos import Point, Polygon
from django.db import models
from django.db.models import OuterRef

from .responsible import space_responsible


class SimplifyPreserveTopology(GeomOutputGeoFunc):
    """ST_SimplifyPreserveTopology on PostGIS, SimplifyPreserveTopology on SpatiaLite."""

    arity = 2

    # Both return a one-part MultiPolygon as a Polygon: keep the stored type.
    def as_postgresql(self, compiler, connection, **extra_context):
        extra_context["template"] = "ST_Multi(%(function)s(%(expressions)s))"
        return self.as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        extra_context["template"] = "CastToMulti(%(function)s(%(expressions)s))"
        return self.as_sql(compiler, connection, **extra_context)


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
    def with_contract_in_force(self, day: datetime.date | None = None):
        """Annotates ``contract_in_force_id``: the contract in force that covers the space, by
        the contracts app's rule (one correlated subquery, no query per row)."""
        if "contract_in_force_id" in self.query.annotations:
            return self
        in_force = space_responsible().contract_in_force_id(OuterRef("pk"), day)
        return self.annotate(contract_in_force_id=in_force)

    def with_responsible(self, day: datetime.date | None = None):
        """Adds the company and contract in force (``company_name``, ``company_id_in_force``,
        ``contract_number``) and selects the colonia and directorate, for lists."""
        responsible = space_responsible().responsible_annotations(OuterRef("contract_in_force_id"))
        return (
            self.with_contract_in_force(day)
            .annotate(**responsible)
            .select_related("colonia", "directorate")
        )

    def served_in_force(self, *, company=None, service_type=None, day=None):
        """Spaces whose contract in force is held by the company or is for the service."""
        contracts = space_responsible().contracts_serving(
            company=company, service_type=service_type
        )
        return self.with_contract_in_force(day).filter(contract_in_force_id__in=contracts)

    def covered_by(self, contract):
        """Spaces the contract covers, in force or not."""
        return self.filter(contracts=contract)

    def matching_text(self, text: str):
        """Code or name containing the text (case-insensitive)."""
        return self.filter(models.Q(code__icontains=text) | models.Q(name__icontains=text))


class ServiceAreaQuerySet(_SpatialQuerySet):
    def with_contract_in_force(self, day: datetime.date | None = None):
        """Annotates ``contract_in_force_id``: the contract in force that covers the area, by
        the contracts app's rule (one correlated subquery, no query per row)."""
        if "contract_in_force_id" in self.query.annotations:
            return self
        in_force = space_responsible().area_contract_in_force_id(OuterRef("pk"), day)
        return self.annotate(contract_in_force_id=in_force)

    def with_responsible(self, day: datetime.date | None = None):
        """Adds the company and contract in force (``company_name``, ``company_id_in_force``,
        ``contract_number``), for lists."""
        responsible = space_responsible().responsible_annotations(OuterRef("contract_in_force_id"))
        return self.with_contract_in_force(day).annotate(**responsible)
