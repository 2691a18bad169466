"""The map's layers as JSON (``territory.layers``): each layer's viewport GeoJSON, and the rows
nearest to a point on every enabled layer ("near me").

``/api/layers/<key>.geojson?bbox=west,south,east,north&zoom=&<the layer's filters>``: one
statement, scoped to the request's municipality; ETag from the page-cache versions of the apps
the layer follows (a 304 costs no query); below ``CLUSTER_MAX_ZOOM`` a point layer comes as
grid clusters. ``spaces`` is served by ``/api/spaces.geojson``, its own endpoint.

Errors in the query string are 400s with ``{"error": "...", "field": "...", "layer": "..."}``
in the request's language; an unknown layer is a 404.
"""

import hashlib

from django.contrib.gis.geos import Point
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_safe

from core.pagecache import data_versions

from .. import layers as map_layers
from .views import GEOJSON_CONTENT_TYPE, spaces_geojson


def _error(form, layer_key: str | None = None, status: int = 400) -> JsonResponse:
    field, errors = next(iter(form.errors.items()))
    return JsonResponse(
        {
            "error": errors[0],
            "field": None if field == NON_FIELD_ERRORS else field,
            "layer": layer_key,
        },
        status=status,
    )


def _message(message: str, status: int, layer_key: str | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "field": None, "layer": layer_key}, status=status)


class _Request:
    """What one layer request needs, validated once (the ETag function and the view share it)."""

    def __init__(self, request, key: str):
        self.layer = map_layers.layer_for_key(key)
        self.municipality = getattr(request, "municipality", None)
        self.viewport = map_layers.ViewportForm(request.GET)
        self.filters = None
        self.valid = False
        if self.layer is None or self.municipality is None:
            return
        self.filters = self.layer.filters(
            request.GET, municipality=self.municipality, request=request
        )
        self.valid = self.viewport.is_valid() and self.filters.is_valid()

    def etag(self) -> str | None:
        """Computed once: the ETag function and the view both ask (one cache round trip)."""
        if not hasattr(self, "_etag"):
            self._etag = self._compute_etag()
        return self._etag

    def _compute_etag(self) -> str | None:
        if not self.valid:
            return None
        assert self.layer is not None and self.filters is not None
        versions = data_versions(self.layer.apps, self.municipality.pk)
        if versions is None:  # the cache is unreachable: no ETag, every answer a 200
            return None
        key = "|".join(
            [
                self.layer.key,
                str(self.municipality.pk),
                *versions,
                timezone.localdate().isoformat(),  # "recently closed" moves with the day
                map_layers.normalized_query(
                    {**self.viewport.cleaned_data, **self.filters.cleaned_data}
                ),
                get_language() or "",
            ]
        )
        return hashlib.sha256(key.encode()).hexdigest()[:32]


def _prepared(request, key: str) -> _Request:
    prepared = getattr(request, "_map_layer", None)
    if prepared is None:
        prepared = request._map_layer = _Request(request, key)
    return prepared


def _layer_etag(request, key: str) -> str | None:
    prepared = _prepared(request, key)
    if prepared.layer is not None and prepared.layer.geojson_url_name:
        return None
    return prepared.etag()


@transaction.non_atomic_requests
@require_safe
@gzip_page
@condition(etag_func=_layer_etag)
def layer_geojson(request, key: str):
    prepared = _prepared(request, key)
    layer = prepared.layer
    if layer is None:
        return _message(_("There is no map layer with this name."), 404, key)
    if layer.geojson_url_name:
        return spaces_geojson(request)
    if prepared.municipality is None:
        return _message(_("No municipality is served at this address."), 404, key)
    if not prepared.viewport.is_valid():
        return _error(prepared.viewport, key)
    assert prepared.filters is not None
    if not prepared.filters.is_valid():
        return _error(prepared.filters, key)
    cleaned = prepared.viewport.cleaned_data
    body = map_layers.viewport_document(
        layer,
        municipality=prepared.municipality,
        filters=prepared.filters,
        bbox=cleaned.get("bbox"),
        zoom=cleaned.get("zoom"),
    )
    response = HttpResponse(body, content_type=GEOJSON_CONTENT_TYPE)
    etag = prepared.etag()
    if etag:
        response.headers["ETag"] = quote_etag(etag)
    # Cached, but checked each time: the ETag makes the check a 304.
    patch_cache_control(response, no_cache=True)
    return response


@transaction.non_atomic_requests
@require_safe
def layers_nearest(request):
    """``/api/layers/nearest.json?lat=&lon=&limit=&layer=a&layer=b`` (and the layers'
    filters): ``{"layers": [{"key", "title", "items": [{name, url, distance, ...}]}]}``,
    nearest first, distance in metres; one statement per layer."""
    municipality = getattr(request, "municipality", None)
    if municipality is None:
        return _message(_("No municipality is served at this address."), 404)
    form = map_layers.NearestForm(request.GET)
    if not form.is_valid():
        return _error(form)
    keys = request.GET.getlist("layer")
    unknown = [key for key in keys if map_layers.layer_for_key(key) is None]
    if unknown:
        return JsonResponse(
            {
                "error": _("There is no map layer with this name."),
                "field": "layer",
                "layer": unknown[0],
            },
            status=400,
        )
    point = Point(form.cleaned_data["lon"], form.cleaned_data["lat"], srid=4326)
    answer = []
    for layer in map_layers.enabled_layers(keys):
        filters = layer.filters(request.GET, municipality=municipality, request=request)
        if not filters.is_valid():
            return _error(filters, layer.key)
        items = map_layers.nearest(
            layer,
            queryset=filters.filter(layer.rows(municipality)),
            point=point,
            limit=form.cleaned_data["limit"],
        )
        answer.append({"key": layer.key, "title": str(layer.title), "items": items})
    return JsonResponse({"layers": answer})
