"""Public complaint pages, the directorates' inbox, pre-visit briefs and before/after impact.

Views only parse input, call a selector or a service and render.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from core.pagecache import public_page_cache
from guardians.selectors import first_card_date
from territory.models import PublicSpace, ServiceArea, ServiceType

from .filters import InboxFilter
from .forms import (
    BriefForm,
    ComplaintForm,
    FixedAnswerForm,
    FollowForm,
    ImpactForm,
    MergeForm,
    NearbyForm,
    StatusChangeForm,
    TrackForm,
)
from .models import Complaint
from .paginators import EstimatedCountPaginator
from .permissions import user_can_handle_complaints, user_can_read_briefs
from .public import public_coordinates
from .selectors import (
    PlacePrefill,
    brief_for_colonia,
    complaint_follower_count,
    complaint_public_history,
    complaints_geojson,
    follower_by_token,
    impact_for_colonia,
    impact_summary,
    inbox_complaints,
    nearby_open_complaints,
    place_prefill,
    public_complaint_by_code,
    public_complaints,
)
from .services import (
    complaint_change_status,
    complaint_follow_confirm,
    complaint_follow_request,
    complaint_follow_request_read,
    complaint_merge,
    complaint_submit,
    complaint_unfollow,
    fixed_question_answer,
    fixed_question_for_token,
)

PAGE_SIZE = 50


def _municipality(request):
    municipality = getattr(request, "municipality", None)
    if municipality is None:
        raise Http404(_("No municipality is served at this address."))
    return municipality


def submit_rate(group, request) -> str:
    """Read at call time, so that tests and deployments can change it."""
    return getattr(settings, "COMPLAINTS_SUBMIT_RATE", "10/h")


def follow_rate(group, request) -> str:
    """Read at call time, like ``submit_rate``."""
    return getattr(settings, "COMPLAINTS_FOLLOW_RATE", "10/h")


# --- Public -----------------------------------------------------------------------------------


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=("territory", "complaints"))
def complaint_list(request):
    municipality = _municipality(request)
    complaints = public_complaints(municipality=municipality)
    service_code = request.GET.get("service", "")
    if service_code:
        complaints = complaints.filter(service_type__code=service_code)
    state = request.GET.get("state", "")
    if state == "open":
        complaints = complaints.open()
    elif state == "closed":
        complaints = complaints.closed()
    page = EstimatedCountPaginator(complaints, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/complaint_list.html",
        {
            "page": page,
            "services": ServiceType.objects.for_municipality(municipality),
            "service_code": service_code,
            "state": state,
            "track_form": TrackForm(),
        },
    )


@require_GET
def complaint_track(request):
    form = TrackForm(request.GET)
    if form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        if public_complaint_by_code(municipality=_municipality(request), code=code):
            return redirect("complaints:detail", code=code)
    messages.error(request, _("No complaint has this tracking code. Check it and try again."))
    return redirect("complaints:list")


@require_GET
def complaint_geojson(request):
    municipality = _municipality(request)
    complaints = public_complaints(municipality=municipality).filter(location__isnull=False)
    if request.GET.get("colonia", "").isdigit():
        complaints = complaints.filter(colonia_id=int(request.GET["colonia"]))
    if request.GET.get("service"):
        complaints = complaints.filter(service_type__code=request.GET["service"])
    form = BriefForm(request.GET, municipality=municipality)
    form.is_valid()
    start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    if start:
        complaints = complaints.filter(created_at__date__gte=start)
    if end:
        complaints = complaints.filter(created_at__date__lte=end)
    if request.GET.get("state") == "open":
        complaints = complaints.open()
    return JsonResponse(complaints_geojson(complaints[:2000]))


@require_GET
def complaint_nearby(request):
    """Open complaints of the same service within 100 m, for the form's duplicate check."""
    municipality = _municipality(request)
    form = NearbyForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    service = (
        ServiceType.objects.for_municipality(municipality)
        .filter(pk=form.cleaned_data["service"] if form.cleaned_data["service"].isdigit() else None)
        .first()
        or ServiceType.objects.for_municipality(municipality)
        .filter(code=form.cleaned_data["service"])
        .first()
    )
    if service is None:
        return JsonResponse(
            {"errors": {"service": [{"message": _("Unknown service.")}]}}, status=400
        )
    from django.contrib.gis.geos import Point

    point = Point(form.cleaned_data["lon"], form.cleaned_data["lat"], srid=4326)
    nearby = nearby_open_complaints(municipality=municipality, service_type=service, point=point)
    return JsonResponse(
        {
            "complaints": [
                {
                    "code": c.code,
                    "url": c.get_absolute_url(),
                    "follow_url": reverse("complaints:follow", kwargs={"code": c.code}),
                    "service": c.service_type.name,
                    "status": str(c.get_status_display()),
                    "description": c.description[:200],
                    "distance_m": round(c.distance.m),
                    "reported": c.created_at.isoformat(),
                }
                for c in nearby
            ]
        }
    )


def _place_prefill(request, municipality) -> PlacePrefill | None:
    """``?space=<code>`` or ``?area=<id>``: the place reported from (404 if unknown)."""
    try:
        return place_prefill(
            municipality=municipality,
            space_code=request.GET.get("space", "").strip(),
            area_id=request.GET.get("area", "").strip(),
        )
    except (PublicSpace.DoesNotExist, ServiceArea.DoesNotExist):
        raise Http404(_("There is no such place to report from.")) from None


@require_http_methods(["GET", "POST"])
# The form: the services and their questions, the place reported from and its contract.
@public_page_cache(depends_on=("territory", "contracts", "complaints"))
def complaint_new(request):
    municipality = _municipality(request)
    # The form posts to its own address, so a report started from a place keeps it.
    prefill = _place_prefill(request, municipality)
    place = prefill.place if prefill else None
    if request.method == "GET":
        form = ComplaintForm(
            initial=prefill.initial if prefill else None, municipality=municipality
        )
        return render(request, "complaints/complaint_form.html", {"form": form, "place": place})
    if is_ratelimited(
        request,
        group="complaints:submit",
        key="ip",
        rate=submit_rate,
        method="POST",
        increment=True,
    ):
        return render(request, "complaints/429.html", status=429)
    form = ComplaintForm(request.POST, request.FILES, municipality=municipality)
    if not form.is_valid():
        return render(
            request, "complaints/complaint_form.html", {"form": form, "place": place}, status=400
        )
    data = form.cleaned_data
    try:
        submission = complaint_submit(
            municipality=municipality,
            service_type=data["service_type"],
            description=data["description"],
            point=form.point,
            address=data["address"],
            reporter_name=data["reporter_name"],
            reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"],
            language=get_language() or "",
            photos=data["photos"],
            pending_photos=data["pending_photos"],
            confirmed=data["confirmed"],
            attributes=data["attributes"],
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return render(
            request, "complaints/complaint_form.html", {"form": form, "place": place}, status=400
        )
    if submission.complaint is None:
        # No-JS duplicate check: show them, with the photos kept aside, and ask to confirm.
        confirm = ComplaintForm(
            initial={
                **{k: v for k, v in data.items() if k != "photos"},
                "confirmed": True,
                "pending_photos": submission.pending_photos,
            },
            municipality=municipality,
        )
        # Each one is offered to follow instead, with the e-mail already given.
        offers = [
            (
                c,
                FollowForm(
                    initial={"email": data["reporter_email"]}, auto_id=f"follow-{c.code}-%s"
                ),
            )
            for c in submission.nearby
        ]
        return render(
            request,
            "complaints/complaint_confirm.html",
            {
                "form": confirm,
                "nearby": submission.nearby,
                "offers": offers,
                "photo_count": len(data["photos"]),
            },
        )
    messages.success(
        request,
        _(
            "Thank you. Your complaint was filed with the tracking code %(code)s: "
            "keep it to follow it."
        )
        % {"code": submission.complaint.code},
    )
    return redirect(submission.complaint)


def _public_complaint_or_404(request, code) -> Complaint:
    complaint = public_complaint_by_code(municipality=_municipality(request), code=code)
    if complaint is None:
        raise Http404(_("No complaint has this tracking code."))
    return complaint


def _render_detail(request, complaint, *, follow_form=None, status=200):
    return render(
        request,
        "complaints/complaint_detail.html",
        {
            "complaint": complaint,
            "coordinates": public_coordinates(complaint.location),
            "history": complaint_public_history(complaint=complaint),
            "photos": complaint.photos.all(),
            "follower_count": complaint_follower_count(complaint=complaint),
            "follow_form": follow_form or FollowForm(),
        },
        status=status,
    )


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=("territory", "complaints"))
def complaint_detail(request, code):
    return _render_detail(request, _public_complaint_or_404(request, code))


@require_POST
def follow(request, code):
    """Follow a complaint by e-mail: from its page, or from the duplicate suggestion of the
    complaint form (with or without JavaScript). Errors are shown on the complaint's page."""
    if is_ratelimited(
        request,
        group="complaints:follow",
        key="ip",
        rate=follow_rate,
        method="POST",
        increment=True,
    ):
        return render(request, "complaints/429_follow.html", status=429)
    complaint = _public_complaint_or_404(request, code)
    form = FollowForm(request.POST)
    if form.is_valid():
        try:
            complaint_follow_request(
                complaint=complaint,
                email=form.cleaned_data["email"],
                language=get_language() or "",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The same message whether the address already followed it or not: the page must
            # not tell anyone which addresses follow a complaint.
            messages.success(
                request,
                _(
                    "Check your e-mail: we sent you a link to confirm that you want to follow "
                    "complaint %(code)s. Nothing is saved until you confirm."
                )
                % {"code": complaint.code},
            )
            return redirect(complaint)
    return _render_detail(request, complaint, follow_form=form, status=400)


@require_http_methods(["GET", "POST"])
def follow_confirm(request, code, token):
    """The link of the follow confirmation e-mail: GET shows a button (mail scanners open
    links), POST creates the follower."""
    municipality = _municipality(request)
    try:
        complaint, _payload = complaint_follow_request_read(municipality=municipality, token=token)
        if complaint.code != code.strip().upper():
            raise ValidationError(_("This confirmation link is not valid or has expired."))
        if request.method == "POST":
            complaint_follow_confirm(municipality=municipality, token=token)
            messages.success(
                request,
                _(
                    "Confirmed: you follow complaint %(code)s. We will e-mail you each change "
                    "of its status; every e-mail has a link to stop following it."
                )
                % {"code": complaint.code},
            )
            return redirect(complaint)
    except ValidationError as error:
        return render(
            request, "complaints/link_invalid.html", {"error": error.messages[0]}, status=400
        )
    return render(request, "complaints/follow_confirm.html", {"complaint": complaint})


@require_http_methods(["GET", "POST"])
def fixed_answer(request, token):
    """The reporter's "Has it been fixed?" page, from the link e-mailed once the complaint
    was resolved or closed. One answer; "no" reopens the complaint."""
    question = fixed_question_for_token(municipality=_municipality(request), token=token)
    if question is None:
        return render(
            request,
            "complaints/link_invalid.html",
            {"error": _("This link is not valid or has expired.")},
            status=400,
        )
    complaint = question.complaint
    form = FixedAnswerForm(request.POST or None)
    status = 200
    if question.answered_at is not None:
        form = None
        status = 409 if request.method == "POST" else 200
    elif request.method == "POST":
        if form.is_valid():
            try:
                fixed_question_answer(question=question, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Thank you: the complaint stays closed.")
                    if form.cleaned_data["fixed"]
                    else _("Thank you: the complaint was opened again for the municipality."),
                )
                return redirect(complaint)
        status = 400
    return render(
        request,
        "complaints/fixed_answer.html",
        {"complaint": complaint, "question": question, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def unfollow(request, code, token):
    """The link in each follower's e-mail: GET asks to confirm (mail scanners open links),
    POST stops the e-mails."""
    follower = follower_by_token(municipality=_municipality(request), code=code, token=token)
    if follower is None:
        raise Http404(_("This link is no longer valid."))
    complaint = follower.complaint
    if request.method == "POST":
        complaint_unfollow(follower=follower)
        messages.success(
            request,
            _("You no longer follow complaint %(code)s: we will not e-mail you about it again.")
            % {"code": complaint.code},
        )
        return redirect(complaint)
    return render(request, "complaints/unfollow.html", {"complaint": complaint})


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=("territory",))
def privacy_notice(request):
    return render(request, "complaints/privacy.html")


# --- Directorates -----------------------------------------------------------------------------


def _require_handler(request):
    municipality = _municipality(request)
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    if not user_can_handle_complaints(request.user, municipality):
        raise PermissionDenied
    return municipality, None


@require_GET
def inbox(request):
    municipality, response = _require_handler(request)
    if response:
        return response
    complaints = inbox_complaints(user=request.user, municipality=municipality)
    filterset = InboxFilter(request.GET, queryset=complaints, municipality=municipality)
    page = EstimatedCountPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/inbox.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "now": timezone.now()},
    )


@require_http_methods(["GET", "POST"])
def inbox_detail(request, code):
    municipality, response = _require_handler(request)
    if response:
        return response
    complaint = get_object_or_404(
        inbox_complaints(user=request.user, municipality=municipality).select_related(
            "duplicate_of"
        ),
        code=code.upper(),
    )
    status_form = StatusChangeForm(initial={"status": complaint.status})
    merge_form = MergeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "status":
                status_form = StatusChangeForm(request.POST)
                if status_form.is_valid():
                    complaint_change_status(
                        complaint=complaint, user=request.user, **status_form.cleaned_data
                    )
                    messages.success(request, _("The status was changed."))
                    return redirect("complaints:inbox_detail", code=complaint.code)
            elif action == "merge":
                merge_form = MergeForm(request.POST)
                if merge_form.is_valid():
                    into = (
                        Complaint.private_objects.for_municipality(municipality)
                        .filter(code=merge_form.cleaned_data["into"].strip().upper())
                        .first()
                    )
                    if into is None:
                        merge_form.add_error("into", _("No complaint has this tracking code."))
                    else:
                        complaint_merge(
                            complaint=complaint,
                            into=into,
                            user=request.user,
                            note=merge_form.cleaned_data["note"],
                        )
                        messages.success(request, _("Marked as a duplicate."))
                        return redirect("complaints:inbox_detail", code=complaint.code)
        except ValidationError as error:
            form = merge_form if action == "merge" else status_form
            for message in error.messages:
                form.add_error(None, message)
    return render(
        request,
        "complaints/inbox_detail.html",
        {
            "complaint": complaint,
            "history": complaint.updates.select_related("user"),
            "photos": complaint.photos.all(),
            "status_form": status_form,
            "merge_form": merge_form,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Sindicatura: briefs and impact -----------------------------------------------------------


def _require_briefs(request):
    municipality = _municipality(request)
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    if not user_can_read_briefs(request.user, municipality):
        raise PermissionDenied
    return municipality, None


@require_GET
def brief(request):
    municipality, response = _require_briefs(request)
    if response:
        return response
    data = request.GET.copy()
    today = timezone.localdate()
    data.setdefault("end", today.isoformat())
    data.setdefault("start", (today - datetime.timedelta(days=90)).isoformat())
    form = BriefForm(data if "colonia" in request.GET else None, municipality=municipality)
    context = {"form": form}
    if form.is_bound and form.is_valid():
        context["brief"] = brief_for_colonia(**form.cleaned_data)
        context["geojson_query"] = (
            f"colonia={form.cleaned_data['colonia'].pk}&start={form.cleaned_data['start']}"
            f"&end={form.cleaned_data['end']}"
        )
        colonia = form.cleaned_data["colonia"]
        context["colonia_geojson"] = colonia.geometry.geojson if colonia.geometry else ""
    return render(request, "complaints/brief.html", context, status=400 if form.errors else 200)


def _bars(rows, width: int = 320):
    """Bar lengths for the SVG chart, scaled to the largest value."""
    peak = max([max(r.before, r.after) for r in rows] + [1])
    return [
        {
            "row": r,
            "before_w": round(width * r.before / peak),
            "after_w": round(width * r.after / peak),
            "y": index * 56,
        }
        for index, r in enumerate(rows)
    ]


@require_GET
def impact(request):
    municipality, response = _require_briefs(request)
    if response:
        return response
    form = ImpactForm(request.GET or None, municipality=municipality)
    days = 90
    context = {"form": form}
    if form.is_bound and form.is_valid():
        days = form.cleaned_data["days"] or 90
        colonia = form.cleaned_data["colonia"]
        if colonia is not None:
            reference = form.cleaned_data["date"] or first_card_date(colonia=colonia)
            if reference is None:
                form.add_error(
                    "date",
                    _("No surveillance card has been filed in this colonia yet: give a date."),
                )
            else:
                rows = impact_for_colonia(colonia=colonia, reference_date=reference, days=days)
                context.update(
                    colonia=colonia,
                    reference=reference,
                    rows=rows,
                    bars=_bars(rows),
                    chart_height=max(len(rows), 1) * 56,
                    total_before=sum(r.before for r in rows),
                    total_after=sum(r.after for r in rows),
                )
    summary = impact_summary(municipality=municipality, days=days)
    context.update(summary=summary, days=days)
    return render(request, "complaints/impact.html", context, status=400 if form.errors else 200)
