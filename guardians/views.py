from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from core.pagecache import public_page_cache
from core.spreadsheets import csv_writer
from territory.panels import panel_apps, panels_for
from territory.selectors import space_for_code

from . import selectors, services
from .filters import CardFilter
from .forms import (
    ApplicationReviewForm,
    AttendanceForm,
    CardForm,
    CardReviewForm,
    EvaluationForm,
    GuardianApplicationForm,
    VisitDoneForm,
    VisitForm,
    VisitPlanForm,
)
from .models import (
    Card,
    CardTemplateItem,
    Evaluation,
    GuardianApplication,
    TrainingSession,
    Visit,
)
from .permissions import (
    active_guardian,
    guardian_or_staff_required,
    municipality_or_404,
    staff_required,
)

CARDS_PER_PAGE = 25


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- Public ------------------------------------------------------------------------------------


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=("territory", "guardians"))
def program(request):
    municipality = municipality_or_404(request)
    return render(
        request,
        "guardians/program.html",
        {
            "counters": selectors.program_counters(municipality),
            "colonias": selectors.guardian_counts_by_colonia(municipality=municipality),
        },
    )


@require_http_methods(["GET", "POST"])
# The form lists the colonias, services and spaces (territory) and nothing of the program's.
@public_page_cache(depends_on=("territory",))
def join(request):
    municipality = municipality_or_404(request)
    if request.method == "POST" and is_ratelimited(
        request,
        group="guardians:join",
        key="ip",
        rate=lambda group, request: getattr(settings, "GUARDIANS_JOIN_RATE", "10/h"),
        method="POST",
        increment=True,
    ):
        return render(request, "429.html", status=429)
    # "Become a guardian of this space": ?space=<code> (kept on POST, the form posts to itself).
    space = None
    if request.GET.get("space"):
        space = space_for_code(municipality=municipality, code=request.GET["space"])
        if space is None:
            raise Http404(_("There is no public space with this code."))
    form = GuardianApplicationForm(request.POST or None, municipality=municipality, space=space)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.guardian_application_submit(
                municipality=municipality,
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                colonia=data["colonia"],
                service_types=data["service_types"],
                spaces=data.get("spaces") or (),
                motivation=data["motivation"],
                accepted_privacy_notice=data["accept_privacy_notice"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("guardians:join_thanks")
    return render(request, "guardians/join.html", {"form": form})


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=("territory",))
def join_thanks(request):
    return render(request, "guardians/join_thanks.html")


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=("territory",))
def privacy_notice(request):
    return render(request, "guardians/privacy.html")


class WelcomeView(auth_views.PasswordResetConfirmView):
    """The link of the invitation e-mail: the new guardian chooses a password."""

    template_name = "guardians/welcome.html"
    success_url = reverse_lazy("guardians:welcome_done")
    post_reset_login = True
    # Several backends are configured (django-axes first): name the one that logs them in.
    post_reset_login_backend = "accounts.backends.PortalBackend"


class WelcomeDoneView(auth_views.PasswordResetCompleteView):
    template_name = "guardians/welcome_done.html"


@require_GET
def service_worker(request):
    """The service worker, served from /guardians/ so that its scope covers the program's
    pages (a script under /static/ could only control /static/)."""
    response = HttpResponse(
        render_to_string("guardians/sw.js", request=request),
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = reverse("guardians:program")
    response["Cache-Control"] = "no-cache"
    return response


# --- Staff: applications, visits, review -------------------------------------------------------


@staff_required
@require_GET
def application_list(request):
    municipality = municipality_or_404(request)
    applications = GuardianApplication.private_objects.for_municipality(municipality)
    # The workspace's queue opens ?status=pending&o=created: the waiting ones, oldest first.
    status = request.GET.get("status")
    if status in GuardianApplication.Status.values:
        applications = applications.filter(status=status)
    order = ["created_at", "id"] if request.GET.get("o") == "created" else ["status", "-created_at"]
    applications = (
        applications.select_related("colonia")
        .prefetch_related("service_types")
        .order_by(*order)[:200]
    )
    return render(
        request,
        "guardians/application_list.html",
        {
            "applications": [
                (
                    application,
                    ApplicationReviewForm(
                        municipality=municipality,
                        colonia=application.colonia,
                        prefix=f"a{application.pk}",
                    )
                    if application.status == GuardianApplication.Status.PENDING
                    else None,
                )
                for application in applications
            ]
        },
    )


@staff_required
@require_POST
def application_review(request, pk):
    municipality = municipality_or_404(request)
    application = get_object_or_404(
        GuardianApplication.private_objects.for_municipality(municipality), pk=pk
    )
    form = ApplicationReviewForm(
        request.POST, municipality=municipality, colonia=application.colonia, prefix=f"a{pk}"
    )
    try:
        if request.POST.get("decision") == "reject":
            services.guardian_application_reject(application=application, reviewed_by=request.user)
            messages.success(request, _("The application was rejected."))
        elif form.is_valid():
            services.guardian_application_approve(
                application=application,
                reviewed_by=request.user,
                base_url=request.build_absolute_uri("/"),
                appointed_on_visit=form.cleaned_data["appointed_on_visit"],
                is_lead=form.cleaned_data["is_lead"],
            )
            messages.success(
                request, _("The guardian was approved and the invitation e-mail was sent.")
            )
        else:
            messages.error(request, _("Check the visit chosen."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("guardians:application_list")


VISIT_LIST_FILTERS = [
    ("", gettext_lazy("All")),
    ("planned", gettext_lazy("Planned")),
    ("planned-week", gettext_lazy("Planned this week")),
    ("done", gettext_lazy("Carried out")),
]


@staff_required
@require_GET
def visit_list(request):
    municipality = municipality_or_404(request)
    status = request.GET.get("status", "")
    week = request.GET.get("week") == "this"
    visits = selectors.visits_for_list(municipality=municipality, status=status, week=week)
    page = Paginator(visits, CARDS_PER_PAGE).get_page(request.GET.get("page"))
    current = "planned-week" if status == "planned" and week else status
    filters = [
        (
            key,
            label,
            reverse("guardians:visit_list")
            + (
                "?" + urlencode({"status": "planned", "week": "this"})
                if key == "planned-week"
                else ("?" + urlencode({"status": key}) if key else "")
            ),
            key == current,
        )
        for key, label in VISIT_LIST_FILTERS
    ]
    return render(
        request,
        "guardians/visit_list.html",
        {"page": page, "filters": filters},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def visit_plan(request):
    municipality = municipality_or_404(request)
    form = VisitPlanForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_plan(
                municipality=municipality,
                date=data["date"],
                colonia=data["colonia"],
                spaces=data["space_codes"],
                guardians_invited=data["guardians_invited"],
                public_note=data["public_note"],
                notes=data["notes"],
                created_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The visit was planned. Share its brief with the community.")
            )
            return redirect(visit)
    return render(
        request,
        "guardians/visit_plan.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _visit_facts(data: dict) -> dict:
    """What the recording form says about a visit carried out, as the services take it."""
    return {
        "date": data["date"],
        "spaces": data["space_codes"],
        "staff_present": data["staff_present"],
        "people_contacted": data["people_contacted"],
        "notes": data["notes"],
        "photos": data["photos"],
    }


@staff_required
@require_http_methods(["GET", "POST"])
def visit_done(request, pk):
    municipality = municipality_or_404(request)
    visit = get_object_or_404(
        Visit.objects.for_municipality(municipality)
        .planned()
        .select_related("colonia", "municipality")
        .prefetch_related("spaces"),
        pk=pk,
    )
    form = VisitDoneForm(request.POST or None, request.FILES or None, visit=visit)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_carry_out(
                visit=visit, recorded_by=request.user, **_visit_facts(form.cleaned_data)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The visit was recorded as carried out."))
            return redirect(visit)
    return render(
        request,
        "guardians/visit_done.html",
        {"form": form, "visit": visit},
        status=400 if form.errors else 200,
    )


def _share_links(request, visit) -> dict:
    """The brief's absolute link and the WhatsApp and e-mail links that share it (plain
    links: no script needed, nothing inline)."""
    url = request.build_absolute_uri(visit.get_brief_url())
    text = _("Visit to %(colonia)s on %(date)s: what to know beforehand") % {
        "colonia": visit.colonia.name,
        "date": visit.date.strftime("%Y-%m-%d"),
    }
    return {
        "url": url,
        "whatsapp": "https://wa.me/?" + urlencode({"text": f"{text} {url}"}),
        "email": "mailto:?"
        + urlencode({"subject": text, "body": f"{text}\n{url}"}).replace("+", "%20"),
    }


@transaction.non_atomic_requests
@require_GET
# The visit's place and its contract; the complaints' counts (panels).
@public_page_cache(
    depends_on=lambda: ("territory", "contracts", "guardians", *panel_apps("visit_brief"))
)
def visit_brief(request, token):
    """The public pre-visit brief of a planned visit, for the community and the guardians:
    place, date, what to know and what complaints say about the colonia (panels from the apps
    above, aggregated), never who is coming. Opens on its own municipality's host only."""
    municipality = municipality_or_404(request)
    visit = selectors.visit_for_brief(municipality=municipality, token=token)
    if visit is None:
        raise Http404
    response = render(
        request,
        "guardians/visit_brief.html",
        {
            "visit": visit,
            "share": _share_links(request, visit),
            "panels": panels_for("visit_brief", visit=visit),
        },
    )
    # The link is a capability: keep it out of search engines and other sites' logs (the
    # page's own forms, the language switcher, still send their same-origin referrer).
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


@login_required
@require_GET
def my_visits(request):
    """A guardian's upcoming visits (invited, or to their colonia), with their briefs."""
    municipality = municipality_or_404(request)
    guardian = active_guardian(request.user, municipality)
    if guardian is None:
        raise PermissionDenied
    visits = selectors.upcoming_visits_for_guardian(guardian=guardian)[:50]
    return render(request, "guardians/my_visits.html", {"visits": visits})


@staff_required
@require_http_methods(["GET", "POST"])
def visit_create(request):
    municipality = municipality_or_404(request)
    form = VisitForm(request.POST or None, request.FILES or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_create(
                municipality=municipality,
                colonia=form.cleaned_data["colonia"],
                created_by=request.user,
                **_visit_facts(form.cleaned_data),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The visit was recorded."))
            return redirect(visit)
    return render(request, "guardians/visit_form.html", {"form": form})


@staff_required
@require_GET
def visit_detail(request, pk):
    municipality = municipality_or_404(request)
    visit = get_object_or_404(
        Visit.objects.for_municipality(municipality)
        .select_related("colonia", "created_by")
        .prefetch_related(
            "spaces",
            "staff_present",
            "photos",
            "guardians_appointed__user",
            "guardians_invited__user",
        ),
        pk=pk,
    )
    return render(
        request,
        "guardians/visit_detail.html",
        # What higher apps add (the complaints brief of the colonia): territory.panels.
        {
            "visit": visit,
            "panels": panels_for("visit", visit=visit),
            "share": _share_links(request, visit) if visit.brief_token else None,
        },
    )


@staff_required
@require_GET
def review_queue(request):
    municipality = municipality_or_404(request)
    cards = Card.objects.for_municipality(municipality).pending_review().for_list()
    page = Paginator(cards.order_by("submitted_at", "id"), CARDS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "guardians/review_queue.html", {"page": page})


@staff_required
@require_POST
def card_review(request, pk):
    municipality = municipality_or_404(request)
    card = get_object_or_404(Card.objects.for_municipality(municipality), pk=pk)
    form = CardReviewForm(request.POST)
    if form.is_valid():
        services.card_review(card=card, reviewer=request.user, note=form.cleaned_data["note"])
        messages.success(request, _("The card was marked as reviewed."))
    return redirect("guardians:review_queue")


# --- Cards -------------------------------------------------------------------------------------


@guardian_or_staff_required
@require_GET
def card_list(request):
    municipality = municipality_or_404(request)
    cards = Card.objects.visible_to(request.user, municipality).for_list()
    card_filter = CardFilter(request.GET, queryset=cards, municipality=municipality)
    page = Paginator(card_filter.qs, CARDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "guardians/card_list.html",
        {"page": page, "filter": card_filter, "guardian": request.guardian},
    )


@guardian_or_staff_required
@require_GET
def card_detail(request, pk):
    municipality = municipality_or_404(request)
    card = selectors.card_detail(
        card_id=pk, cards=Card.objects.visible_to(request.user, municipality)
    )
    if card is None:
        raise Http404
    return render(
        request,
        "guardians/card_detail.html",
        {
            "card": card,
            "can_review": request.is_program_staff,
            "review_form": CardReviewForm(),
            "shows_filer": request.is_program_staff
            or (request.guardian is not None and request.guardian.is_lead),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def card_new(request):
    municipality = municipality_or_404(request)
    guardian = active_guardian(request.user, municipality)
    if guardian is None:
        if _wants_json(request):
            return JsonResponse(
                {"errors": {"__all__": [_("Only guardians file cards.")]}}, status=403
            )
        raise PermissionDenied
    services_watched = selectors.services_for_guardian(guardian=guardian)
    templates = selectors.current_templates_for(
        municipality=municipality, service_ids=services_watched.values_list("pk", flat=True)
    )
    initial = {}
    if request.method == "GET" and request.GET.get("service", "").isdigit():
        initial["service_type"] = int(request.GET["service"])
    form = CardForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        guardian=guardian,
        templates=templates,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            card, created = services.card_submit(
                guardian=guardian,
                client_id=data["client_id"],
                template=form.chosen_template,
                space=data["space"],
                observed_on=data["observed_on"],
                answers=form.answers(),
                photos=data["photos"],
                item_photos=form.item_photos(),
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if _wants_json(request):
                return JsonResponse(
                    {
                        "id": card.pk,
                        "status": "created" if created else "existing",
                        "url": card.get_absolute_url(),
                        "list_url": reverse("guardians:card_list"),
                    },
                    status=201 if created else 200,
                )
            if created:
                messages.success(request, _("Your card was sent. Thank you!"))
            else:
                messages.info(request, _("This card had already been received."))
            return redirect("guardians:card_list")
    if request.method == "POST" and _wants_json(request):
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return render(
        request,
        "guardians/card_form.html",
        {
            "form": form,
            "sections": form.bound_sections(),
            "spaces": form.fields["space"].queryset,
            "Kind": CardTemplateItem.Kind,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Training ----------------------------------------------------------------------------------


@guardian_or_staff_required
@require_GET
def training_list(request):
    municipality = municipality_or_404(request)
    if request.is_program_staff:
        sessions = selectors.training_sessions_with_attendance(
            municipality=municipality
        ).prefetch_related("modules", "evaluations")
    else:
        sessions = selectors.sessions_for(municipality=municipality)
    return render(request, "guardians/training_list.html", {"sessions": sessions})


@staff_required
@require_http_methods(["GET", "POST"])
def training_attendance(request, pk):
    municipality = municipality_or_404(request)
    session = get_object_or_404(TrainingSession.objects.for_municipality(municipality), pk=pk)
    checklist = selectors.attendance_checklist(session=session)
    form = AttendanceForm(request.POST or None, checklist=checklist)
    if request.method == "POST" and form.is_valid():
        try:
            present = services.training_attendance_record(
                session=session,
                guardians=form.cleaned_data["guardians"],
                applications=form.cleaned_data["applications"],
                recorded_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Attendance saved: %(present)s people came.") % {"present": present},
            )
            return redirect("guardians:training_report", pk=session.pk)
    return render(
        request,
        "guardians/training_attendance.html",
        {"session": session, "form": form},
        status=400 if form.errors else 200,
    )


@guardian_or_staff_required
@require_GET
def training_detail(request, pk):
    municipality = municipality_or_404(request)
    session = get_object_or_404(selectors.sessions_for(municipality=municipality), pk=pk)
    attempts = (
        selectors.attempts_of(guardian=request.guardian, session=session)
        if request.guardian
        else {}
    )
    evaluations = [
        (evaluation, attempts.get(evaluation.kind)) for evaluation in session.evaluations.all()
    ]
    return render(
        request,
        "guardians/training_detail.html",
        {"session": session, "evaluations": evaluations},
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_take(request, pk, kind):
    municipality = municipality_or_404(request)
    guardian = active_guardian(request.user, municipality)
    if guardian is None:
        raise PermissionDenied
    session = get_object_or_404(TrainingSession.objects.for_municipality(municipality), pk=pk)
    if kind not in Evaluation.Kind.values:
        raise Http404
    evaluation = selectors.evaluation_with_questions(session=session, kind=kind)
    if evaluation is None:
        raise Http404
    attempt = selectors.attempts_of(guardian=guardian, session=session).get(kind)
    form = EvaluationForm(request.POST or None, evaluation=evaluation)
    if attempt is None and request.method == "POST" and form.is_valid():
        try:
            attempt = services.evaluation_submit(
                evaluation=evaluation, guardian=guardian, answers=form.answers()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your score: %(correct)s of %(total)s.")
                % {"correct": attempt.correct, "total": attempt.total},
            )
            return redirect("guardians:evaluation_take", pk=pk, kind=kind)
    return render(
        request,
        "guardians/evaluation.html",
        {"session": session, "evaluation": evaluation, "form": form, "attempt": attempt},
    )


REPORT_COLUMNS = [
    ("label", gettext_lazy("Topic")),
    ("people", gettext_lazy("Guardians with both tests")),
    ("pre_mean", gettext_lazy("Pre-test mean (%)")),
    ("post_mean", gettext_lazy("Post-test mean (%)")),
    ("pre_median", gettext_lazy("Pre-test median (%)")),
    ("post_median", gettext_lazy("Post-test median (%)")),
    ("improved_share", gettext_lazy("Share improved (%)")),
]


PEOPLE_COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("colonia", gettext_lazy("Colonia")),
    ("attended", gettext_lazy("Sessions attended")),
    ("pre", gettext_lazy("Pre-test (%)")),
    ("post", gettext_lazy("Post-test (%)")),
]


@staff_required
@require_GET
def training_report(request, pk=None):
    municipality = municipality_or_404(request)
    sessions = TrainingSession.objects.for_municipality(municipality)
    session = None
    if pk is not None:
        session = get_object_or_404(sessions, pk=pk)
        sessions = sessions.filter(pk=pk)
    rows = selectors.training_report(sessions=sessions)
    people = selectors.training_attendance_by_person(sessions=sessions)
    if request.GET.get("format") == "people.csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"training-attendance-{pk or 'all'}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv_writer(response)
        writer.writerow([str(label) for _key, label in PEOPLE_COLUMNS])
        for person in people:
            writer.writerow(
                ["" if person[key] is None else person[key] for key, _label in PEOPLE_COLUMNS]
            )
        return response
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"training-report-{pk or 'all'}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv_writer(response)
        writer.writerow([str(label) for _key, label in REPORT_COLUMNS])
        for row in rows:
            writer.writerow(
                ["" if row[key] is None else row[key] for key, _label in REPORT_COLUMNS]
            )
        return response
    return render(
        request,
        "guardians/training_report.html",
        {
            "session": session,
            "rows": rows,
            "columns": REPORT_COLUMNS,
            "people": people,
            "people_columns": PEOPLE_COLUMNS,
            "all_sessions": TrainingSession.objects.for_municipality(municipality),
        },
    )
