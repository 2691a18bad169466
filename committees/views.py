"""Pages of the participation program. Public pages show names and positions of officers,
never their contact data; the forms for members and staff hand their data to the services."""

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.selectors import history_about
from core.pagecache import public_page_cache
from core.spreadsheets import csv_writer

from . import selectors, services
from .documents import certificate_pdf as certificate_pdf_document
from .documents import requisition_csv, requisition_pdf, requisition_xlsx
from .filters import NeedFilter, RequisitionFilter
from .forms import (
    ActivityForm,
    AgreementDoneForm,
    AgreementFormSet,
    AllocationForm,
    AssignmentEndForm,
    AssignmentForm,
    CommitteeRegistrationForm,
    ForumCloseForm,
    ForumForm,
    NeedForm,
    NeedStatusForm,
    OfficerFormSet,
    PlanningSessionForm,
    RequisitionAnswerForm,
    RequisitionForm,
    WorkProgressForm,
)
from .models import (
    Agreement,
    Allocation,
    Assignment,
    CitizenCommittee,
    CivilEmployee,
    Forum,
    Need,
    PublicWork,
    RegistrationCertificate,
    Requisition,
)
from .permissions import participant_for

PAGE_SIZE = 50


def _municipality(request):
    if request.municipality is None:
        raise Http404(_("No municipality is configured for this address."))
    return request.municipality


def _participant(request):
    if not hasattr(request, "_participant"):
        request._participant = participant_for(request.user, request.municipality)
    return request._participant


def participant_required(staff=False):
    """Logged in, and a committee member or civil employee with communities (or staff)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            _municipality(request)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            participant = _participant(request)
            if not participant.can_participate or (staff and not participant.is_staff):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _form_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Public pages --------------------------------------------------------------------------

# What the public pages show: the communities (colonias, territory) and the committees' rows.
# A forum turns from upcoming to past at its hour, not at midnight: its pages may say
# "upcoming" for up to the page cache's TIMEOUT (5 minutes) after it starts.
PUBLIC_PAGE_APPS = ("territory", "committees")


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=PUBLIC_PAGE_APPS)
def committee_list(request):
    municipality = _municipality(request)
    committees = selectors.committees_public(municipality)
    page = Paginator(committees, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "committees/committee_list.html", {"page": page})


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=PUBLIC_PAGE_APPS)
def committee_detail(request, pk):
    municipality = _municipality(request)
    committee = get_object_or_404(
        CitizenCommittee.objects.for_municipality(municipality).prefetch_related("communities"),
        pk=pk,
    )
    context = {
        "committee": committee,
        "officers": selectors.committee_officers(committee),
        "former": selectors.committee_former_officers(committee),
        "needs": Need.objects.filter(committee=committee).for_list()[:100],
        "forums": committee.forums.select_related("colonia").order_by("-starts_at")[:20],
        "allocations": committee.allocations.select_related("colonia")[:50],
    }
    return render(request, "committees/committee_detail.html", context)


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=PUBLIC_PAGE_APPS)
def forum_list(request):
    municipality = _municipality(request)
    past = Paginator(selectors.forums_past(municipality), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"upcoming": selectors.forums_upcoming(municipality)[:100], "past": past}
    return render(request, "committees/forum_list.html", context)


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=PUBLIC_PAGE_APPS)
def forum_detail(request, pk):
    municipality = _municipality(request)
    try:
        forum = selectors.forum_public(municipality, pk)
    except Forum.DoesNotExist as error:
        raise Http404 from error
    is_past = forum.starts_at < timezone.now()
    can_follow = (
        request.user.is_authenticated
        and _participant(request).can_participate
        and _participant(request).can_edit_forum(forum)
    )
    return render(
        request,
        "committees/forum_detail.html",
        {
            "forum": forum,
            "is_past": is_past,
            "can_follow": can_follow,
            "can_close": can_follow and is_past and forum.closed_at is None,
        },
    )


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=PUBLIC_PAGE_APPS)
def planning(request):
    municipality = _municipality(request)
    return render(
        request, "committees/planning.html", {"bodies": selectors.planning_public(municipality)}
    )


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=PUBLIC_PAGE_APPS)
def work_list(request):
    municipality = _municipality(request)
    works = list(selectors.works_public(municipality))
    for work in works:
        work.progress_list = list(work.progress.all())
        work.current_percent = work.progress_list[-1].percent if work.progress_list else 0
    reportable: set[int] = set()
    if request.user.is_authenticated:
        participant = _participant(request)
        if participant.is_staff:
            reportable = {work.pk for work in works}
        elif participant.can_participate:
            reportable = set(
                selectors.works_to_report(municipality, participant).values_list("pk", flat=True)
            )
    for work in works:
        work.can_report = work.pk in reportable
    return render(request, "committees/work_list.html", {"works": works})


EQUITY_COLUMNS = [
    ("name", gettext_lazy("Community")),
    ("population", gettext_lazy("Population")),
    ("received", gettext_lazy("Received (MXN)")),
    ("per_inhabitant", gettext_lazy("Per inhabitant (MXN)")),
    ("documented_cost", gettext_lazy("Documented needs (MXN)")),
    ("met_share", gettext_lazy("Prioritised needs met")),
    ("gap", gettext_lazy("Gap: need minus allocation (MXN)")),
]


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=PUBLIC_PAGE_APPS)
def equity(request):
    municipality = _municipality(request)
    sort = request.GET.get("sort", "name")
    if sort.lstrip("-") not in selectors.SORT_KEYS:
        sort = "name"
    rows = selectors.equity_rows(municipality, sort=sort)
    if request.GET.get("flagged"):
        rows = [r for r in rows if r.flags]
    totals = selectors.equity_totals(rows)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    columns = [
        {
            "key": key,
            "label": label,
            "sort": f"-{key}" if sort == key else key,
            "current": sort.lstrip("-") == key,
            "descending": sort.startswith("-"),
        }
        for key, label in EQUITY_COLUMNS
    ]
    return render(
        request,
        "committees/equity.html",
        {
            "page": page,
            "totals": totals,
            "columns": columns,
            "sort": sort,
            "flagged": bool(request.GET.get("flagged")),
            "factor": selectors.OVER_ALLOCATION_FACTOR,
        },
    )


@require_GET
def equity_csv(request):
    municipality = _municipality(request)
    rows = selectors.equity_rows(municipality)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="equity.csv"'
    writer = csv_writer(response)
    writer.writerow(
        [
            "community",
            "kind",
            "rural",
            "population",
            "received_mxn",
            "received_without_need_mxn",
            "per_inhabitant_mxn",
            "needs_on_record",
            "documented_need_mxn",
            "prioritised_needs",
            "prioritised_needs_met",
            "share_met",
            "gap_mxn",
            "flags",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.name,
                r.kind,
                int(r.is_rural),
                r.population if r.population is not None else "",
                f"{r.received:.2f}",
                f"{r.received_without_need:.2f}",
                "" if r.per_inhabitant is None else f"{r.per_inhabitant:.2f}",
                r.needs_on_record,
                f"{r.documented_cost:.2f}",
                r.prioritised,
                r.met,
                "" if r.met_share is None else f"{r.met_share:.4f}",
                f"{r.gap:.2f}",
                ";".join(r.flags),
            ]
        )
    return response


@require_GET
def equity_geojson(request):
    municipality = _municipality(request)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {
                "name": r.name,
                "population": r.population,
                "received": float(r.received),
                "per_inhabitant": None if r.per_inhabitant is None else float(r.per_inhabitant),
                "documented_cost": float(r.documented_cost),
                "met_share": r.met_share,
                "gap": float(r.gap),
                "flags": r.flags,
            },
        }
        for r in selectors.equity_rows(municipality, with_points=True)
        if r.lon is not None
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


# --- Members, civil employees and staff ----------------------------------------------------


@participant_required()
@require_GET
def dashboard(request):
    municipality = request.municipality
    participant = _participant(request)
    needs = selectors.needs_for(municipality, participant)
    forums = Forum.objects.for_municipality(municipality).select_related("colonia")
    if not participant.is_staff:
        forums = forums.filter(colonia_id__in=participant.colonia_ids)
    employee_id = participant.civil_employee_id
    context = {
        "participant": participant,
        "assignments": selectors.employee_assignments(employee_id) if employee_id else [],
        "activities": selectors.employee_activities(employee_id)[:10] if employee_id else [],
        "today": timezone.localdate(),
        "needs": needs[:20],
        "forums": forums.order_by("-starts_at")[:10],
        "requisitions": Requisition.objects.for_municipality(municipality).select_related(
            "institution"
        )[:10]
        if participant.is_staff
        else [],
    }
    return render(request, "committees/dashboard.html", context)


@participant_required()
@require_GET
def need_list(request):
    municipality = request.municipality
    participant = _participant(request)
    needs = NeedFilter(
        request.GET, queryset=selectors.needs_for(municipality, participant), request=request
    )
    page = Paginator(needs.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "committees/need_list.html",
        {
            "filter": needs,
            "page": page,
            "query": query.urlencode(),
            "participant": participant,
            "editable_statuses": services.EDITABLE_STATUSES,
        },
    )


@participant_required()
@require_GET
def needs_geojson(request):
    municipality = request.municipality
    participant = _participant(request)
    needs = NeedFilter(
        request.GET, queryset=selectors.needs_for(municipality, participant), request=request
    ).qs[:5000]
    return JsonResponse(selectors.needs_geojson(needs))


def _need_for(request, pk) -> Need:
    participant = _participant(request)
    need = get_object_or_404(
        Need.objects.for_municipality(request.municipality).select_related(
            "colonia", "committee", "forum"
        ),
        pk=pk,
    )
    if not participant.can_edit_need(need):
        raise PermissionDenied
    return need


def _status_choices(need: Need, participant):
    allowed = services.TRANSITIONS[need.status] - services.REQUISITION_ONLY
    if not participant.is_staff:
        allowed = {to for (fr, to) in services.PARTICIPANT_TRANSITIONS if fr == need.status}
    return [(value, label) for value, label in Need.Status.choices if value in allowed]


@participant_required()
@require_GET
def need_detail(request, pk):
    need = _need_for(request, pk)
    participant = _participant(request)
    choices = _status_choices(need, participant)
    return render(
        request,
        "committees/need_detail.html",
        {
            "need": need,
            "history": need.history.select_related("changed_by"),
            "status_form": NeedStatusForm(choices=choices) if choices else None,
            "can_edit": need.status in services.EDITABLE_STATUSES or participant.is_staff,
            "requisitions": need.requisitions.select_related("institution"),
        },
    )


@participant_required()
@require_http_methods(["GET", "POST"])
def need_create(request):
    municipality = request.municipality
    participant = _participant(request)
    initial = {}
    if request.GET.get("forum"):
        initial["forum"] = request.GET["forum"]
    form = NeedForm(
        request.POST or None,
        request.FILES or None,
        municipality=municipality,
        participant=participant,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_create(
                municipality=municipality,
                participant=participant,
                user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The need was filed."))
            return redirect(need)
    return render(request, "committees/need_form.html", {"form": form, "need": None})


@participant_required()
@require_http_methods(["GET", "POST"])
def need_edit(request, pk):
    need = _need_for(request, pk)
    participant = _participant(request)
    form = NeedForm(
        request.POST or None,
        request.FILES or None,
        instance=need,
        municipality=request.municipality,
        participant=participant,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(
                need=Need.objects.get(pk=need.pk),
                participant=participant,
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The need was updated."))
            return redirect(need)
    return render(request, "committees/need_form.html", {"form": form, "need": need})


@participant_required()
@require_POST
def need_status(request, pk):
    need = _need_for(request, pk)
    participant = _participant(request)
    form = NeedStatusForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(need)
    try:
        services.need_transition(
            need=need,
            to_status=form.cleaned_data["to_status"],
            participant=participant,
            user=request.user,
            reason=form.cleaned_data["reason"],
            priority=form.cleaned_data["priority"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The status of the need was changed."))
    return redirect(need)


@participant_required()
@require_http_methods(["GET", "POST"])
def forum_create(request):
    municipality = request.municipality
    participant = _participant(request)
    form = ForumForm(
        request.POST or None,
        request.FILES or None,
        municipality=municipality,
        participant=participant,
    )
    agreements = AgreementFormSet(request.POST or None, prefix="agreements")
    if request.method == "POST" and form.is_valid() and agreements.is_valid():
        data = dict(form.cleaned_data)
        try:
            forum = services.forum_record(
                municipality=municipality,
                participant=participant,
                user=request.user,
                agreements=[a for a in agreements.cleaned_data if a.get("description")],
                **data,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The forum was recorded."))
            return redirect(forum)
    return render(request, "committees/forum_form.html", {"form": form, "agreements": agreements})


@participant_required(staff=True)
@require_GET
def requisition_list(request):
    requisitions = RequisitionFilter(
        request.GET,
        queryset=Requisition.objects.for_municipality(request.municipality)
        .select_related("institution", "program")
        .prefetch_related("needs"),
    )
    page = Paginator(requisitions.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "committees/requisition_list.html",
        {"page": page, "filter": requisitions, "query": query.urlencode()},
    )


@participant_required(staff=True)
@require_http_methods(["GET", "POST"])
def requisition_create(request):
    municipality = request.municipality
    form = RequisitionForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            requisition = services.requisition_create(
                municipality=municipality,
                participant=_participant(request),
                user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The requisition was prepared as a draft."))
            return redirect(requisition)
    return render(request, "committees/requisition_form.html", {"form": form})


def _requisition(request, pk) -> Requisition:
    return get_object_or_404(
        Requisition.objects.for_municipality(request.municipality).select_related(
            "institution", "program", "municipality"
        ),
        pk=pk,
    )


@participant_required(staff=True)
@require_GET
def requisition_detail(request, pk):
    requisition = _requisition(request, pk)
    needs = requisition.needs.select_related("colonia").order_by("colonia__name", "priority")
    return render(
        request,
        "committees/requisition_detail.html",
        {
            "requisition": requisition,
            "needs": needs,
            "total_cost": sum(n.estimated_cost for n in needs),
            "total_people": sum(n.people_affected for n in needs),
            "answer_form": RequisitionAnswerForm(initial={"answered_on": timezone.localdate()}),
        },
    )


@participant_required(staff=True)
@require_POST
def requisition_submit(request, pk):
    requisition = _requisition(request, pk)
    try:
        services.requisition_submit(
            requisition=requisition, participant=_participant(request), user=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The requisition was marked as submitted."))
    return redirect(requisition)


@participant_required(staff=True)
@require_POST
def requisition_answer(request, pk):
    requisition = _requisition(request, pk)
    form = RequisitionAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.requisition_answer(
                requisition=requisition,
                participant=_participant(request),
                user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The answer was recorded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(requisition)


@participant_required(staff=True)
@require_GET
def requisition_document(request, pk, fmt):
    requisition = _requisition(request, pk)
    base_url = request.build_absolute_uri("/").rstrip("/")
    filename = f"solicitud-{requisition.folio}"
    if fmt == "pdf":
        response = HttpResponse(
            requisition_pdf(requisition, base_url=base_url), content_type="application/pdf"
        )
    elif fmt == "csv":
        response = HttpResponse(
            requisition_csv(requisition, base_url=base_url), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        response = HttpResponse(
            requisition_xlsx(requisition, base_url=base_url),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


# --- Civil employees: their log, and staff assigning them ------------------------------------


def civil_employee_required(view):
    """A civil employee of this municipality (a user linked to a CivilEmployee record)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        _municipality(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not _participant(request).is_civil_employee:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@civil_employee_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    employee_id = _participant(request).civil_employee_id
    employee = get_object_or_404(CivilEmployee, pk=employee_id)
    form = ActivityForm(
        request.POST or None,
        communities=selectors.employee_current_communities(employee_id),
        initial={"done_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_record(employee=employee, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The activity was added to your log."))
            return redirect("committees:dashboard")
    return render(request, "committees/activity_form.html", {"form": form})


@participant_required(staff=True)
@require_GET
def employee_list(request):
    municipality = request.municipality
    return render(
        request,
        "committees/employee_list.html",
        {
            "employees": selectors.employees_for_staff(municipality),
            "form": AssignmentForm(
                municipality=municipality, initial={"starts_on": timezone.localdate()}
            ),
            "end_form": AssignmentEndForm(initial={"ends_on": timezone.localdate()}),
            "today": timezone.localdate(),
        },
    )


@participant_required(staff=True)
@require_http_methods(["GET", "POST"])
def assignment_create(request):
    municipality = request.municipality
    form = AssignmentForm(
        request.POST or None,
        municipality=municipality,
        initial={"starts_on": timezone.localdate(), "employee": request.GET.get("employee")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_create(participant=_participant(request), **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The employee was assigned to the community."))
            return redirect("committees:employee_list")
    return render(request, "committees/assignment_form.html", {"form": form})


@participant_required(staff=True)
@require_POST
def assignment_end(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.filter(employee__association__municipality=request.municipality),
        pk=pk,
    )
    form = AssignmentEndForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_end(
                participant=_participant(request),
                assignment=assignment,
                ends_on=form.cleaned_data["ends_on"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The assignment was ended."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("committees:employee_list")


@participant_required(staff=True)
@require_GET
def activity_list(request):
    activities = selectors.activities_for_staff(request.municipality)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "committees/activity_list.html", {"page": page})


# --- Distribution and works (staff) ---------------------------------------------------------


@participant_required(staff=True)
@require_GET
def allocation_list(request):
    allocations = selectors.allocations_for_list(request.municipality)
    page = Paginator(allocations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "committees/allocation_list.html", {"page": page})


@transaction.non_atomic_requests
@require_GET
# Its audit trail is written with each change of the allocation (core.pagecache: audit).
@public_page_cache(depends_on=PUBLIC_PAGE_APPS)
def allocation_history(request, pk):
    """The public change history of one allocation: when and what, never who by name."""
    allocation = get_object_or_404(
        Allocation.objects.select_related("colonia"), pk=pk, municipality=request.municipality
    )
    return render(
        request,
        "committees/allocation_history.html",
        {"allocation": allocation, "panel": {"rows": history_about(allocation)}},
    )


@participant_required(staff=True)
@require_http_methods(["GET", "POST"])
def allocation_create(request):
    municipality = request.municipality
    initial = {"delivered_on": timezone.localdate()}
    if request.GET.get("need"):
        initial["need"] = request.GET["need"]
    form = AllocationForm(request.POST or None, municipality=municipality, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            allocation = services.allocation_record(
                municipality=municipality,
                participant=_participant(request),
                user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("The allocation to %(community)s was recorded.")
                % {"community": allocation.colonia.name},
            )
            return redirect("committees:allocation_list")
    return render(request, "committees/allocation_form.html", {"form": form})


@participant_required()
@require_http_methods(["GET", "POST"])
def work_progress(request, pk):
    work = get_object_or_404(
        PublicWork.objects.for_municipality(request.municipality).select_related(
            "executing_committee", "executing_association"
        ),
        pk=pk,
    )
    # Staff, or the executing committee or association; anyone else is refused here.
    services.work_reporter(work=work, participant=_participant(request))
    form = WorkProgressForm(
        request.POST or None,
        request.FILES or None,
        initial={"reported_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.work_progress_report(
                work=work, participant=_participant(request), user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The progress of the work was recorded."))
            return redirect(f"{reverse('committees:work_list')}#work-{work.pk}")
    history = work.progress.select_related(
        "reported_by_committee", "reported_by_association"
    ).order_by("reported_on", "id")
    return render(
        request,
        "committees/work_progress_form.html",
        {"form": form, "work": work, "history": history},
    )


# --- Closing forums, COPLADEM sessions and agreements, registrations, works ------------------


@participant_required()
@require_GET
def forum_close_list(request):
    forums = selectors.forums_to_close(request.municipality, _participant(request))
    page = Paginator(forums, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "committees/forum_close_list.html", {"page": page})


@participant_required()
@require_http_methods(["GET", "POST"])
def forum_close(request, pk):
    participant = _participant(request)
    forum = get_object_or_404(
        Forum.objects.for_municipality(request.municipality).select_related("colonia"), pk=pk
    )
    if not participant.can_edit_forum(forum):
        raise PermissionDenied
    if forum.closed_at is not None:
        messages.info(request, _("This forum was already closed."))
        return redirect(forum)
    form = ForumCloseForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "capacity": forum.capacity,
            "attendance_women": forum.attendance_women or None,
            "attendance_men": forum.attendance_men or None,
            "summary": forum.summary,
        },
    )
    agreements = AgreementFormSet(request.POST or None, prefix="agreements")
    if request.method == "POST" and form.is_valid() and agreements.is_valid():
        try:
            services.forum_close(
                forum=forum,
                participant=participant,
                user=request.user,
                agreements=[a for a in agreements.cleaned_data if a.get("description")],
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The forum was closed."))
            return redirect(forum)
    return render(
        request,
        "committees/forum_close_form.html",
        {"form": form, "agreements": agreements, "forum": forum},
    )


@participant_required(staff=True)
@require_http_methods(["GET", "POST"])
def session_create(request):
    municipality = request.municipality
    form = PlanningSessionForm(
        request.POST or None,
        request.FILES or None,
        municipality=municipality,
        initial={"held_on": timezone.localdate()},
    )
    agreements = AgreementFormSet(request.POST or None, prefix="agreements")
    if request.method == "POST" and form.is_valid() and agreements.is_valid():
        try:
            services.planning_session_record(
                municipality=municipality,
                participant=_participant(request),
                user=request.user,
                agreements=[a for a in agreements.cleaned_data if a.get("description")],
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The session was recorded."))
            return redirect(f"{reverse('committees:agreement_list')}?show=pending")
    return render(request, "committees/session_form.html", {"form": form, "agreements": agreements})


AGREEMENT_VIEWS = {
    "due": gettext_lazy("Due or overdue"),
    "pending": gettext_lazy("All pending"),
    "done": gettext_lazy("Done"),
}


@participant_required(staff=True)
@require_GET
def agreement_list(request):
    show = request.GET.get("show", "due")
    if show not in AGREEMENT_VIEWS:
        show = "due"
    today = timezone.localdate()
    agreements = selectors.agreements_for_list(request.municipality, show=show, today=today)
    page = Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "committees/agreement_list.html",
        {
            "page": page,
            "show": show,
            "views": AGREEMENT_VIEWS.items(),
            "today": today,
            "soon_days": selectors.AGREEMENT_DUE_SOON_DAYS,
            "query": f"show={show}",
        },
    )


@participant_required()
@require_http_methods(["GET", "POST"])
def agreement_done(request, pk):
    municipality = request.municipality
    participant = _participant(request)
    agreement = get_object_or_404(
        Agreement.objects.filter(
            Q(session__body__municipality=municipality) | Q(forum__municipality=municipality)
        ).select_related("session__body", "forum"),
        pk=pk,
    )
    allowed = (
        participant.can_edit_forum(agreement.forum)
        if agreement.forum is not None
        else participant.is_staff
    )
    if not allowed:
        raise PermissionDenied
    back = (
        agreement.forum.get_absolute_url()
        if agreement.forum is not None
        else reverse("committees:agreement_list")
    )
    if agreement.done:
        messages.info(request, _("This agreement is already done."))
        return redirect(back)
    form = AgreementDoneForm(
        request.POST or None, request.FILES or None, initial={"done_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_mark_done(
                agreement=agreement,
                participant=participant,
                user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The agreement was marked done."))
            return redirect(back)
    return render(
        request,
        "committees/agreement_done_form.html",
        {"form": form, "agreement": agreement, "back": back},
    )


@participant_required(staff=True)
@require_GET
def registration_list(request):
    committees = selectors.committees_for_registration(request.municipality)
    page = Paginator(committees, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "committees/registration_list.html", {"page": page})


OFFICER_POSITIONS = ["president", "secretary", "treasurer", "vocal"]


@participant_required(staff=True)
@require_http_methods(["GET", "POST"])
def committee_register(request, pk):
    committee = get_object_or_404(
        CitizenCommittee.objects.for_municipality(request.municipality), pk=pk
    )
    form = CommitteeRegistrationForm(
        request.POST or None,
        initial={
            "assembly_date": committee.assembly_date,
            "assembly_place": committee.assembly_place,
            "assembly_attendance": committee.assembly_attendance,
            "registration_number": committee.registration_number,
            "registered_on": committee.registered_on or timezone.localdate(),
        },
    )
    officers = OfficerFormSet(
        request.POST or None,
        prefix="officers",
        initial=[{"position": position} for position in OFFICER_POSITIONS],
    )
    if request.method == "POST" and form.is_valid() and officers.is_valid():
        try:
            services.committee_register(
                committee=committee,
                participant=_participant(request),
                user=request.user,
                officers=[o for o in officers.cleaned_data if o.get("full_name")],
                **form.cleaned_data,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The committee was registered."))
            return redirect(f"{reverse('committees:registration_list')}#committee-{committee.pk}")
    return render(
        request,
        "committees/committee_register_form.html",
        {
            "form": form,
            "officers": officers,
            "committee": committee,
            "current_officers": selectors.committee_officers(committee),
        },
    )


@participant_required(staff=True)
@require_POST
def certificate_issue(request, pk):
    committee = get_object_or_404(
        CitizenCommittee.objects.for_municipality(request.municipality), pk=pk
    )
    try:
        services.certificate_issue(
            committee=committee, participant=_participant(request), user=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The registration certificate of %(committee)s was issued.")
            % {"committee": committee.name},
        )
    return redirect(f"{reverse('committees:registration_list')}#committee-{committee.pk}")


@participant_required(staff=True)
@require_GET
def certificate_pdf(request, pk):
    certificate = get_object_or_404(
        RegistrationCertificate.objects.for_municipality(request.municipality).select_related(
            "committee", "municipality"
        ),
        pk=pk,
    )
    verify_url = request.build_absolute_uri(certificate.get_absolute_url())
    response = HttpResponse(
        certificate_pdf_document(certificate, verify_url=verify_url),
        content_type="application/pdf",
    )
    filename = slugify(f"constancia-{certificate.registration_number}") or "constancia"
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


CERTIFICATE_REASONS = {
    "valid": gettext_lazy("Valid: the committee is registered and active."),
    "revoked": gettext_lazy("Not valid: a newer certificate replaced this one."),
    "committee_not_active": gettext_lazy("Not valid: the committee is no longer active."),
    "registration_changed": gettext_lazy(
        "Not valid: the committee's registration changed after this certificate was issued."
    ),
}


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=PUBLIC_PAGE_APPS)
def certificate_verify(request, code):
    """Public: anyone holding the paper checks it here (the QR code leads here)."""
    municipality = _municipality(request)
    try:
        certificate = selectors.certificate_for_code(municipality, code)
    except RegistrationCertificate.DoesNotExist:
        return render(
            request, "committees/certificate_unknown.html", {"code": code[:60]}, status=404
        )
    status = selectors.certificate_status(certificate)
    return render(
        request,
        "committees/certificate_verify.html",
        {
            "certificate": certificate,
            "status": status,
            "reason": CERTIFICATE_REASONS[status.reason],
        },
    )


@participant_required()
@require_GET
def works_report_list(request):
    works = selectors.works_to_report(request.municipality, _participant(request))
    page = Paginator(works, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "committees/works_report_list.html", {"page": page})
