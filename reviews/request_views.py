"""The staff's pages of the transparency requests: the list (overdue first when asked), a
request with its text, PDF and plain text to file, and the forms that record its folio, an
extension and the answer (``reviews.requests`` does the work)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from guardians.permissions import staff_required

from . import requests
from .request_forms import RequestAnswerForm, RequestFileForm
from .request_pdf import request_pdf


def _request_for(request, pk):
    return get_object_or_404(requests.requests_of(municipality=request.municipality), pk=pk)


@staff_required
@never_cache
@require_GET
def request_list(request):
    overdue = request.GET.get("overdue") == "1"
    rows = (
        requests.overdue_requests(municipality=request.municipality)
        if overdue
        else requests.requests_of(municipality=request.municipality)
    )
    return render(
        request,
        "reviews/requests/list.html",
        {"requests": rows, "overdue": overdue, "today": timezone.localdate()},
    )


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def request_detail(request, pk):
    transparency_request = _request_for(request, pk)
    file_form = RequestFileForm(prefix="file")
    answer_form = RequestAnswerForm(prefix="answer")
    action = request.POST.get("action")
    if request.method == "POST":
        try:
            if action == "file":
                file_form = RequestFileForm(request.POST, prefix="file")
                if file_form.is_valid():
                    requests.request_file(
                        request=transparency_request, user=request.user, **file_form.cleaned_data
                    )
                    messages.success(request, _("The filing is recorded; the deadline is set."))
                    return redirect(request.path)
            elif action == "extend":
                requests.request_extend(request=transparency_request, user=request.user)
                messages.success(request, _("The deadline is extended by 10 working days."))
                return redirect(request.path)
            elif action == "answer":
                answer_form = RequestAnswerForm(request.POST, request.FILES, prefix="answer")
                if answer_form.is_valid():
                    requests.request_answer(
                        request=transparency_request,
                        user=request.user,
                        **answer_form.cleaned_data,
                    )
                    messages.success(request, _("The answer is recorded."))
                    return redirect(request.path)
            else:
                messages.error(request, _("Choose what to record."))
        except ValidationError as invalid:
            form = file_form if action == "file" else answer_form
            if action == "extend" or not hasattr(invalid, "error_dict"):
                messages.error(request, " ".join(invalid.messages))
            else:
                form.add_error(None, invalid)
    return render(
        request,
        "reviews/requests/detail.html",
        {
            "transparency_request": transparency_request,
            "plain_text": requests.request_plain_text(transparency_request),
            "file_form": file_form,
            "answer_form": answer_form,
            "overdue": transparency_request.due_on is not None
            and transparency_request.status == "filed"
            and transparency_request.due_on < timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_GET
def request_document_pdf(request, pk):
    transparency_request = _request_for(request, pk)
    response = HttpResponse(request_pdf(transparency_request), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="solicitud-{transparency_request.pk}.pdf"'
    )
    return response


@staff_required
@require_GET
def request_document_text(request, pk):
    transparency_request = _request_for(request, pk)
    response = HttpResponse(
        requests.request_plain_text(transparency_request), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="solicitud-{transparency_request.pk}.txt"'
    )
    return response
