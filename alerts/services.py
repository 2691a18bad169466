"""Writes of the alerts app: sign-up (double opt-in), unsubscribe, and the daily digests.

Nothing is stored when someone asks to follow a place: they are e-mailed a signed link
(``core.tokens``) carrying the request, and the subscription is created only when they open it
and press "Confirm" (a mail scanner that opens the link creates nothing). Every digest carries
a one-click unsubscribe link (RFC 8058) for the address and one link per place.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.outbox import enqueue_or_run_on_commit
from core.tokens import token_make, token_read
from territory.models import Municipality

from .constants import CONFIRM_SALT
from .models import DigestDelivery, Subscription
from .selectors import (
    Place,
    place_events,
    place_from_key,
    subscription_place,
    subscriptions_of,
)

logger = logging.getLogger(__name__)


class DigestsFailed(OSError):
    """Some digests could not be sent: an OSError, so the task retries (the ones sent are not
    sent again)."""


def _clean_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from error
    return email


# --- Sign-up --------------------------------------------------------------------------------


def subscription_request(*, place: Place, email: str, language: str = "") -> str:
    """Asks to follow ``place``: e-mails a confirmation link (after the commit) and stores
    nothing. Returns the link's token."""
    email = _clean_email(email)
    token = token_make(
        {"m": place.municipality_id, "e": email, "l": language, **place.key()}, salt=CONFIRM_SALT
    )
    enqueue_or_run_on_commit("alerts.tasks.send_confirmation_task", token)
    return token


def subscription_request_read(*, municipality: Municipality, token: str) -> tuple[Place, dict]:
    """The place and the request a confirmation token carries, or ValidationError if it is
    forged, expired, another municipality's or its place is gone."""
    payload = token_read(token, salt=CONFIRM_SALT)
    if payload is None or payload.get("m") != municipality.pk:
        raise ValidationError(_("This confirmation link is not valid or has expired."))
    place = place_from_key(municipality=municipality, key=payload)
    if place is None:
        raise ValidationError(_("The place of this confirmation link no longer exists."))
    return place, payload


def confirmation_send(*, token: str) -> bool:
    """E-mails the confirmation link a request's token makes (the task's work)."""
    payload = token_read(token, salt=CONFIRM_SALT)
    if payload is None or not isinstance(payload.get("m"), int):
        return False
    municipality = Municipality.objects.filter(pk=payload["m"]).first()
    if municipality is None:
        return False
    place = place_from_key(municipality=municipality, key=payload)
    if place is None:
        return False
    url = municipality.absolute_url(reverse("alerts:confirm", kwargs={"token": token}))
    with translation.override(payload.get("l") or settings.LANGUAGE_CODE):
        subject = _("Confirm that you want to follow %(place)s") % {"place": place.name}
        body = render_to_string(
            "alerts/email/confirm.txt",
            {"place": place, "url": url, "municipality": municipality},
        )
    EmailMessage(str(subject), body, None, [payload["e"]]).send()
    return True


@transaction.atomic
def subscription_confirm(*, municipality: Municipality, token: str) -> tuple[Subscription, bool]:
    """Creates the subscription a confirmation token asks for (the POST of its page).
    Confirming twice changes nothing: returns the existing row and False."""
    place, payload = subscription_request_read(municipality=municipality, token=token)
    fields = place.subscription_fields()
    try:
        with transaction.atomic():
            return Subscription.objects.get_or_create(
                municipality=municipality,
                email=payload["e"],
                **fields,
                defaults={"language": payload.get("l") or "", "confirmed_at": timezone.now()},
            )
    except IntegrityError:  # the same link confirmed twice at once: the other one won
        return Subscription.objects.get(
            municipality=municipality, email=payload["e"], **fields
        ), False


def subscription_cancel(*, subscription: Subscription) -> None:
    Subscription.objects.filter(pk=subscription.pk).delete()


def subscriptions_cancel_all(*, subscription: Subscription) -> int:
    """Removes every subscription of the address that ``subscription`` belongs to (the
    digest's List-Unsubscribe link names one of them: no address in the URL)."""
    deleted, _rows = Subscription.objects.filter(
        municipality_id=subscription.municipality_id, email=subscription.email
    ).delete()
    return deleted


# --- Digests --------------------------------------------------------------------------------


def digests_send(*, now: datetime.datetime | None = None) -> int:
    """The daily job: one digest to each address with changes at the places it follows since
    its last digest, at most one a day (see :class:`DigestDelivery`). Returns how many were
    sent. An address whose digest fails is left for a retry, which sends only what is still
    unsent today; then DigestsFailed is raised so that the task retries."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    sent_today = DigestDelivery.objects.filter(day=day).values("municipality_id", "email")
    addresses = (
        Subscription.objects.order_by("municipality_id", "email")
        .values_list("municipality_id", "email")
        .distinct()
    )
    done = {(row["municipality_id"], row["email"]) for row in sent_today}
    sent = failed = 0
    for municipality_id, email in addresses:
        if (municipality_id, email) in done:
            continue
        try:
            sent += int(digest_send(municipality_id=municipality_id, email=email, now=now))
        except OSError:  # SMTP errors: this address waits for the retry
            logger.exception("Digest to subscriber of municipality %s not sent", municipality_id)
            failed += 1
    if failed:
        raise DigestsFailed(f"{failed} digests not sent")
    return sent


@transaction.atomic
def digest_send(*, municipality_id: int, email: str, now: datetime.datetime) -> bool:
    """The digest of one address for ``now``'s day, if it has not had one that day and
    something changed. The delivery row is written, then the e-mail sent, in one transaction:
    a failed send leaves no row (the changes wait for the next run), and a second run, even at
    the same time, finds the row (or waits for it, then fails to insert its own) and sends
    nothing."""
    day = timezone.localdate(now)
    deliveries = DigestDelivery.objects.filter(municipality_id=municipality_id, email=email)
    if deliveries.filter(day=day).exists():
        return False
    last = deliveries.order_by("-period_end").values_list("period_end", flat=True).first()
    subscriptions = list(subscriptions_of(municipality_id=municipality_id, email=email))
    if not subscriptions:
        return False
    sections = []
    for subscription in subscriptions:
        since = max(subscription.confirmed_at, last) if last else subscription.confirmed_at
        place = subscription_place(subscription)
        events = place_events(place, since=since, until=now)
        if events:
            sections.append((subscription, place, events))
    if not sections:
        return False
    municipality = Municipality.objects.get(pk=municipality_id)
    try:
        with transaction.atomic():
            DigestDelivery.objects.create(
                municipality=municipality,
                email=email,
                day=day,
                period_start=min(s.confirmed_at for s in subscriptions) if last is None else last,
                period_end=now,
                items=sum(len(events) for _s, _p, events in sections),
                sent_at=timezone.now(),
            )
    except IntegrityError:  # another run sent it
        return False
    _digest_message(
        municipality=municipality,
        email=email,
        sections=sections,
        now=now,
        address_token=subscriptions[0].token,
    ).send()
    return True


def _digest_message(
    *,
    municipality: Municipality,
    email: str,
    sections: list,
    now: datetime.datetime,
    address_token: uuid.UUID,
) -> EmailMessage:
    unsubscribe_all = municipality.absolute_url(
        reverse("alerts:unsubscribe_all", kwargs={"token": address_token})
    )
    language = sections[0][0].language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("What changed at the places you follow in %(municipality)s") % {
            "municipality": municipality.name
        }
        body = render_to_string(
            "alerts/email/digest.txt",
            {
                "municipality": municipality,
                "day": timezone.localdate(now),
                "sections": [
                    {
                        "place": place,
                        "page": municipality.absolute_url(place.page_url),
                        "feed": municipality.absolute_url(place.feed_url),
                        "events": [
                            {"event": e, "url": municipality.absolute_url(e.url)} for e in events
                        ],
                        "unsubscribe": municipality.absolute_url(
                            reverse("alerts:unsubscribe", kwargs={"token": s.token})
                        ),
                    }
                    for s, place, events in sections
                ],
                "unsubscribe_all": unsubscribe_all,
            },
        )
    headers = {}
    if unsubscribe_all.startswith("https"):
        # RFC 2369 and RFC 8058: the mail client's own "unsubscribe" button, one POST.
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_all}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return EmailMessage(str(subject), body, None, [email], headers=headers)
