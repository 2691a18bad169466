"""Follow a place by e-mail: sign-up, confirmation, unsubscribe. Views parse input, call a
selector or a service and render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from .forms import FollowForm
from .selectors import (
    area_place,
    colonia_place,
    space_place,
    subscription_by_token,
    subscription_place,
)
from .services import (
    subscription_cancel,
    subscription_confirm,
    subscription_request,
    subscription_request_read,
    subscriptions_cancel_all,
)


def _municipality(request):
    municipality = getattr(request, "municipality", None)
    if municipality is None:
        raise Http404(_("No municipality is served at this address."))
    return municipality


def follow_rate(group, request) -> str:
    """Read at call time, so that tests and deployments can change it."""
    return getattr(settings, "ALERTS_FOLLOW_RATE", "10/h")


def _follow(request, place, *, services=None):
    if place is None:
        raise Http404(_("There is no such place to follow."))
    status = 200
    if request.method == "POST":
        if is_ratelimited(
            request,
            group="alerts:follow",
            key="ip",
            rate=follow_rate,
            method="POST",
            increment=True,
        ):
            return render(request, "alerts/429.html", {"place": place}, status=429)
        form = FollowForm(request.POST, services=services)
        if form.is_valid():
            chosen = form.cleaned_data.get("service")
            if chosen is not None:
                place = colonia_place(
                    municipality=request.municipality, pk=place.colonia.pk, service_code=chosen.code
                )
            try:
                subscription_request(
                    place=place, email=form.cleaned_data["email"], language=get_language() or ""
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The same message for every address: the page tells no one who follows what.
                messages.success(
                    request,
                    _(
                        "Check your e-mail: we sent you a link to confirm that you want to "
                        "follow %(place)s. Nothing is saved until you confirm."
                    )
                    % {"place": place.name},
                )
                return redirect(place.page_url)
        status = 400
    else:
        form = FollowForm(services=services)
    return render(request, "alerts/follow.html", {"place": place, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def follow_space(request, code):
    return _follow(request, space_place(municipality=_municipality(request), code=code))


@require_http_methods(["GET", "POST"])
def follow_area(request, pk):
    return _follow(request, area_place(municipality=_municipality(request), pk=pk))


@require_http_methods(["GET", "POST"])
def follow_colonia(request, pk):
    municipality = _municipality(request)
    return _follow(
        request,
        colonia_place(municipality=municipality, pk=pk),
        services=FollowForm.colonia_services(municipality),
    )


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The link of the confirmation e-mail. GET only shows a button (mail scanners open
    links): the subscription is created by the POST."""
    municipality = _municipality(request)
    try:
        place, _payload = subscription_request_read(municipality=municipality, token=token)
    except ValidationError as error:
        return render(
            request, "alerts/confirm_invalid.html", {"error": error.messages[0]}, status=400
        )
    if request.method == "POST":
        subscription_confirm(municipality=municipality, token=token)
        messages.success(
            request,
            _(
                "Confirmed: you follow %(place)s. We will e-mail you at most one digest a day "
                "when something changes there; every e-mail has a link to stop."
            )
            % {"place": place.name},
        )
        return redirect(place.page_url)
    return render(request, "alerts/confirm.html", {"place": place})


@csrf_exempt  # RFC 8058: the mail client POSTs with no form; the secret token authorises it
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """One place's unsubscribe link: GET asks to confirm, POST (one click) removes it."""
    subscription = subscription_by_token(municipality=_municipality(request), token=token)
    if subscription is None:
        raise Http404(_("This link is no longer valid: you do not follow this place."))
    place = subscription_place(subscription)
    if request.method == "POST":
        subscription_cancel(subscription=subscription)
        return render(request, "alerts/unsubscribed.html", {"place": place})
    return render(request, "alerts/unsubscribe.html", {"place": place})


@csrf_exempt  # RFC 8058, as above: the List-Unsubscribe header's one-click POST
@require_http_methods(["GET", "POST"])
def unsubscribe_all(request, token):
    """The digest's List-Unsubscribe link: stop every alert of the address."""
    subscription = subscription_by_token(municipality=_municipality(request), token=token)
    if subscription is None:
        raise Http404(_("This link is no longer valid: this address follows no place."))
    if request.method == "POST":
        subscriptions_cancel_all(subscription=subscription)
        return render(request, "alerts/unsubscribed.html", {"place": None})
    return render(request, "alerts/unsubscribe.html", {"place": None})
