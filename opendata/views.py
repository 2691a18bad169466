from django.db import transaction
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.pagecache import public_page_cache

from . import exports, selectors

JSON_OPTIONS = {"ensure_ascii": False}


def _municipality(request):
    """The municipality the host selects; a deployment with none publishes nothing."""
    if getattr(request, "municipality", None) is None:
        raise Http404
    return request.municipality


def _open_json(payload: dict) -> JsonResponse:
    response = JsonResponse(payload, json_dumps_params=JSON_OPTIONS)
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site's tools may read it
    return response


@transaction.non_atomic_requests
@require_GET
# Each dataset's latest update: spaces, contracts, complaints, findings, needs and allocations.
@public_page_cache(depends_on=("territory", "contracts", "complaints", "findings", "committees"))
def index(request):
    municipality = _municipality(request)
    return render(
        request,
        "opendata/index.html",
        {
            "summaries": exports.dataset_summaries(municipality=municipality),
            "license": exports.LICENSE,
        },
    )


@require_GET
def contracts_ocds(request):
    municipality = _municipality(request)
    try:
        page = int(request.GET.get("page", "1"))
        package = selectors.ocds_package_page(
            municipality=municipality, page=page, absolute=request.build_absolute_uri
        )
    except (ValueError, selectors.PageNotFound) as error:
        raise Http404 from error
    return _open_json(package)


@require_GET
def contract_ocds(request, pk):
    package = selectors.ocds_contract_package(
        municipality=_municipality(request),
        contract_id=pk,
        absolute=request.build_absolute_uri,
    )
    if package is None:
        raise Http404
    return _open_json(package)


def _attachment(chunks, *, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def dataset_csv(request, slug):
    municipality = _municipality(request)
    dataset = exports.DATASETS_BY_SLUG.get(slug)
    if dataset is None:
        raise Http404
    return _attachment(
        exports.dataset_csv(
            dataset=dataset, municipality=municipality, absolute=request.build_absolute_uri
        ),
        content_type="text/csv; charset=utf-8",
        filename=f"{municipality.slug}-{slug}.csv",
    )


@require_GET
def spaces_geojson(request):
    municipality = _municipality(request)
    return _attachment(
        exports.spaces_geojson(municipality=municipality),
        content_type="application/geo+json",
        filename=f"{municipality.slug}-spaces.geojson",
    )
