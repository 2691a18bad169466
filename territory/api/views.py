"""The map's JSON API: the spaces layer as GeoJSON, and the spaces nearest to a point.

Errors in the query string are 400s with ``{"error": "...", "field": "..."}``, in the
request's language.
"""

import hashlib

from django.contrib.gis.geos import Point
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import condition, require_safe

from .. import layers as map_layers
from .. import selectors
from ..filters import (
    POLYGON_MIN_ZOOM,
    NearestQueryForm,
    PublicSpaceFilter,
    PublicSpaceViewportFilter,
)
from ..models import PublicSpace

GEOJSON_CONTENT_TYPE = "application/geo+json"


def _spaces(request):
    municipality = getattr(request, "municipality", None)
    if municipality is None:
        return PublicSpace.objects.none()
    return selectors.spaces_for_map(municipality=municipality)


def _viewport_filter(request) -> PublicSpaceViewportFilter:
    """Built once per request: the ETag function and the view both need it."""
    filterset = getattr(request, "_spaces_viewport_filter", None)
    if filterset is None:
        filterset = PublicSpaceViewportFilter(
            request.GET, queryset=_spaces(request), request=request
        )
        request._spaces_viewport_filter = filterset
    return filterset


def _error_response(form) -> JsonResponse:
    field, errors = next(iter(form.errors.items()))
    return JsonResponse(
        {"error": errors[0], "field": None if field == NON_FIELD_ERRORS else field}, status=400
    )


def _not_found() -> JsonResponse:
    return JsonResponse(
        {"error": _("No municipality is served at this address."), "field": None}, status=404
    )


def _normalized_query(cleaned_data: dict) -> str:
    """The query as the data sees it: same filters in any order or spelling, same key (every
    zoom below the polygons' gives the same points)."""
    zoom = cleaned_data.get("zoom")
    if zoom is not None and zoom < POLYGON_MIN_ZOOM:
        cleaned_data = {**cleaned_data, "zoom": "points"}
    return map_layers.normalized_query(cleaned_data)


def _etag(request, version: str, cleaned_data: dict) -> str:
    key = "|".join(
        [
            str(request.municipality.pk),
            version,
            _normalized_query(cleaned_data),
            get_language() or "",
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _bare_viewport(cleaned_data: dict) -> bool:
    """A bounding box and perhaps a zoom, no other filter: the map's own request."""
    given = {name for name, value in cleaned_data.items() if value not in (None, "")}
    return "bbox" in given and given <= {"bbox", "zoom"}


def _spaces_etag(request) -> str | None:
    """From the data version and the normalized query: a 304 costs one small query.

    Asked for only when the request is conditional; otherwise the version comes with the body
    (one statement on PostGIS) and the view sets the ETag itself.
    """
    filterset = _viewport_filter(request)
    if getattr(request, "municipality", None) is None or not filterset.is_valid():
        return None
    if not (request.headers.get("If-None-Match") or request.headers.get("If-Match")):
        return None
    version = selectors.spaces_data_version(
        municipality=request.municipality, bbox=filterset.form.cleaned_data.get("bbox")
    )
    request._spaces_etag = _etag(request, version, filterset.form.cleaned_data)
    return request._spaces_etag


# Read-only: no transaction (ATOMIC_REQUESTS would add BEGIN and COMMIT round trips). A change
# between the version and the body at worst pairs a newer body with the older ETag, which the
# next request replaces.
@transaction.non_atomic_requests
@require_safe
@gzip_page
@condition(etag_func=_spaces_etag)
def spaces_geojson(request):
    """``/api/spaces.geojson?bbox=minlon,minlat,maxlon,maxlat&zoom=&service=&company=&...``"""
    if getattr(request, "municipality", None) is None:
        return _not_found()
    filterset = _viewport_filter(request)
    if not filterset.is_valid():
        return _error_response(filterset.form)
    cleaned = filterset.form.cleaned_data
    etag = getattr(request, "_spaces_etag", None)
    if etag is None:
        if _bare_viewport(cleaned):
            body, version = selectors.viewport_feature_collection_with_version(
                municipality=request.municipality, bbox=cleaned["bbox"], zoom=cleaned.get("zoom")
            )
        else:
            body, version = selectors.spaces_feature_collection_with_version(
                queryset=filterset.qs,
                municipality=request.municipality,
                zoom=cleaned.get("zoom"),
                bbox=cleaned.get("bbox"),
            )
        etag = _etag(request, version, cleaned)
    else:
        body = selectors.spaces_feature_collection(queryset=filterset.qs, zoom=cleaned.get("zoom"))
    response = HttpResponse(body, content_type=GEOJSON_CONTENT_TYPE)
    response.headers["ETag"] = quote_etag(etag)
    # Cached, but checked each time: the ETag makes the check a 304.
    patch_cache_control(response, no_cache=True)
    return response


@transaction.non_atomic_requests
@require_safe
def spaces_nearest(request):
    """``/api/spaces/nearest.json?lat=&lon=&limit=`` (and the map's filters): a list of
    ``{code, name, distance, url}``, nearest first, distance in metres."""
    if getattr(request, "municipality", None) is None:
        return _not_found()
    form = NearestQueryForm(request.GET)
    if not form.is_valid():
        return _error_response(form)
    filterset = PublicSpaceFilter(request.GET, queryset=_spaces(request), request=request)
    if not filterset.is_valid():
        return _error_response(filterset.form)
    point = Point(form.cleaned_data["lon"], form.cleaned_data["lat"], srid=4326)
    spaces = selectors.spaces_nearest(
        queryset=filterset.qs, point=point, limit=form.cleaned_data["limit"]
    )
    return JsonResponse(spaces, safe=False)
