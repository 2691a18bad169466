"""The layers of the public map ("Watch your city"), which the apps contribute.

``territory`` draws the map but never imports the apps built on it. An app names, in its
AppConfig, functions that each return a :class:`Layer`; this module reads them from every
installed app (the same mechanism as ``territory/panels.py``)::

    class ComplaintsConfig(AppConfig):
        map_layers = ["complaints.layers.complaints_layer"]  # f() -> Layer

    class CommitteesConfig(AppConfig):
        map_layers = ["committees.layers.works_layer"]

territory declares its own three: the green spaces, the garbage routes and the street-lighting
areas (``TerritoryConfig.map_layers``).

A layer describes its rows and lets territory build everything else the same way for all of
them: the viewport GeoJSON (``/api/layers/<key>.geojson``, one statement, built by PostgreSQL
on PostGIS (``territory.postgis.layer_feature_collection_sql``), by Python on SpatiaLite), the
grid clusters of a point layer at low zoom (in the same statement), the nearest rows to a point
("near me", one statement: KNN on PostGIS), and the text list beside the map (one statement
a page). What a layer gives:

- ``rows(municipality)``: its public rows, scoped to the municipality;
- ``properties()``: each feature's properties as ORM expressions or field paths, by name; the
  map shows ``name`` and ``url`` and the labelled ``fields``; ``color`` colours the feature;
- ``point()``: for a point layer, its longitude and latitude expressions (complaints give their
  public, rounded point); otherwise ``geometry_field`` is a polygon field drawn simplified;
- ``filters``: a :class:`LayerFilterForm` of its own query-string filters (400 when invalid);
- ``apps``: the apps whose writes change it: its ETag follows their page-cache versions
  (``core.pagecache``), so a 304 costs no query at all;
- ``legend(services)``: the legend entries ``{"label", "color", "shape"}``, given the
  municipality's service types (``{"name", "color", "category"}``, by name), which the map
  reads once for every layer (:func:`legends`).

The spaces layer keeps its own richer endpoint (``/api/spaces.geojson``, with the contract in
force and colour by company); its ``geojson_url_name`` says so.
"""

import functools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.gis.db.models.functions import AsGeoJSON, Distance, GeometryDistance
from django.contrib.gis.geos import Point, Polygon
from django.db import connections, models
from django.db.models import Avg, Count, F, FloatField, Func, Min, QuerySet, Value
from django.db.models.functions import Concat, Floor
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import postgis
from .filters import MAX_ZOOM, BBoxField, PublicSpaceFilter
from .models import Colonia, Municipality, PublicSpace, ServiceArea, ServiceType
from .querysets import SimplifyPreserveTopology

GEOJSON_DECIMALS = 6
#: Below this zoom a point layer is sent as grid clusters (one feature per cell with rows).
CLUSTER_MAX_ZOOM = 16
#: A cluster cell's side, in screen pixels at the requested zoom.
CLUSTER_CELL_PIXELS = 64
#: How many rows "near me" gives per layer, by default and at most.
NEAREST_DEFAULT, NEAREST_MAX = 5, 20
LIST_PAGE_SIZE = 20


class LonLat(Func):
    """ST_X or ST_Y of a point column, as a float (both databases spell them so)."""

    output_field = FloatField()

    def __init__(self, expression, axis: str):
        super().__init__(expression, function=f"ST_{axis}")


class Rounded(Func):
    """A float rounded to ``digits`` decimals in the database (round() has no float-and-digits
    form on PostgreSQL, so there through numeric)."""

    output_field = FloatField()

    def __init__(self, expression, digits: int):
        super().__init__(expression)
        self.digits = int(digits)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"round({sql}, {self.digits})", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"round(CAST({sql} AS numeric), {self.digits})::float8", params


@functools.lru_cache(maxsize=64)
def _url_parts(url_name: str, kwarg: str, script_prefix: str) -> tuple[str, str]:
    prefix, rest = reverse(url_name, kwargs={kwarg: "0"}).rsplit("0", 1)
    return prefix, rest


def url_concat(url_name: str, field_name: str, kwarg: str, suffix: str = "") -> Concat:
    """The row's page URL built in the statement: ``reverse`` with a placeholder, split
    (once per URL name: reversing costs more than the rest of a small layer's request)."""
    prefix, rest = _url_parts(url_name, kwarg, get_script_prefix())
    return Concat(
        Value(prefix), F(field_name), Value(rest + suffix), output_field=models.CharField()
    )


class LayerFilterForm(forms.Form):
    """A layer's own filters. ``filter(queryset)`` applies the cleaned data."""

    def __init__(self, data=None, *, municipality: Municipality, request=None, **kwargs):
        self.municipality = municipality
        self.request = request
        super().__init__(data, **kwargs)

    def filter(self, queryset: QuerySet) -> QuerySet:
        return queryset


class ViewportForm(forms.Form):
    """The viewport every layer's GeoJSON takes: a box (west,south,east,north) and a zoom."""

    bbox = BBoxField(label=_("Bounding box"), required=False)
    zoom = forms.IntegerField(label=_("Zoom"), min_value=0, max_value=MAX_ZOOM, required=False)


class NearestForm(forms.Form):
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    limit = forms.IntegerField(
        label=_("How many"), min_value=1, max_value=NEAREST_MAX, required=False
    )

    def clean_limit(self):
        return self.cleaned_data["limit"] or NEAREST_DEFAULT


@dataclass(frozen=True)
class Layer:
    key: str
    title: Any
    rows: Callable[[Municipality], QuerySet]
    properties: Callable[[], Mapping[str, Any]]
    legend: Callable[[list[dict]], list[dict]]
    apps: tuple[str, ...]
    point: Callable[[], tuple[Any, Any]] | None = None
    geometry_field: str = "geometry"
    filters: type[LayerFilterForm] = LayerFilterForm
    fields: tuple[tuple[str, Any], ...] = ()
    order_by: tuple[str, ...] = ("name",)
    position: int = 100
    default_on: bool = True
    geojson_url_name: str | None = None
    empty_text: Any = _("Nothing on this layer matches these filters.")
    extra: dict = field(default_factory=dict)

    @property
    def is_points(self) -> bool:
        return self.point is not None

    def geojson_url(self) -> str:
        if self.geojson_url_name:
            return reverse(self.geojson_url_name)
        return reverse("territory:layer_geojson", kwargs={"key": self.key})


@functools.cache
def map_layers() -> tuple[Layer, ...]:
    """Every installed app's layers (``map_layers`` in its AppConfig), by position."""
    layers = []
    for app_config in apps.get_app_configs():
        for path in getattr(app_config, "map_layers", ()):
            function = import_string(path) if isinstance(path, str) else path
            layers.append(function())
    return tuple(sorted(layers, key=lambda layer: (layer.position, layer.key)))


def layer_for_key(key: str) -> Layer | None:
    return next((layer for layer in map_layers() if layer.key == key), None)


def enabled_layers(keys: list[str] | None) -> list[Layer]:
    """The layers a query string names (``?layer=a&layer=b``); the default ones if none."""
    if not keys:
        return [layer for layer in map_layers() if layer.default_on]
    return [layer for layer in map_layers() if layer.key in keys]


# --- Rows ------------------------------------------------------------------------------------


def _property_columns(layer: Layer) -> dict[str, Any]:
    """The properties as ``p_<name>`` columns: the prefix keeps them clear of model fields."""
    return {
        f"p_{name}": F(value) if isinstance(value, str) else value
        for name, value in layer.properties().items()
    }


def _tolerance(zoom: int) -> float:
    """Half a screen pixel at this zoom, in degrees (256-pixel web-mercator tiles)."""
    return 360 / (256 * 2**zoom) / 2


def cell_degrees(zoom: int) -> float:
    return 360 / (256 * 2**zoom) * CLUSTER_CELL_PIXELS


def clustered(layer: Layer, zoom: int | None) -> bool:
    return layer.is_points and zoom is not None and zoom < CLUSTER_MAX_ZOOM


def feature_rows(layer: Layer, queryset: QuerySet, zoom: int | None) -> QuerySet:
    """The rows of the layer's features as ``values()``: ``p_*`` properties and ``lon``/``lat``
    (points) or ``geojson`` (areas); below CLUSTER_MAX_ZOOM, one row per grid cell of a point
    layer with ``count``, the mean point and the properties' minimum (the row's own when
    ``count`` is 1)."""
    columns = _property_columns(layer)
    if layer.point is None:
        geometry: Any = F(layer.geometry_field)
        if zoom is not None:
            geometry = SimplifyPreserveTopology(layer.geometry_field, Value(_tolerance(zoom)))
        return queryset.order_by().values(
            **columns, geojson=AsGeoJSON(geometry, precision=GEOJSON_DECIMALS)
        )
    lon, lat = layer.point()
    if not clustered(layer, zoom):
        return queryset.order_by().values(**columns, lon=lon, lat=lat)
    assert zoom is not None
    cell = cell_degrees(zoom)
    return (
        queryset.order_by()
        .annotate(_lon=lon, _lat=lat)
        .annotate(cx=Floor(F("_lon") / Value(cell)), cy=Floor(F("_lat") / Value(cell)))
        .values("cx", "cy")
        .annotate(
            count=Count("pk"),
            lon=Rounded(Avg("_lon"), GEOJSON_DECIMALS),
            lat=Rounded(Avg("_lat"), GEOJSON_DECIMALS),
            **{name: Min(expression) for name, expression in columns.items()},
        )
    )


def _order(layer: Layer, zoom: int | None) -> list[str]:
    if clustered(layer, zoom):
        return ["cx", "cy"]
    return [f"p_{name}" for name in layer.order_by]


def feature_collection(layer: Layer, *, queryset: QuerySet, zoom: int | None = None) -> str:
    """The layer's rows as an RFC 7946 FeatureCollection (text), in one statement."""
    statement = _document_statement(layer, queryset, zoom)
    if statement is not None:
        alias, sql, params = statement
        return postgis.run_document(connections[alias], sql, params)
    rows = feature_rows(layer, queryset, zoom)
    names = [name[2:] for name in rows.query.annotation_select if name.startswith("p_")]
    return _feature_collection_python(rows.order_by(*_order(layer, zoom)), names, layer, zoom)


def _document_statement(layer: Layer, queryset: QuerySet, zoom: int | None):
    """``(alias, sql, params)`` of the statement that builds the document on PostGIS, or None
    on SpatiaLite (Python builds it there)."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    rows = feature_rows(layer, queryset, zoom)
    # The properties' names as the rows select them (without asking the layer twice).
    names = [name[2:] for name in rows.query.annotation_select if name.startswith("p_")]
    sql, params = postgis.layer_feature_collection_sql(
        rows.query.sql_with_params(),
        properties=names,
        points=layer.is_points,
        clusters=clustered(layer, zoom),
        order=_order(layer, zoom),
    )
    return queryset.db, sql, params


def normalized_query(data: dict) -> str:
    """Cleaned form data as one string: the same filters in any order or spelling give the
    same text (a bounding box to six decimals, a row by its key)."""
    parts = []
    for name in sorted(data):
        value = data[name]
        if value in (None, ""):
            continue
        if name == "bbox":
            value = ",".join(f"{coordinate:.6f}" for coordinate in value.extent)
        elif hasattr(value, "pk"):
            value = value.pk
        parts.append(f"{name}={value}")
    return "&".join(parts)


#: The viewport statements already compiled, most recently used last. A pan changes only the
#: bounding box, yet building the layer's queryset and compiling it (its contract-in-force
#: subqueries, its labels) cost as long as a small viewport's statement itself
#: (docs/benchmarks.md, map layers): the statement is compiled once per layer, municipality,
#: zoom, filters, day, language and script prefix, and the box is put in its place.
_statements: OrderedDict[tuple, tuple[str, str, list, int]] = OrderedDict()
_statements_lock = threading.Lock()
STATEMENTS_KEPT = 512


def forget_statements() -> None:
    """Empties the compiled statements (the tests do, between databases)."""
    with _statements_lock:
        _statements.clear()


def viewport_document(
    layer: Layer,
    *,
    municipality: Municipality,
    filters: LayerFilterForm,
    bbox: Polygon | None,
    zoom: int | None,
) -> str:
    """The layer's viewport GeoJSON (``/api/layers/<key>.geojson``): its rows in the
    municipality, through its valid ``filters``, in ``bbox``, at ``zoom``, in one
    statement."""
    key = (
        layer.key,
        municipality.pk,
        zoom,
        normalized_query(filters.cleaned_data),
        timezone.localdate(),
        get_language(),
        get_script_prefix(),
    )
    with _statements_lock:
        cached = _statements.get(key)
        if cached is not None:
            _statements.move_to_end(key)
    if cached is not None and bbox is not None:
        alias, sql, params, box_at = cached
        database = connections[alias]
        params = [*params[:box_at], database.ops.Adapter(bbox), *params[box_at + 1 :]]
        return postgis.run_document(database, sql, params)
    queryset = in_bbox(layer, filters.filter(layer.rows(municipality)), bbox)
    statement = _document_statement(layer, queryset, zoom) if bbox is not None else None
    if statement is None:
        return feature_collection(layer, queryset=queryset, zoom=zoom)
    alias, sql, params = statement
    database = connections[alias]
    box = database.ops.Adapter(bbox)
    places = [index for index, param in enumerate(params) if param == box]
    if len(places) == 1:  # the box is the one parameter that moves
        with _statements_lock:
            _statements[key] = (alias, sql, params, places[0])
            while len(_statements) > STATEMENTS_KEPT:
                _statements.popitem(last=False)
    return postgis.run_document(database, sql, params)


def _feature_collection_python(rows, names: list[str], layer: Layer, zoom) -> str:
    """The same document as territory.postgis.layer_feature_collection, for SpatiaLite."""
    import json

    features = []
    for row in rows:
        if layer.is_points:
            geometry = json.dumps(
                {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                separators=(",", ":"),
            )
        else:
            geometry = row["geojson"]
        if clustered(layer, zoom) and row["count"] > 1:
            properties: dict = {"count": row["count"]}
        else:
            properties = {name: row[f"p_{name}"] for name in names}
            if clustered(layer, zoom):
                properties["count"] = 1
        features.append(
            f'{{"type":"Feature","geometry":{geometry},'
            f'"properties":{json.dumps(properties, ensure_ascii=False, separators=(",", ":"))}}}'
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def in_bbox(layer: Layer, queryset: QuerySet, bbox: Polygon | None) -> QuerySet:
    if bbox is None:
        return queryset
    return queryset.filter(**{f"{layer.geometry_field}__intersects": bbox})


def _haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (lon1, lat1, lon2, lat2))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def nearest(layer: Layer, *, queryset: QuerySet, point: Point, limit: int) -> list[dict]:
    """The layer's rows nearest to the point, nearest first, in one statement: the spatial
    index orders them on PostGIS (KNN, ``<->``). A point layer's distance is measured to the
    point it publishes (a complaint's rounded one): the index picks four times as many by the
    stored point and Python sorts them by the published one."""
    columns = _property_columns(layer)
    names = list(layer.properties())
    postgres = connections[queryset.db].vendor == "postgresql"
    field_name = layer.geometry_field
    order = GeometryDistance(field_name, point) if postgres else Distance(field_name, point)
    if layer.point is not None:
        lon, lat = layer.point()
        rows = list(
            queryset.filter(**{f"{field_name}__isnull": False})
            .order_by(order)
            .values(**columns, lon=lon, lat=lat)[: limit * 4]
        )
        for row in rows:
            row["distance"] = _haversine_m(point.x, point.y, row["lon"], row["lat"])
        rows.sort(key=lambda row: row["distance"])
        rows = rows[:limit]
    else:
        rows = list(
            queryset.annotate(_distance=Distance(field_name, point))
            .order_by(order)
            .values(**columns, distance=F("_distance"))[:limit]
        )
        for row in rows:
            distance = row["distance"]
            row["distance"] = getattr(distance, "m", distance) or 0.0
    return [
        {**{name: row[f"p_{name}"] for name in names}, "distance": round(row["distance"], 1)}
        for row in rows
    ]


def list_rows(layer: Layer, *, queryset: QuerySet) -> QuerySet:
    """The text list's rows (one statement a page): the properties, by the layer's order."""
    columns = _property_columns(layer)
    return queryset.values(**columns).order_by(*_order(layer, None))


def list_items(layer: Layer, rows) -> list[dict]:
    """The list's rows as ``{name, url, fields: [(label, value)]}`` for the template."""
    items = []
    for row in rows:
        properties = {name[2:]: value for name, value in row.items()}
        items.append(
            {
                "name": properties.get("name"),
                "url": properties.get("url"),
                "fields": [
                    (label, properties.get(name))
                    for name, label in layer.fields
                    if properties.get(name) not in (None, "")
                ],
            }
        )
    return items


# --- territory's own layers ------------------------------------------------------------------


class ServiceAreaFilterForm(LayerFilterForm):
    colonia = forms.ModelChoiceField(
        label=_("Colonia"), queryset=Colonia.objects.none(), required=False
    )

    def __init__(self, data=None, *, municipality: Municipality, **kwargs):
        super().__init__(data, municipality=municipality, **kwargs)
        self.fields["colonia"].queryset = Colonia.objects.for_municipality(municipality)  # type: ignore[attr-defined]

    def filter(self, queryset):
        colonia = self.cleaned_data.get("colonia")
        if colonia is None:
            return queryset
        shape = colonia.geometry or colonia.location
        return queryset.filter(geometry__intersects=shape) if shape else queryset.none()


def _area_rows(category: str) -> Callable[[Municipality], QuerySet]:
    def rows(municipality: Municipality) -> QuerySet:
        return (
            ServiceArea.objects.for_municipality(municipality)
            .filter(service_type__category=category)
            .with_responsible()
        )

    return rows


def _area_properties() -> dict[str, Any]:
    return {
        "id": "pk",
        "code": "code",
        "name": "name",
        "service": "service_type__name",
        "color": "service_type__color",
        "company": "company_name",
        "url": url_concat("territory:area_detail", "pk", "pk"),
    }


def _services_legend(category: str) -> Callable[[list[dict]], list[dict]]:
    def legend(services: list[dict]) -> list[dict]:
        return [
            {"label": service["name"], "color": service["color"], "shape": "area"}
            for service in services
            if service["category"] == category
        ]

    return legend


def legends(municipality: Municipality) -> dict[str, list[dict]]:
    """Every layer's legend, by key: the municipality's service types read once for all."""
    services = list(
        ServiceType.objects.for_municipality(municipality)
        .order_by("name", "pk")
        .values("name", "color", "category")
    )
    return {layer.key: layer.legend(services) for layer in map_layers()}


_AREA_FIELDS = (("code", _("Code")), ("service", _("Service")), ("company", _("Company")))


def garbage_layer() -> Layer:
    return Layer(
        key="garbage",
        title=_("Garbage collection routes"),
        rows=_area_rows(ServiceType.Category.GARBAGE),
        properties=_area_properties,
        legend=_services_legend(ServiceType.Category.GARBAGE),
        apps=("territory", "contracts"),
        filters=ServiceAreaFilterForm,
        fields=_AREA_FIELDS,
        order_by=("code",),
        position=20,
        default_on=False,
        empty_text=_("No garbage route matches these filters."),
    )


def lighting_layer() -> Layer:
    return Layer(
        key="lighting",
        title=_("Street-lighting areas"),
        rows=_area_rows(ServiceType.Category.LIGHTING),
        properties=_area_properties,
        legend=_services_legend(ServiceType.Category.LIGHTING),
        apps=("territory", "contracts"),
        filters=ServiceAreaFilterForm,
        fields=_AREA_FIELDS,
        order_by=("code",),
        position=30,
        default_on=False,
        empty_text=_("No street-lighting area matches these filters."),
    )


class SpaceFilterForm(LayerFilterForm):
    """The spaces' own filters (territory.filters.PublicSpaceFilter), as a layer's form."""

    def __init__(self, data=None, *, municipality: Municipality, request=None, **kwargs):
        super().__init__(data, municipality=municipality, request=request, **kwargs)
        self.filterset = PublicSpaceFilter(
            data, queryset=PublicSpace.objects.none(), request=request
        )
        self.fields = self.filterset.form.fields

    def is_valid(self) -> bool:
        valid = self.filterset.is_valid()
        self.cleaned_data = getattr(self.filterset.form, "cleaned_data", {})
        return valid

    @property
    def errors(self):  # type: ignore[override]
        return self.filterset.form.errors

    def filter(self, queryset):
        return self.filterset.filter_queryset(queryset)


def spaces_layer() -> Layer:
    return Layer(
        key="spaces",
        title=_("Green spaces"),
        rows=lambda municipality: PublicSpace.objects.for_municipality(municipality),
        properties=lambda: {
            "code": "code",
            "name": "name",
            "kind": "kind",
            "colonia": "colonia__name",
            "url": url_concat("territory:space_detail", "code", "code"),
        },
        point=lambda: (LonLat("centroid", "X"), LonLat("centroid", "Y")),
        geometry_field="centroid",
        legend=lambda services: [],
        apps=("territory", "contracts"),
        filters=SpaceFilterForm,
        fields=(("code", _("Code")), ("colonia", _("Colonia"))),
        order_by=("code",),
        position=10,
        geojson_url_name="territory:spaces_geojson",
        empty_text=_("No space matches these filters."),
    )
