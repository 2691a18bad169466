"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /open311/v2/.

Plain Django views rather than DRF: the spec fixes both formats (XML required, JSON optional),
the error shape and the status codes, so rendering them directly is shorter than bending
DRF's renderers and exception handler to it.
"""

import datetime
import re
import uuid
import xml.etree.ElementTree as ET  # noqa: S405 (we only write XML, never parse it)  # nosec B405

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from territory.models import ServiceType

from ..attributes import answers_clean
from ..models import Complaint
from ..public import public_coordinates
from ..selectors import public_complaints, service_questions
from ..services import complaint_create, open311_client_for_key

MAX_RESULTS = 1000
MAX_SPAN = datetime.timedelta(days=90)
XML_LIST_ITEMS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
OPEN_STATUSES = list(Complaint.OPEN_STATUSES)


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- Rendering --------------------------------------------------------------------------------


# Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/FFFF):
# dropped from text so that a response echoing a client's input is still well-formed XML.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_value(element: ET.Element, value) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = _XML_INVALID.sub("", str(value))


def _xml_fill(element: ET.Element, data: dict) -> None:
    for key, value in data.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for item in value:
                grandchild = ET.SubElement(child, XML_LIST_ITEMS.get(key, "item"))
                if isinstance(item, dict):
                    _xml_fill(grandchild, item)
                else:
                    _xml_value(grandchild, item)
        elif isinstance(value, dict):
            _xml_fill(child, value)
        else:
            _xml_value(child, value)


def render(data, fmt: str, *, root: str, item: str | None = None, status: int = 200):
    if fmt == "json":
        return JsonResponse(
            data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    element = ET.Element(root)
    if item is None:
        _xml_fill(element, data)
    else:
        for entry in data:
            _xml_fill(ET.SubElement(element, item), entry)
    body = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def render_error(error: Open311Error, fmt: str):
    data = [{"code": error.status, "description": error.description}]
    return render(data, fmt, root="errors", item="error", status=error.status)


def open311_view(methods=("GET",)):
    """Checks the municipality and jurisdiction_id and turns Open311Error into the spec's
    error list, in the format asked for."""

    def decorator(view):
        @csrf_exempt
        @require_http_methods(list(methods))
        def wrapped(request, fmt, *args, **kwargs):
            try:
                municipality = getattr(request, "municipality", None)
                if municipality is None:
                    raise Open311Error(404, _("No jurisdiction is served at this address."))
                if any(
                    "\x00" in value for value in [*request.GET.values(), *request.POST.values()]
                ):
                    raise Open311Error(400, _("Parameters cannot contain NUL characters."))
                jurisdiction = request.GET.get("jurisdiction_id") or request.POST.get(
                    "jurisdiction_id"
                )
                if jurisdiction and jurisdiction != municipality.slug:
                    raise Open311Error(
                        404, _("jurisdiction_id %(id)s not found.") % {"id": jurisdiction}
                    )
                return view(request, fmt, *args, **kwargs)
            except Open311Error as error:
                return render_error(error, fmt)

        return wrapped

    return decorator


def _iso(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def request_dict(complaint: Complaint, request) -> dict:
    """One service request as the spec shows it: never the reporter's name, e-mail or phone;
    the place as complaints.public.public_coordinates allows (the point rounded, no
    free-text address)."""
    point = public_coordinates(complaint.location)
    expected = None
    if complaint.expected_date:
        expected = timezone.make_aware(
            datetime.datetime.combine(complaint.expected_date, datetime.time(23, 59, 59))
        )
    media_url = complaint.media_url or None
    first_photo = getattr(complaint, "first_photo", None)
    if first_photo:
        media_url = request.build_absolute_uri(default_storage.url(first_photo))
    last_note = getattr(complaint, "last_note", None)
    return {
        "service_request_id": complaint.code,
        "status": complaint.open311_status,
        "status_notes": last_note or None,
        "service_name": complaint.service_type.name,
        "service_code": complaint.service_type.code,
        "description": complaint.description,
        "agency_responsible": complaint.directorate.name if complaint.directorate else None,
        "service_notice": None,
        "requested_datetime": _iso(complaint.created_at),
        "updated_datetime": _iso(complaint.updated_at),
        "expected_datetime": _iso(expected),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": point.latitude if point else None,
        "long": point.longitude if point else None,
        "media_url": media_url,
    }


def _service_dict(service: ServiceType, with_questions: set[int]) -> dict:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description or None,
        "metadata": service.pk in with_questions,
        "type": "realtime",
        "keywords": None,
        "group": str(ServiceType.Category(service.category).label),
    }


def _definition_dict(service: ServiceType) -> dict:
    """The service definition, from the questions staff edit in the admin (ServiceQuestion)."""
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": True,
                "code": question.code,
                "datatype": question.datatype,
                "required": question.required,
                "datatype_description": question.datatype_description or None,
                "order": position,
                "description": question.description,
                "values": [{"key": key, "name": name} for key, name in question.choices],
            }
            for position, question in enumerate(
                service_questions(service_types=[service.pk]), start=1
            )
        ],
    }


def _service(request, code: str) -> ServiceType:
    service = ServiceType.objects.for_municipality(request.municipality).filter(code=code).first()
    if service is None:
        raise Open311Error(404, _("service_code %(code)s not found.") % {"code": code})
    return service


# --- Views ------------------------------------------------------------------------------------


@open311_view()
def discovery(request, fmt):
    municipality = request.municipality
    base = request.build_absolute_uri(reverse("complaints:open311_root"))
    changeset = _iso(
        timezone.make_aware(datetime.datetime(2026, 1, 1))  # when this endpoint last changed
    )
    data = {
        "changeset": changeset,
        "contact": municipality.contact_email or municipality.name,
        "key_service": _("API keys are issued by the administrators of %(name)s.")
        % {"name": municipality.name},
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base.rstrip("/"),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(data, fmt, root="discovery")


@open311_view()
def services(request, fmt):
    service_types = ServiceType.objects.for_municipality(request.municipality)
    with_questions = {
        question.service_type_id
        for question in service_questions(service_types=service_types.values("pk"))
    }
    data = [_service_dict(s, with_questions) for s in service_types]
    return render(data, fmt, root="services", item="service")


@open311_view()
def service_definition(request, fmt, code):
    return render(_definition_dict(_service(request, code)), fmt, root="service_definition")


def _parse_when(name: str, value: str) -> datetime.datetime:
    try:
        parsed = parse_datetime(value.replace(" ", "+")) if value else None
        if parsed is None and value:
            day = parse_date(value)
            if day is not None:
                parsed = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:  # well formed but no such date or offset (2026-02-30, +99:00)
        parsed = None
    if parsed is None:
        raise Open311Error(
            400,
            _("%(name)s must be an ISO 8601 date-time, such as 2026-01-31T00:00:00-07:00.")
            % {"name": name},
        )
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        # The listing adds or takes MAX_SPAN and compares in UTC: refuse what would overflow.
        (parsed - MAX_SPAN).astimezone(datetime.UTC)
        (parsed + MAX_SPAN).astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise Open311Error(400, _("%(name)s is out of range.") % {"name": name}) from None
    return parsed


def _list_requests(request, fmt):
    complaints = public_complaints(municipality=request.municipality)
    params = request.GET
    ids = [i.strip().upper() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        complaints = complaints.filter(code__in=ids[:MAX_RESULTS])
    else:
        if params.get("service_code"):
            complaints = complaints.filter(service_type__code=params["service_code"])
        start = (
            _parse_when("start_date", params["start_date"]) if params.get("start_date") else None
        )
        end = _parse_when("end_date", params["end_date"]) if params.get("end_date") else None
        if start and end:
            if end < start:
                raise Open311Error(400, _("end_date is before start_date."))
            if end - start > MAX_SPAN:
                raise Open311Error(400, _("start_date and end_date may be at most 90 days apart."))
        elif start:
            end = start + MAX_SPAN
        elif end:
            start = end - MAX_SPAN
        else:
            end = timezone.now()
            start = end - MAX_SPAN
        complaints = complaints.filter(created_at__gte=start, created_at__lte=end)
        if params.get("status"):
            statuses = {s.strip() for s in params["status"].split(",") if s.strip()}
            if not statuses <= {"open", "closed"}:
                raise Open311Error(400, _("status must be open, closed or both."))
            if statuses == {"open"}:
                complaints = complaints.open()
            elif statuses == {"closed"}:
                complaints = complaints.closed()
    data = [
        request_dict(c, request) for c in complaints.order_by("-created_at", "-id")[:MAX_RESULTS]
    ]
    return render(data, fmt, root="service_requests", item="request")


def _create_request(request, fmt):
    params = request.POST
    client = open311_client_for_key(
        municipality=request.municipality, key=params.get("api_key", "")
    )
    if client is None:
        raise Open311Error(403, _("api_key is missing, unknown or revoked."))
    if is_ratelimited(
        request,
        group="open311:post",
        key=lambda group, request: f"client:{client.pk}",
        rate=getattr(settings, "OPEN311_POST_RATE", "120/m"),
        increment=True,
    ):
        raise Open311Error(
            429, _("Too many requests for this api_key. Wait a minute and try again.")
        )
    if not params.get("service_code"):
        raise Open311Error(400, _("service_code was not provided."))
    service = _service(request, params["service_code"])
    point = None
    if params.get("lat") or params.get("long"):
        try:
            lat, lon = float(params.get("lat", "")), float(params.get("long", ""))
        except ValueError:
            raise Open311Error(400, _("lat and long must both be numbers.")) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Open311Error(400, _("lat or long is out of range."))
        from django.contrib.gis.geos import Point

        point = Point(lon, lat, srid=4326)
    address = params.get("address_string", "").strip() or params.get("address_id", "").strip()
    if point is None and not address:
        raise Open311Error(400, _("A location is required: lat and long, or address_string."))
    description = params.get("description", "")
    if len(description) > 4000:
        raise Open311Error(400, _("description is longer than 4,000 characters."))
    attributes, errors = answers_clean(
        service_questions(service_types=[service.pk]),
        # A multivaluelist comes as attribute[code][]=a&attribute[code][]=b.
        lambda code: params.getlist(f"attribute[{code}]") + params.getlist(f"attribute[{code}][]"),
    )
    if errors:
        error = errors[0]
        if error.kind == "required":
            raise Open311Error(400, _("attribute[%(code)s] is required.") % {"code": error.code})
        if error.kind == "choice":
            raise Open311Error(
                400, _("attribute[%(code)s] has an unknown value.") % {"code": error.code}
            )
        raise Open311Error(400, f"attribute[{error.code}]: {error.message}")
    email = params.get("email", "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise Open311Error(400, _("email is not a valid e-mail address.")) from None
    media_url = params.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url is not a valid URL.")) from None
    name = " ".join(
        p.strip() for p in (params.get("first_name", ""), params.get("last_name", "")) if p.strip()
    )
    try:
        complaint = complaint_create(
            municipality=request.municipality,
            service_type=service,
            description=description or str(service.name),
            source=Complaint.Source.OPEN311,
            point=point,
            address=address,
            reporter_name=name[:200],
            reporter_email=email,
            reporter_phone=params.get("phone", "").strip()[:40],
            attributes=attributes,
            media_url=media_url,
            open311_client=client,
        )
    except ValidationError as error:
        raise Open311Error(400, " ".join(error.messages)) from None
    data = [
        {
            "service_request_id": complaint.code,
            "token": str(complaint.token),
            "service_notice": _("Received. The directorate in charge has been told."),
        }
    ]
    return render(data, fmt, root="service_requests", item="request")


# Not one transaction per request: the POST's only write is complaint_create, atomic by itself
# (a key's last use is a separate, harmless write), and reads need none, so the request costs
# no SAVEPOINT/RELEASE round trips around complaint_create's own transaction.
@transaction.non_atomic_requests
@open311_view(methods=("GET", "POST"))
def requests(request, fmt):
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


@open311_view()
def request_detail(request, fmt, code):
    complaint = (
        public_complaints(municipality=request.municipality).filter(code=code.upper()).first()
    )
    if complaint is None:
        raise Open311Error(404, _("service_request_id %(id)s not found.") % {"id": code})
    return render([request_dict(complaint, request)], fmt, root="service_requests", item="request")


@open311_view()
def token(request, fmt, token):
    try:
        value = uuid.UUID(token)
    except ValueError:
        value = None
    found = (
        Complaint.public_objects.for_municipality(request.municipality)
        .filter(token=value)
        .values("code", "token")
        .first()
        if value
        else None
    )
    if found is None:
        raise Open311Error(404, _("token %(token)s not found.") % {"token": token})
    data = [{"service_request_id": found["code"], "token": str(found["token"])}]
    return render(data, fmt, root="service_requests", item="request")


@require_GET
def root(request):
    return redirect("complaints:open311_discovery", fmt="json")
