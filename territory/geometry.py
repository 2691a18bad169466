"""Geometry helpers: areas in square metres and clean multipolygons in WGS84."""

from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon, WKBWriter

WGS84 = 4326


def as_multipolygon(geometry: GEOSGeometry) -> MultiPolygon:
    """A 2-D MultiPolygon in SRID 4326 from a Polygon or MultiPolygon (Z values dropped)."""
    if geometry.srid not in (None, WGS84):
        geometry = geometry.transform(WGS84, clone=True)
    if geometry.hasz:
        geometry = _drop_z(geometry)
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon(geometry, srid=WGS84)
    geometry.srid = WGS84
    return geometry


def _drop_z(geometry: GEOSGeometry) -> GEOSGeometry:
    writer = WKBWriter()
    writer.outdim = 2
    return GEOSGeometry(writer.write(geometry), srid=WGS84)


def area_m2(geometry: GEOSGeometry) -> float:
    """Area in m², on a Lambert azimuthal equal-area projection centred on the geometry."""
    centre = geometry.centroid
    laea = SpatialReference(
        f"+proj=laea +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m +no_defs"
    )
    projected = geometry.ogr
    projected.transform(CoordTransform(SpatialReference(WGS84), laea))
    return round(projected.area, 2)
