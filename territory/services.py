"""Writes to the territory: every state change goes through here."""

from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import transaction

from .geometry import area_m2, as_multipolygon
from .models import Colonia, Directorate, Municipality, PublicSpace, ServiceArea, ServiceType
from .selectors import forget_municipality_hosts


@transaction.atomic
def municipality_create(
    *,
    name: str,
    slug: str,
    state: str,
    inegi_code: str,
    center: Point,
    zoom: int = 12,
    hosts: str = "",
    is_default: bool = False,
    is_rural: bool = False,
    contact_email: str = "",
    contact_phone: str = "",
    website: str = "",
) -> Municipality:
    municipality = Municipality(
        name=name,
        slug=slug,
        state=state,
        inegi_code=inegi_code,
        center=center,
        zoom=zoom,
        hosts=hosts,
        is_default=is_default,
        is_rural=is_rural,
        contact_email=contact_email,
        contact_phone=contact_phone,
        website=website,
    )
    municipality.full_clean()
    municipality.save()
    transaction.on_commit(forget_municipality_hosts)
    return municipality


def colonia_for_point(*, municipality: Municipality, point: Point) -> Colonia | None:
    return (
        Colonia.objects.for_municipality(municipality)
        .containing(point)
        .only("id")
        .order_by("id")
        .first()
    )


def _geometry_fields(geometry: GEOSGeometry) -> dict:
    multipolygon = as_multipolygon(geometry)
    return {
        "geometry": multipolygon,
        "area_m2": area_m2(multipolygon),
        "centroid": multipolygon.point_on_surface
        if not multipolygon.centroid.within(multipolygon)
        else multipolygon.centroid,
    }


def space_upsert(
    *,
    municipality: Municipality,
    code: str,
    name: str,
    geometry: GEOSGeometry,
    kind: str | None = None,
    directorate: Directorate | None = None,
) -> tuple[PublicSpace, bool]:
    """Creates or updates the space with this code; area, centroid and colonia are derived."""
    fields = _geometry_fields(geometry)
    fields["name"] = name
    fields["colonia"] = colonia_for_point(municipality=municipality, point=fields["centroid"])
    if kind:
        fields["kind"] = kind
    if directorate is not None:
        fields["directorate"] = directorate
    return PublicSpace.objects.update_or_create(
        municipality=municipality, code=code, defaults=fields
    )


def service_area_upsert(
    *,
    municipality: Municipality,
    service_type: ServiceType,
    code: str,
    name: str,
    geometry: GEOSGeometry,
    colonias_text: str = "",
) -> tuple[ServiceArea, bool]:
    fields = _geometry_fields(geometry)
    fields.update(name=name, colonias_text=colonias_text)
    return ServiceArea.objects.update_or_create(
        municipality=municipality, service_type=service_type, code=code, defaults=fields
    )


def space_refresh_geometry(*, space: PublicSpace) -> PublicSpace:
    """Re-derives area, centroid and colonia after the boundary was edited (e.g. in the admin)."""
    fields = _geometry_fields(space.geometry)
    for name, value in fields.items():
        setattr(space, name, value)
    space.colonia = colonia_for_point(municipality=space.municipality, point=space.centroid)
    return space


def service_area_refresh_geometry(*, area: ServiceArea) -> ServiceArea:
    """Re-derives area and centroid after the boundary was edited (e.g. in the admin)."""
    for name, value in _geometry_fields(area.geometry).items():
        setattr(area, name, value)
    return area
