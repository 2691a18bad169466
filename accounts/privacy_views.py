import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from .arco import Subject, arco_request_create, personal_data_export
from .forms import ArcoRequestForm, ComplaintArcoRequestForm
from .models import ArcoRequest


@require_GET
def privacy_notice(request):
    return render(request, "accounts/privacy.html")


@never_cache
@login_required
@require_GET
def my_data(request):
    return render(
        request,
        "accounts/my_data.html",
        {
            "form": ArcoRequestForm(),
            "arco_requests": ArcoRequest.objects.filter(user=request.user),
        },
    )


@never_cache
@login_required
@require_GET
def my_data_download(request):
    data = personal_data_export(subject=Subject.for_user(request.user))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@never_cache
@login_required
@require_http_methods(["POST"])
def arco_request(request):
    form = ArcoRequestForm(request.POST)
    if form.is_valid():
        arco_request_create(
            user=request.user,
            municipality=request.municipality,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Your request was received; staff will answer it."))
        return redirect("privacy:my_data")
    return render(
        request,
        "accounts/my_data.html",
        {"form": form, "arco_requests": ArcoRequest.objects.filter(user=request.user)},
        status=400,
    )


@require_http_methods(["GET", "POST"])
def complaint_request(request):
    form = ComplaintArcoRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if is_ratelimited(request, group="arco", key="ip", rate="10/h", increment=True):
            form.add_error(None, _("Too many requests; try again later."))
            status = 429
        elif form.is_valid():
            try:
                arco_request_create(
                    municipality=request.municipality,
                    complaint_code=form.cleaned_data["complaint_code"],
                    email=form.cleaned_data["email"],
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your request was received; staff will answer it."))
                return redirect("privacy:notice")
    return render(request, "accounts/complaint_request.html", {"form": form}, status=status)
