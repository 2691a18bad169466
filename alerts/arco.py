"""ARCO rights for alerts (see accounts.privacy.arco): the places the person follows with a
confirmed e-mail, and the digests sent to it, in the municipality asked. Cancelling removes
both: a subscription is nothing but the address and what it follows."""

from .models import DigestDelivery, Subscription
from .selectors import subscription_place


def _subscriptions(subject):
    return Subscription.objects.filter(subject.email_q("email"), municipality=subject.municipality)


def _digests(subject):
    return DigestDelivery.objects.filter(
        subject.email_q("email"), municipality=subject.municipality
    )


def export(subject) -> dict:
    data = {}
    following = [
        {
            "place": subscription_place(s).name,
            "email": s.email,
            "since": s.confirmed_at.isoformat(),
        }
        for s in _subscriptions(subject).select_related(
            "space", "area__service_type", "colonia", "service_type"
        )
    ]
    if following:
        data["following_places"] = following
    digests = [
        {"email": d.email, "day": d.day.isoformat(), "changes": d.items}
        for d in _digests(subject).order_by("day", "id")
    ]
    if digests:
        data["digests_sent"] = digests
    return data


def anonymise(subject) -> dict:
    subscriptions = list(_subscriptions(subject).values_list("pk", flat=True))
    Subscription.objects.filter(pk__in=subscriptions).delete()
    digests = list(_digests(subject).values_list("pk", flat=True))
    DigestDelivery.objects.filter(pk__in=digests).delete()
    return {
        Subscription._meta.label_lower: subscriptions,
        DigestDelivery._meta.label_lower: digests,
    }
