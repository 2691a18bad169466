from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import staff_role_for
from core.pagecache import public_page_cache

from . import selectors, services
from .filters import FindingFilter
from .forms import FindingActionForm
from .models import Finding
from .permissions import can_answer, is_findings_staff

PAGE_SIZE = 50


def _municipality(request):
    municipality = getattr(request, "municipality", None)
    if municipality is None:
        raise PermissionDenied
    return municipality


def _may_use_inbox(user, municipality) -> bool:
    """The Sindicatura, administrators and directorate staff of this municipality."""
    return staff_role_for(user, municipality) is not None


@login_required
def finding_list(request):
    municipality = _municipality(request)
    if not _may_use_inbox(request.user, municipality):
        raise PermissionDenied
    findings = selectors.inbox_findings(user=request.user, municipality=municipality)
    filterset = FindingFilter(request.GET or None, queryset=findings, municipality=municipality)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    is_staff_view = is_findings_staff(request.user, municipality)
    return render(
        request,
        "findings/finding_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "is_staff_view": is_staff_view,
            "unchecked": selectors.unchecked_directorates(
                municipality=municipality,
                directorate_ids=None if is_staff_view else [request.user.directorate_id],
            ),
            "unread": selectors.unread_message_count(user=request.user),
        },
    )


def _finding_for(request, pk) -> Finding:
    municipality = _municipality(request)
    return get_object_or_404(
        Finding.objects.visible_to(request.user, municipality).for_list(), pk=pk
    )


@login_required
def finding_detail(request, pk):
    finding = _finding_for(request, pk)
    return render(
        request,
        "findings/finding_detail.html",
        _detail_context(request, finding, FindingActionForm()),
    )


ACTION_TARGETS = {
    "acknowledge": Finding.Status.ACKNOWLEDGED,
    "resolve": Finding.Status.RESOLVED,
    "dispute": Finding.Status.DISPUTED,
    "reopen": Finding.Status.REOPENED,
}


def _allowed_actions(request, finding, form) -> list[tuple[str, str]]:
    """The form's actions that the workflow allows from the finding's status, for this user."""
    allowed = services.TRANSITIONS[finding.status]
    staff = is_findings_staff(request.user, finding.municipality)
    return [
        (value, label)
        for value, label in form.fields["action"].choices
        if (value == "answer" or ACTION_TARGETS[value] in allowed) and (value != "reopen" or staff)
    ]


def _detail_context(request, finding, form):
    return {
        "actions": _allowed_actions(request, finding, form),
        "finding": finding,
        "cards": selectors.finding_cards(finding=finding),
        "work_logs": selectors.finding_work_logs(finding=finding),
        "complaints": selectors.related_complaints(finding=finding),
        "history": selectors.finding_history(finding=finding),
        "form": form,
        "can_answer": can_answer(request.user, finding),
        "is_staff_view": is_findings_staff(request.user, finding.municipality),
    }


ACTIONS = {
    "acknowledge": lambda f, u, d: services.finding_acknowledge(finding=f, user=u, note=d["note"]),
    "resolve": lambda f, u, d: services.finding_resolve(
        finding=f, user=u, note=d["note"], attachment=d.get("attachment")
    ),
    "dispute": lambda f, u, d: services.finding_dispute(finding=f, user=u, reason=d["note"]),
    "reopen": lambda f, u, d: services.finding_reopen(finding=f, user=u, reason=d["note"]),
    "answer": lambda f, u, d: services.finding_answer(
        finding=f, user=u, note=d["note"], attachment=d.get("attachment")
    ),
}


@login_required
@require_POST
def finding_act(request, pk):
    finding = _finding_for(request, pk)
    if not can_answer(request.user, finding):
        raise PermissionDenied
    form = FindingActionForm(request.POST, request.FILES)
    if form.is_valid():
        action = form.cleaned_data["action"]
        if action == "reopen" and not is_findings_staff(request.user, finding.municipality):
            raise PermissionDenied
        try:
            ACTIONS[action](finding, request.user, form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Saved."))
            return redirect(finding.get_absolute_url())
    return render(
        request, "findings/finding_detail.html", _detail_context(request, finding, form), status=400
    )


@login_required
def message_list(request):
    rows = list(selectors.user_messages(user=request.user)[:100])
    response = render(request, "findings/message_list.html", {"inbox_messages": rows})
    services.message_mark_read(user=request.user, messages=rows)
    return response


@transaction.non_atomic_requests
# The findings' fix rates by directorate (territory) and by company (contracts).
@public_page_cache(depends_on=("territory", "contracts", "findings"))
def fix_rate(request):
    municipality = _municipality(request)
    return render(
        request,
        "findings/fix_rate.html",
        {
            "directorates": selectors.fix_rate_by_directorate(municipality=municipality),
            "companies": selectors.fix_rate_by_company(municipality=municipality),
        },
    )
