from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.pagecache import public_page_cache

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


def map_page(request):
    """Watch your city: the map (loaded by map.js) and, for everyone, the same spaces as text."""
    municipality = _municipality(request)
    filterset = PublicSpaceFilter(
        request.GET,
        queryset=selectors.space_list_for_map(municipality=municipality),
        request=request,
    )
    spaces = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(spaces, SPACES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "territory/map.html",
        {
            "filterset": filterset,
            "page_obj": page,
            "map_settings": selectors.map_settings(municipality=municipality),
            "polygon_min_zoom": POLYGON_MIN_ZOOM,
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
