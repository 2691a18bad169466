"""The statistics pages of the workspace: an index, one page per statistic (chart, table,
filters) and its CSV. Municipal staff and administrators see the municipality's figures,
directorate staff their directorate's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.constants import Role
from accounts.selectors import staff_role_for
from core.outbox import enqueue_on_commit
from core.spreadsheets import csv_writer

from .charts import bar_chart
from .forms import BY_LABELS, StatisticsFilterForm
from .registry import MONTH, SUBJECT, Statistic
from .selectors import Scope, figures, last_refresh, visible_statistics

READERS = (Role.ADMINISTRATOR, Role.MUNICIPAL_STAFF, Role.DIRECTORATE_STAFF)


def _scope(request) -> tuple[Scope | None, Role | None]:
    """The request's scope, or None with no role that reads statistics."""
    municipality = getattr(request, "municipality", None)
    role = staff_role_for(request.user, municipality)
    if municipality is None or role not in READERS:
        return None, role
    directorate_id = request.user.directorate_id if role == Role.DIRECTORATE_STAFF else None
    return Scope(municipality=municipality, directorate_id=directorate_id), role


def _guard(request):
    if not request.user.is_authenticated:
        return None, None, redirect_to_login(request.get_full_path())
    scope, role = _scope(request)
    if scope is None:
        raise PermissionDenied
    return scope, role, None


def _statistic(scope: Scope, key: str) -> Statistic:
    for statistic in visible_statistics(scope):
        if statistic.key == key:
            return statistic
    raise Http404


@require_GET
def index(request):
    scope, role, response = _guard(request)
    if response:
        return response
    return render(
        request,
        "workspace/statistics/index.html",
        {
            "statistics": visible_statistics(scope),
            "refresh": last_refresh(scope.municipality),
            "can_refresh": role != Role.DIRECTORATE_STAFF,
        },
    )


def _figures(request, scope: Scope, statistic: Statistic):
    form = StatisticsFilterForm(request.GET or None, statistic=statistic, scope=scope)
    if form.is_bound:
        form.is_valid()  # errors are shown; the valid filters still apply
    filters, by = form.filters_and_by()
    return form, figures(statistic=statistic, scope=scope, filters=filters, by=by)


def _by_label(statistic: Statistic, by: str):
    return statistic.subject_label if by == SUBJECT else BY_LABELS[by]


@require_GET
def detail(request, key: str):
    scope, role, response = _guard(request)
    if response:
        return response
    statistic = _statistic(scope, key)
    form, result = _figures(request, scope, statistic)
    return render(
        request,
        "workspace/statistics/detail.html",
        {
            "statistic": statistic,
            "form": form,
            "figures": result,
            "chart": bar_chart(result),
            "by_label": _by_label(statistic, result.by),
            "query": request.GET.urlencode(),
            "statistics": visible_statistics(scope),
            "refresh": last_refresh(scope.municipality),
        },
    )


@require_GET
def detail_csv(request, key: str):
    scope, role, response = _guard(request)
    if response:
        return response
    statistic = _statistic(scope, key)
    _form, result = _figures(request, scope, statistic)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{statistic.key}-{result.by}.csv"'
    writer = csv_writer(response)
    writer.writerow([result.by, "name", *(str(series.label) for series in result.series)])
    for row in result.rows:
        key_cell = row.key.strftime("%Y-%m") if result.by == MONTH and row.key else row.key
        writer.writerow(["" if key_cell is None else key_cell, row.label, *_cells(row.values)])
    writer.writerow(["", str(result.total.label), *_cells(result.total.values)])
    return response


def _cells(values):
    return ["" if value is None else value for value in values]


@require_POST
def refresh(request):
    scope, role, response = _guard(request)
    if response:
        return response
    if role == Role.DIRECTORATE_STAFF:
        raise PermissionDenied
    enqueue_on_commit("workspace.tasks.refresh_statistics", scope.municipality.pk)
    messages.success(request, _("The statistics are being recomputed."))
    return redirect("workspace:statistics:index")
