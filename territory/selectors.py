"""Reads about the territory: which municipality, which colonia, which spaces."""

import json
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON, Distance, GeometryDistance
from django.contrib.gis.geos import Point, Polygon
from django.core.cache import cache
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, F, IntegerField, Model, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from . import postgis
from .filters import POLYGON_MIN_ZOOM
from .models import Colonia, Municipality, PublicSpace, ServiceArea
from .querysets import PublicSpaceQuerySet, SimplifyPreserveTopology
from .responsible import space_responsible

# The map's rows: code, name, kind, contract_in_force_id, colonia_name, geojson.
FeatureRows = QuerySet[PublicSpace, Mapping[str, Any]]

# RFC 7946 advises 6 decimals: about 10 cm, more than the source data is worth.
GEOJSON_DECIMALS = 6

MUNICIPALITY_HOSTS_CACHE_KEY = "territory:municipality-hosts:v1"


# Each process also keeps the map for a few seconds: reading it from the shared cache costs a
# round trip and the unpickling of every municipality, on every request of every page. A
# change reaches the other processes within that time (forget_municipality_hosts clears this
# process's copy at once); a new host name is rare enough that five seconds do not matter.
HOSTS_LOCAL_SECONDS = 5
_local_hosts: tuple[float, dict] | None = None


def _host_map() -> dict[str, Municipality | None]:
    """Host name → municipality, cached so that a request costs no query to find it."""
    global _local_hosts
    now = time.monotonic()
    local = _local_hosts
    if local is not None and local[0] > now:
        return local[1]
    mapping = cache.get(MUNICIPALITY_HOSTS_CACHE_KEY)
    if mapping is None:
        mapping = {"": None}
        for municipality in Municipality.objects.all():
            for host in municipality.host_list:
                mapping[host] = municipality
            mapping.setdefault(f"{municipality.slug}.localhost", municipality)
            if municipality.is_default:
                mapping[""] = municipality
        cache.set(MUNICIPALITY_HOSTS_CACHE_KEY, mapping, 300)
    _local_hosts = (now + HOSTS_LOCAL_SECONDS, mapping)
    return mapping


def municipality_for_host(host: str) -> Municipality | None:
    """The municipality a host name selects, else the default one (None if there is none)."""
    mapping = _host_map()
    return mapping.get(host.lower(), mapping.get(""))


def forget_municipality_hosts() -> None:
    """Call after creating or changing a municipality."""
    global _local_hosts
    _local_hosts = None
    cache.delete(MUNICIPALITY_HOSTS_CACHE_KEY)


def municipalities() -> QuerySet[Municipality]:
    """Every municipality, by id. The apps below territory that keep something per municipality
    (audit: one chain each) read it through ``TerritoryConfig.municipalities``."""
    return Municipality.objects.order_by("pk")


# --- Public spaces: the map, its list, "near me" and a space's page ----------------------------


def spaces_for_map(*, municipality: Municipality) -> PublicSpaceQuerySet:
    """The spaces the public map shows, to be narrowed by the map's filters."""
    return PublicSpace.objects.for_municipality(municipality)


def space_list_for_map(*, municipality: Municipality) -> PublicSpaceQuerySet:
    """The text list beside the map: with the colonia and who is responsible, by code."""
    return spaces_for_map(municipality=municipality).with_responsible().order_by("code")


def counts_together(*, municipality: Municipality, querysets: Sequence[QuerySet]) -> list[int]:
    """How many rows each queryset has, in one statement: scalar subqueries selected from the
    municipality's own row (the map counts its lists so, not one ``COUNT`` each)."""
    columns = {
        f"n{number}": Coalesce(
            Subquery(
                queryset.order_by()
                .annotate(_all=Value(1))
                .values("_all")
                .annotate(_n=Count("*"))
                .values("_n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )
        for number, queryset in enumerate(querysets)
    }
    if not columns:
        return []
    row = (
        Municipality.objects.filter(pk=municipality.pk)
        .annotate(**columns)
        .values_list(*columns)
        .first()
    )
    return [int(value or 0) for value in row] if row else [0] * len(querysets)


def map_settings(*, municipality: Municipality) -> dict:
    """django-leaflet settings overrides that centre the map on the municipality."""
    center = municipality.center
    return {"DEFAULT_CENTER": (center.y, center.x), "DEFAULT_ZOOM": municipality.zoom}


def _data_version_sql(*, municipality: Municipality, bbox: Polygon | None) -> tuple[str, list]:
    spaces_table = PublicSpace._meta.db_table
    contracts_table = space_responsible().CONTRACT_TABLE
    summary = "CAST(COUNT(*) AS TEXT) || '/' || COALESCE(CAST(MAX(updated_at) AS TEXT), '')"
    in_box, box_params = "", []
    if bbox is not None:
        box = {
            "postgresql": "geometry && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
            "sqlite": "MbrIntersects(geometry, BuildMbr(%s, %s, %s, %s, 4326))",
        }[connection.vendor]
        in_box, box_params = f" AND {box}", list(bbox.extent)
    # Table names come from the models; values are parameters.
    sql = (
        f"(SELECT {summary} FROM {spaces_table} WHERE municipality_id = %s{in_box}),"  # noqa: S608
        f" (SELECT {summary} FROM {contracts_table} WHERE municipality_id = %s)"
    )
    return sql, [municipality.pk, *box_params, municipality.pk]


def _data_version(spaces: str, contracts: str) -> str:
    return f"{spaces}|{contracts}|{timezone.localdate().isoformat()}"


def spaces_data_version(*, municipality: Municipality, bbox: Polygon | None = None) -> str:
    """What the map data depends on, in one cheap query: how many spaces (in the box, if
    given) and contracts the municipality has and when they last changed (adding coverage
    touches the contract), plus the day, because which contract is in force changes at
    midnight.

    Hand-written because it runs on every map request, 304s included: the box test is on
    bounding rectangles only (the spatial index, no geometry), a superset of the spaces the
    box touches, so any change to one of those still changes the version.
    """
    sql, params = _data_version_sql(municipality=municipality, bbox=bbox)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return _data_version(*cursor.fetchone())


def _tolerance_for_zoom(zoom: int) -> float:
    """Half a screen pixel at this zoom, in degrees (256-pixel web-mercator tiles)."""
    return 360 / (256 * 2**zoom) / 2


def _geometry_geojson(zoom: int | None) -> AsGeoJSON:
    geometry: F | SimplifyPreserveTopology
    if zoom is None:
        geometry = F("geometry")
    elif zoom < POLYGON_MIN_ZOOM:
        geometry = F("centroid")
    else:
        geometry = SimplifyPreserveTopology("geometry", Value(_tolerance_for_zoom(zoom)))
    return AsGeoJSON(geometry, precision=GEOJSON_DECIMALS)


def _kind_labels() -> dict[str, str]:
    return {value: str(label) for value, label in PublicSpace.Kind.choices}


def _space_url_parts() -> tuple[str, str]:
    prefix, suffix = reverse("territory:space_detail", kwargs={"code": "~code~"}).split("~code~")
    return prefix, suffix


def _feature_rows(queryset: PublicSpaceQuerySet, zoom: int | None) -> FeatureRows:
    return (
        queryset.with_contract_in_force()
        .order_by()
        .values(
            "code",
            "name",
            "kind",
            "contract_in_force_id",
            colonia_name=F("colonia__name"),
            geojson=_geometry_geojson(zoom),
        )
    )


def spaces_feature_collection(*, queryset: PublicSpaceQuerySet, zoom: int | None = None) -> str:
    """The spaces as an RFC 7946 FeatureCollection (text). Below POLYGON_MIN_ZOOM a space is
    its centroid; from it on, its boundary simplified to half a pixel; with no zoom, as stored.

    The properties: code, name, kind, kind_label, service {name, color}, company, contract
    (number), colonia, url; company and contract are those of the contract in force.
    """
    rows = _feature_rows(queryset, zoom)
    database = connections[queryset.db]
    if database.vendor == "postgresql":
        return _feature_collection_postgis(rows.query.sql_with_params(), database)[0]
    return _feature_collection_python(rows)


def spaces_feature_collection_with_version(
    *,
    queryset: PublicSpaceQuerySet,
    municipality: Municipality,
    zoom: int | None = None,
    bbox: Polygon | None = None,
) -> tuple[str, str]:
    """The FeatureCollection and the data version it was built from (for the ETag). On
    PostGIS one statement returns both, saving a round trip on every map request."""
    rows = _feature_rows(queryset, zoom)
    database = connections[queryset.db]
    if database.vendor == "postgresql":
        version_sql = _data_version_sql(municipality=municipality, bbox=bbox)
        body, spaces, contracts = _feature_collection_postgis(
            rows.query.sql_with_params(), database, version_sql
        )
        return body, _data_version(spaces, contracts)
    version = spaces_data_version(municipality=municipality, bbox=bbox)
    return _feature_collection_python(rows), version


def _viewport_geometry(zoom: int | None) -> tuple[str, float | None]:
    """:func:`_geometry_geojson`'s choice, named for territory.postgis.viewport_rows_sql."""
    if zoom is None:
        return "stored", None
    if zoom < POLYGON_MIN_ZOOM:
        return "points", None
    return "simplified", _tolerance_for_zoom(zoom)


def viewport_feature_collection_with_version(
    *, municipality: Municipality, bbox: Polygon, zoom: int | None = None
) -> tuple[str, str]:
    """What :func:`spaces_feature_collection_with_version` returns for the municipality's
    spaces in ``bbox`` with no other filter: on PostGIS from one hand-written statement
    (territory.postgis.viewport_rows_sql: the map asks for it on every pan and zoom, and
    building and compiling the ORM form cost about 2 ms of Python, an eighth of the whole
    response at 100,000 spaces)."""
    if connection.vendor != "postgresql":
        return spaces_feature_collection_with_version(
            queryset=spaces_for_map(municipality=municipality).in_bbox(bbox),
            municipality=municipality,
            zoom=zoom,
            bbox=bbox,
        )
    geometry, tolerance = _viewport_geometry(zoom)
    rows = postgis.viewport_rows_sql(
        municipality_id=municipality.pk,
        extent=bbox.extent,
        geometry=geometry,
        tolerance=tolerance,
        decimals=GEOJSON_DECIMALS,
        day=timezone.localdate(),
    )
    version_sql = _data_version_sql(municipality=municipality, bbox=bbox)
    body, spaces, contracts = _feature_collection_postgis(rows, connection, version_sql)
    return body, _data_version(spaces, contracts)


def _feature_collection_postgis(
    rows: tuple[str, Sequence[Any]],
    database: BaseDatabaseWrapper,
    version_sql: tuple[str, list] | None = None,
) -> tuple:
    return postgis.feature_collection(
        rows,
        database,
        kind_labels=_kind_labels(),
        url_parts=_space_url_parts(),
        version_sql=version_sql,
    )


def _feature_collection_python(queryset: FeatureRows) -> str:
    rows = list(queryset.order_by("code"))
    kind_labels = _kind_labels()
    url_prefix, url_suffix = _space_url_parts()
    contract_ids = {row["contract_in_force_id"] for row in rows} - {None}
    contracts = space_responsible().map_properties(contract_ids)
    features = []
    for row in rows:
        contract = contracts.get(row["contract_in_force_id"])
        properties = {
            "code": row["code"],
            "name": row["name"],
            "kind": row["kind"],
            "kind_label": kind_labels.get(row["kind"], row["kind"]),
            "service": contract["service"] if contract else None,
            "company": contract["company"] if contract else None,
            "contract": contract["contract"] if contract else None,
            "colonia": row["colonia_name"],
            "url": f"{url_prefix}{row['code']}{url_suffix}",
        }
        # The geometry is already GeoJSON text: splice it in rather than parse and re-encode.
        features.append(
            f'{{"type":"Feature","geometry":{row["geojson"]},'
            f'"properties":{json.dumps(properties, ensure_ascii=False, separators=(",", ":"))}}}'
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def spaces_nearest(*, queryset: PublicSpaceQuerySet, point: Point, limit: int = 10) -> list[dict]:
    """The spaces nearest to the point, by distance in metres computed in the database."""
    candidates = queryset
    if connections[queryset.db].vendor == "postgresql":
        # Sorting every space by metres is a full scan. The spatial index finds the nearest by
        # degrees (KNN); the nearest by metres are no farther than the farthest of those, so a
        # box around that radius (the index again) holds them all: the answer stays exact.
        radius = _knn_radius_m(queryset, point, limit)
        if radius is not None:
            candidates = queryset.filter(centroid__intersects=_box_around(point, radius))
    return [
        {
            "code": space.code,
            "name": space.name,
            "distance": round(space.distance.m, 1),
            "url": space.get_absolute_url(),
        }
        for space in candidates.nearest(point).only("code", "name")[:limit]
    ]


def _knn_radius_m(queryset: PublicSpaceQuerySet, point: Point, limit: int) -> float | None:
    """Metres to the farthest of the ``limit`` spaces nearest by degrees (None if fewer)."""
    distances = list(
        queryset.annotate(
            knn=GeometryDistance("centroid", point), distance=Distance("centroid", point)
        )
        .order_by("knn")
        .values_list("distance", flat=True)[:limit]
    )
    return max(d.m for d in distances) if len(distances) == limit else None


def _box_around(point: Point, metres: float) -> Polygon:
    # A degree of latitude is at least 110 km; 2 % more for the sphere-versus-plane slack.
    reach = metres * 1.02 / 110_000
    widest_lat = min(89.0, abs(point.y) + reach)
    reach_lon = reach / math.cos(math.radians(widest_lat))
    box = Polygon.from_bbox(
        (
            max(-180.0, point.x - reach_lon),
            max(-90.0, point.y - reach),
            min(180.0, point.x + reach_lon),
            min(90.0, point.y + reach),
        )
    )
    box.srid = 4326
    return box


def space_for_code(*, municipality: Municipality, code: str) -> PublicSpace | None:
    return (
        PublicSpace.objects.for_municipality(municipality)
        .select_related("colonia", "directorate")
        .filter(code=code)
        .first()
    )


def contract_in_force_for_space(*, space: PublicSpace) -> Model | None:
    """The contract in force that covers the space, with its obligations (contracts' rule)."""
    return space_responsible().contract_for_space(space=space)


def space_feature(*, space: PublicSpace) -> dict:
    """The space's boundary as a GeoJSON Feature (6 decimals), to embed in its page."""
    return {
        "type": "Feature",
        "geometry": _rounded(json.loads(space.geometry.json)),
        "properties": {"code": space.code, "name": space.name},
    }


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, GEOJSON_DECIMALS)
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


def colonia_for_pk(*, municipality: Municipality, pk: int) -> Colonia | None:
    """The municipality's colonia with this id, or None (another municipality's too)."""
    return Colonia.objects.for_municipality(municipality).filter(pk=pk).first()


def area_for_pk(*, municipality: Municipality, pk: int) -> ServiceArea | None:
    """The municipality's service area (garbage route, lighting area) with this id, or None."""
    return (
        ServiceArea.objects.for_municipality(municipality)
        .select_related("service_type")
        .filter(pk=pk)
        .first()
    )


def contract_in_force_for_area(*, area: ServiceArea) -> Model | None:
    """The contract in force that covers the service area (contracts' rule)."""
    return space_responsible().contract_for_area(area=area)


def spaces_in_colonia(*, colonia: Colonia) -> PublicSpaceQuerySet:
    """The colonia's spaces with the company and contract in force (one statement)."""
    return (
        PublicSpace.objects.for_municipality(colonia.municipality_id)
        .filter(colonia=colonia)
        .with_responsible()
        .defer("geometry")
        .order_by("name")
    )


def areas_in_colonia(*, colonia: Colonia) -> QuerySet[ServiceArea]:
    """The service areas (garbage routes, lighting areas) over the colonia, with the company
    and contract in force (one statement)."""
    shape = colonia.geometry or colonia.location
    areas = ServiceArea.objects.for_municipality(colonia.municipality_id)
    if shape is None:
        return areas.none()
    return (
        areas.filter(geometry__intersects=shape)
        .with_responsible()
        .select_related("service_type")
        .defer("geometry")
        .order_by("service_type__name", "code")
    )


def area_feature(*, area: ServiceArea) -> dict:
    """The area's boundary as a GeoJSON Feature (6 decimals), to embed in its page."""
    return {
        "type": "Feature",
        "geometry": _rounded(json.loads(area.geometry.json)),
        "properties": {"code": area.code, "name": area.name},
    }


def colonia_feature(*, colonia: Colonia) -> dict | None:
    """The colonia's boundary (or point) as a GeoJSON Feature, or None if it has neither."""
    shape = colonia.geometry or colonia.location
    if shape is None:
        return None
    return {
        "type": "Feature",
        "geometry": _rounded(json.loads(shape.json)),
        "properties": {"name": colonia.name},
    }
