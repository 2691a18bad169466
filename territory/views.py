from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page

from core.pagecache import public_page_cache

from . import layers as map_layers
from . import selectors
from .filters import POLYGON_MIN_ZOOM, PublicSpaceFilter
from .panels import (
    area_page_apps,
    colonia_page_apps,
    panels_for,
    space_page_apps,
    split_actions,
)

SPACES_PER_PAGE = 50


def _municipality(request):
    municipality = getattr(request, "municipality", None)
    if municipality is None:
        raise Http404(_("No municipality is served at this address."))
    return municipality


def _page_url(request, param: str, page, step: int) -> str:
    query = request.GET.copy()
    query[param] = str(page.number + step)
    return "?" + query.urlencode()


def _counted(paginator: Paginator, count: int) -> Paginator:
    paginator.count = count  # counted beforehand (selectors.counts_together)
    return paginator


def _layer_sections(request, municipality, enabled, spaces) -> tuple[list[dict], Paginator]:
    """The text list of each enabled layer but the spaces (listed by the spaces' own filter
    above): a page of rows each, one statement a page, with the layer's filters applied; and
    the spaces' paginator. Every list's count comes from one statement."""
    listed = []
    for layer in enabled:
        if layer.geojson_url_name:
            continue
        filters = layer.filters(request.GET, municipality=municipality, request=request)
        rows = layer.rows(municipality)
        listed.append((layer, filters.filter(rows) if filters.is_valid() else rows.none()))
    spaces_count, *counts = selectors.counts_together(
        municipality=municipality, querysets=[spaces, *(queryset for _, queryset in listed)]
    )
    sections = []
    for (layer, queryset), count in zip(listed, counts, strict=True):
        rows = map_layers.list_rows(layer, queryset=queryset)
        page = _counted(Paginator(rows, map_layers.LIST_PAGE_SIZE), count).get_page(
            request.GET.get(f"{layer.key}_page")
        )
        sections.append(
            {
                "layer": layer,
                "page_obj": page,
                "items": map_layers.list_items(layer, page.object_list),
                "previous_url": _page_url(request, f"{layer.key}_page", page, -1),
                "next_url": _page_url(request, f"{layer.key}_page", page, 1),
            }
        )
    return sections, _counted(Paginator(spaces, SPACES_PER_PAGE), spaces_count)


def _extra_filter_fields(request, municipality, spaces_form) -> list:
    """The layers' own filter fields that the spaces' form does not already have."""
    names = set(spaces_form.fields)
    extra = []
    for layer in map_layers.map_layers():
        if layer.geojson_url_name:
            continue
        form = layer.filters(request.GET or None, municipality=municipality, request=request)
        for name in form.fields:
            if name not in names:
                names.add(name)
                extra.append(form[name])
    return extra


# Compressed: the lists and the filters' choices are ~48 KB of HTML, ~8 KB gzipped, and the
# map starts only once the page is parsed (its largest paint waited for the bytes). The CSRF
# token in the page is masked per response, so compression leaks nothing (BREACH).
@gzip_page
@public_page_cache(  # the spaces and each layer's apps: the text lists show their rows
    depends_on=lambda: ("territory", *[a for x in map_layers.map_layers() for a in x.apps])
)
def map_page(request):
    """Watch your city: the map of five layers (loaded by map.js and map-layers.js) and, for
    everyone, the same rows as text, a list per enabled layer."""
    municipality = _municipality(request)
    filterset = PublicSpaceFilter(
        request.GET,
        queryset=selectors.space_list_for_map(municipality=municipality),
        request=request,
    )
    spaces = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    # ``layers=chosen`` (the form's hidden field): exactly the checked layers, perhaps none;
    # without it, the default ones.
    chosen = request.GET.getlist("layer") if request.GET.get("layers") == "chosen" else None
    enabled = map_layers.enabled_layers(chosen) if chosen != [] else []
    enabled_keys = [layer.key for layer in enabled]
    layer_sections, spaces_paginator = _layer_sections(request, municipality, enabled, spaces)
    page = spaces_paginator.get_page(request.GET.get("page"))
    legends = map_layers.legends(municipality)
    layer_settings = [
        {
            "key": layer.key,
            "title": str(layer.title),
            "url": layer.geojson_url(),
            "points": layer.is_points,
            "own": bool(layer.geojson_url_name),
            "fields": [[name, str(label)] for name, label in layer.fields],
        }
        for layer in map_layers.map_layers()
    ]
    return render(
        request,
        "territory/map.html",
        {
            "filterset": filterset,
            "extra_fields": _extra_filter_fields(request, municipality, filterset.form),
            "page_obj": page,
            "map_settings": selectors.map_settings(municipality=municipality),
            "polygon_min_zoom": POLYGON_MIN_ZOOM,
            "cluster_max_zoom": map_layers.CLUSTER_MAX_ZOOM,
            "layers": [
                {
                    "layer": layer,
                    "enabled": layer.key in enabled_keys,
                    "legend": legends[layer.key],
                }
                for layer in map_layers.map_layers()
            ],
            "spaces_enabled": "spaces" in enabled_keys,
            "layer_sections": layer_sections,
            "layer_settings": layer_settings,
        },
        status=200 if filterset.is_valid() else 400,
    )


# Read-only: no transaction (ATOMIC_REQUESTS) around it, so a page served from the cache
# costs no database round trip at all.
@transaction.non_atomic_requests
@public_page_cache(depends_on=space_page_apps)
def space_detail(request, code):
    municipality = _municipality(request)
    space = selectors.space_for_code(municipality=municipality, code=code)
    if space is None:
        raise Http404(_("There is no public space with this code."))
    contract = selectors.contract_in_force_for_space(space=space)
    panels, actions = split_actions(panels_for("space", space=space))
    return render(
        request,
        "territory/space_detail.html",
        {
            "space": space,
            "contract": contract,
            "directorate": contract.directorate if contract else space.directorate,
            "feature": selectors.space_feature(space=space),
            "map_settings": selectors.map_settings(municipality=municipality),
            "panels": panels,
            "actions": actions,
        },
    )


@transaction.non_atomic_requests
@public_page_cache(depends_on=area_page_apps)
def area_detail(request, pk):
    """A garbage route or street-lighting area: who answers for it and what to do there."""
    municipality = _municipality(request)
    area = selectors.area_for_pk(municipality=municipality, pk=pk)
    if area is None:
        raise Http404(_("There is no service area with this number."))
    contract = selectors.contract_in_force_for_area(area=area)
    panels, actions = split_actions(panels_for("area", area=area))
    return render(
        request,
        "territory/area_detail.html",
        {
            "area": area,
            "contract": contract,
            "directorate": contract.directorate if contract else None,
            "feature": selectors.area_feature(area=area),
            "map_settings": selectors.map_settings(municipality=municipality),
            "panels": panels,
            "actions": actions,
        },
    )


@transaction.non_atomic_requests
@public_page_cache(depends_on=colonia_page_apps)
def colonia_detail(request, pk):
    """My colonia: its spaces, routes and areas with their companies, and what the other
    apps add (complaints, fix rate, guardians, committee, needs and works) as panels."""
    municipality = _municipality(request)
    colonia = selectors.colonia_for_pk(municipality=municipality, pk=pk)
    if colonia is None:
        raise Http404(_("There is no colonia with this number."))
    panels, actions = split_actions(panels_for("colonia", colonia=colonia))
    return render(
        request,
        "territory/colonia_detail.html",
        {
            "colonia": colonia,
            "spaces": selectors.spaces_in_colonia(colonia=colonia),
            "areas": selectors.areas_in_colonia(colonia=colonia),
            "feature": selectors.colonia_feature(colonia=colonia),
            "map_settings": selectors.map_settings(municipality=municipality),
            "panels": panels,
            "actions": actions,
        },
    )
