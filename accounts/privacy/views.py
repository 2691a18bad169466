import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from core.pagecache import public_page_cache

from ..models import ArcoRequest
from .arco import (
    Subject,
    arco_request_create,
    complaint_request_confirm,
    complaint_request_read,
    complaint_request_send,
    email_confirmation_read,
    email_confirmation_send,
    personal_data_export,
)
from .forms import ArcoRequestForm, ComplaintArcoRequestForm

# The session keeps the token of the followed confirmation link (never the bare address), so
# it is checked again, with its expiry, each time it is used.
CONFIRMATION_SESSION_KEY = "arco_email_confirmation"


def _confirmed_email(request) -> str:
    """The account's address, if its owner followed a confirmation link for this
    municipality that is still good; else an empty string."""
    token = request.session.get(CONFIRMATION_SESSION_KEY, "")
    if not token:
        return ""
    try:
        return email_confirmation_read(token, user=request.user, municipality=request.municipality)
    except ValidationError:
        return ""


def _link_refused(request, error: ValidationError):
    return render(
        request, "accounts/arco_link_invalid.html", {"errors": error.messages}, status=400
    )


def _my_data_page(request, form, *, status=200):
    return render(
        request,
        "accounts/my_data.html",
        {
            "form": form,
            "arco_requests": ArcoRequest.objects.filter(user=request.user),
            "confirmed_email": _confirmed_email(request),
        },
        status=status,
    )


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=("territory",))
def privacy_notice(request):
    return render(request, "accounts/privacy.html")


@never_cache
@login_required
@require_GET
def my_data(request):
    return _my_data_page(request, ArcoRequestForm())


@never_cache
@login_required
@require_GET
def my_data_download(request):
    subject = Subject.for_user(
        request.user,
        municipality=request.municipality,
        confirmed_email=_confirmed_email(request),
    )
    data = personal_data_export(subject=subject)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@never_cache
@login_required
@require_http_methods(["POST"])
def email_confirm_send(request):
    if is_ratelimited(request, group="arco-email", key="user", rate="5/h", increment=True):
        messages.error(request, _("Too many requests; try again later."))
        return redirect("privacy:my_data")
    try:
        email_confirmation_send(
            user=request.user,
            municipality=request.municipality,
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("We sent a link to your e-mail address; follow it to add what was sent with it."),
        )
    return redirect("privacy:my_data")


@never_cache
@login_required
@require_GET
def email_confirm(request, token):
    try:
        email_confirmation_read(token, user=request.user, municipality=request.municipality)
    except ValidationError as error:
        return _link_refused(request, error)
    request.session[CONFIRMATION_SESSION_KEY] = token
    messages.success(
        request,
        _("Your e-mail address is confirmed: your data now includes what was sent with it."),
    )
    return redirect("privacy:my_data")


@never_cache
@login_required
@require_http_methods(["POST"])
def arco_request(request):
    form = ArcoRequestForm(request.POST)
    if form.is_valid():
        email_token = ""
        if _confirmed_email(request):
            email_token = request.session[CONFIRMATION_SESSION_KEY]
        arco_request_create(
            user=request.user,
            municipality=request.municipality,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
            email_token=email_token,
        )
        messages.success(request, _("Your request was received; staff will answer it."))
        return redirect("privacy:my_data")
    return _my_data_page(request, form, status=400)


@require_http_methods(["GET", "POST"])
@public_page_cache(depends_on=("territory",))
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
                complaint_request_send(
                    municipality=request.municipality,
                    complaint_code=form.cleaned_data["complaint_code"],
                    email=form.cleaned_data["email"],
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "We sent a link to the e-mail you reported with; your request is made "
                        "when you follow it."
                    ),
                )
                return redirect("privacy:notice")
    return render(request, "accounts/complaint_request.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_request_confirm_view(request, token):
    """The link sent to a reporter: a page that says what will be asked, and a button (so
    that a mail scanner that opens links makes no request)."""
    try:
        if request.method == "POST":
            complaint_request_confirm(token=token, municipality=request.municipality)
            messages.success(request, _("Your request was received; staff will answer it."))
            return redirect("privacy:notice")
        payload = complaint_request_read(token, municipality=request.municipality)
    except ValidationError as error:
        return _link_refused(request, error)
    context = {
        "complaint_code": payload["code"],
        "kind": ArcoRequest.Kind(payload["kind"]).label,
        "note": payload["note"],
    }
    return render(request, "accounts/complaint_request_confirm.html", context)
