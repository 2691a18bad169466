"""Where a complaint is, as the public may know it: one rule for every public surface."""

import math
from typing import NamedTuple

from django.contrib.gis.geos import Point

#: 3 decimals of a degree: about 110 m of latitude, about 100 m of longitude in Mexico.
PUBLIC_DECIMALS = 3
#: How far a rounded point can be from the true one (half the diagonal of a rounding cell).
ROUNDING_METRES = 80
EARTH_RADIUS_METRES = 6_371_008.8


class PublicPoint(NamedTuple):
    longitude: float
    latitude: float


def public_coordinates(location: Point | None) -> PublicPoint | None:
    """The only place of a complaint that the public sees: its point rounded to 3 decimals.

    The rule, for every public surface (the complaint's page, the complaints GeoJSON, Open311's
    GET responses, the nearby-complaints check and the open-data download), all of which call
    this function:

    - The point is rounded to 3 decimals (about 110 m), so that it does not single out a home:
      many complaints are about the street light or the rubbish in front of the reporter's
      own house. Distances shown to the public are measured to this point too
      (:func:`public_distance_m`), or a few of them would give the exact point back.
    - The free-text address is never published (people write their own house number in it);
      the colonia and the public space, which are public places, say where it is.
    - Staff pages (the directorates' inbox) read the exact point and address.
    """
    if location is None:
        return None
    return PublicPoint(round(location.x, PUBLIC_DECIMALS), round(location.y, PUBLIC_DECIMALS))


def public_distance_m(point: Point, location: Point | None) -> float | None:
    """Metres from ``point`` to the complaint's public point (haversine), or None."""
    public = public_coordinates(location)
    if public is None:
        return None
    lon1, lat1, lon2, lat2 = map(
        math.radians, (point.x, point.y, public.longitude, public.latitude)
    )
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(a))


def public_coordinate_expressions(field_name: str = "location") -> tuple:
    """:func:`public_coordinates` as database expressions (longitude, latitude), for the
    statements that build many public points at once (the map's complaints layer): the same
    3 decimals. The one difference is the exact tie (a coordinate of exactly 4 decimals ending
    in 5), which the database rounds away from zero and Python to the nearer binary value:
    either way the point stays within ROUNDING_METRES of the true one."""
    from territory.layers import LonLat, Rounded

    return (
        Rounded(LonLat(field_name, "X"), PUBLIC_DECIMALS),
        Rounded(LonLat(field_name, "Y"), PUBLIC_DECIMALS),
    )
