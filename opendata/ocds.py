"""Contracts as OCDS 1.1 releases: the contract, its sites, obligations and what citizens found.

One release per contract, built from rows the selectors read in a bounded number of queries
(``opendata.selectors.ocds_evidence``). The release ``id`` is the ocid plus a hash of the
release's content, and its ``date`` the latest change behind it (the contract, its findings, its
documents, the cards filed on its sites), so any change shows as a new release.

Monthly delivery per site (``implementation.milestones``), for each month from the contract's
start to today (or its end) and each covered public space, for the contract's service:

- ``notMet``: a finding of type *unreported failure* or *contradiction with a work log* was raised
  on the site that month and is not fixed (not resolved nor verified);
- ``partiallyMet``: otherwise, some card filed that month had failing answers, or a finding was
  raised (of any type, or fixed since);
- ``met``: otherwise, at least one card was filed that month and none failed;
- left out: no card and no finding, the month was not assessed. The milestone status codelist
  has no "not assessed" code, and ``scheduled`` would wrongly say a past month is still to come.

Service areas (garbage routes, lighting sectors) are items too, but cards are filed about
public spaces only, so they carry no milestones.

Citizens' published reviews of the contract (``reviews.ocds``) are documents of the
implementation, and their observations the observations of one implementation metric each.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contract
from contracts.selectors import company_public_contact
from reviews.ocds import PublishedReview, review_documents, review_metrics
from territory.models import Municipality

DEFAULT_OCID_PREFIX = "ocds-villaguard"
OCDS_VERSION = "1.1"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
CURRENCY = "MXN"
# contracts.selectors.company_public_contact's keys → OCDS ContactPoint fields.
OCDS_CONTACT_FIELDS = {"name": "name", "email": "email", "phone": "telephone"}

# The extension.json of each extension in shared/standards/ocds. The *.meta.json files there
# carry no URL of their extension.json, only a documentation URL: these are the raw files of the
# repositories those documentation URLs name (the metrics extension names none; it lives in the
# open-contracting-extensions organisation like the others).
EXTENSIONS = {
    "location": "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_location_extension/master/extension.json",
    "metrics": "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_metrics_extension/master/extension.json",
    "performance_failures": "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_performance_failures/master/extension.json",
    "contract_completion": "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_contract_completion_extension/master/extension.json",
    "implementationStatus": "https://raw.githubusercontent.com/INAImexico/"
    "ocds_implementationStatus_extension/master/extension.json",
    "surveillanceMechanisms": "https://raw.githubusercontent.com/INAImexico/"
    "ocds_surveillanceMechanisms_extension/master/extension.json",
}

# The names Mexican procurement law gives the methods. Data, not interface text: published in
# Spanish whatever the reader's language, as Mexico's OCDS publishers do.
PROCUREMENT_METHOD_DETAILS = {
    Contract.ProcurementMethod.OPEN: "Licitación pública",
    Contract.ProcurementMethod.SELECTIVE: "Invitación a cuando menos tres personas",
    Contract.ProcurementMethod.DIRECT: "Adjudicación directa",
}
CONTRACT_STATUS = {
    Contract.Status.PLANNED: "pending",
    Contract.Status.ACTIVE: "active",
    Contract.Status.ENDED: "terminated",
}
IMPLEMENTATION_STATUS = {
    Contract.Status.PLANNED: "planning",
    Contract.Status.ACTIVE: "ongoing",
    Contract.Status.ENDED: "concluded",
}
# Findings that say the service was not delivered (as opposed to an overdue obligation).
DELIVERY_FAILURE_KINDS = ("unreported", "contradiction")
FIXED_FINDING_STATUSES = ("resolved", "verified")


def ocid_prefix() -> str:
    return getattr(settings, "OCDS_OCID_PREFIX", DEFAULT_OCID_PREFIX)


def contract_ocid(contract: Contract, municipality: Municipality) -> str:
    return f"{ocid_prefix()}-{municipality.inegi_code}-{contract.pk}"


@dataclass
class SiteMonth:
    cards: int = 0
    failing_cards: int = 0
    findings: int = 0
    unfixed_delivery_failures: int = 0

    @property
    def status(self) -> str | None:
        if self.unfixed_delivery_failures:
            return "notMet"
        if self.failing_cards or self.findings:
            return "partiallyMet"
        if self.cards:
            return "met"
        return None


@dataclass
class Evidence:
    """What the cards and findings say about a set of contracts, read by the selectors."""

    # (contract id, space id, first of month) -> cards, failing cards, last submitted: each card
    # counted for the contract in force on its space and service that day
    # (contracts.querysets.ContractQuerySet.in_force)
    cards: dict[tuple[int, int, datetime.date], tuple[int, int, datetime.datetime]] = field(
        default_factory=dict
    )
    # (space id, service type id) -> when its last card was submitted
    last_card: dict[tuple[int, int], datetime.datetime] = field(default_factory=dict)
    # contract id -> finding rows (dicts)
    findings: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))
    # contract id -> its published citizens' reviews (reviews.ocds)
    reviews: dict[int, list[PublishedReview]] = field(default_factory=dict)


def _datetime(day: datetime.date, end_of_day: bool = False) -> str:
    moment = datetime.datetime.combine(day, datetime.time.max if end_of_day else datetime.time.min)
    moment = timezone.make_aware(moment.replace(microsecond=0))
    return moment.isoformat()


def _timestamp(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def _amount(value: Decimal) -> float:
    return float(value)


def _buyer(municipality: Municipality) -> dict:
    return {"id": f"MX-INEGI-{municipality.inegi_code}", "name": municipality.name}


def _parties(contract: Contract, municipality: Municipality) -> list[dict]:
    buyer = {
        **_buyer(municipality),
        "identifier": {
            "scheme": "MX-INEGI",
            "id": municipality.inegi_code,
            "legalName": _("Municipality of %(name)s") % {"name": municipality.name},
        },
        "address": {"locality": municipality.name, "region": municipality.state},
        "roles": ["buyer"],
    }
    if municipality.website:
        buyer["identifier"]["uri"] = municipality.website
    directorate = contract.directorate
    procuring = {
        "id": f"{buyer['id']}-DIR-{directorate.pk}",
        "name": directorate.name,
        "contactPoint": {"name": directorate.name, "email": directorate.email},
        "roles": ["procuringEntity"],
    }
    if directorate.phone:
        procuring["contactPoint"]["telephone"] = directorate.phone
    company = contract.company
    supplier = {
        "id": _supplier_id(contract),
        "name": company.legal_name,
        "roles": ["supplier"],
    }
    if company.rfc:
        supplier["identifier"] = {
            "scheme": "MX-RFC",
            "id": company.rfc,
            "legalName": company.legal_name,
        }
    if company.address:
        supplier["address"] = {"streetAddress": company.address}
    # The contact person, e-mail and phone only when the company made them public.
    contact = company_public_contact(company)
    if contact:
        supplier["contactPoint"] = {
            OCDS_CONTACT_FIELDS[key]: value for key, value in contact.items()
        }
    return [buyer, procuring, supplier]


def _supplier_id(contract: Contract) -> str:
    company = contract.company
    return f"MX-RFC-{company.rfc}" if company.rfc else f"company-{company.pk}"


def _value(contract: Contract) -> dict | None:
    if contract.total_amount is None:
        return None
    return {"amount": _amount(contract.total_amount), "currency": CURRENCY}


def _description(contract: Contract) -> str:
    # Neither the release schema nor the extensions used here define valueAddedTaxIncluded
    # (that is the separate "Value added tax" extension), so the description says it.
    vat = (
        _("The amounts include VAT (IVA).")
        if contract.amounts_include_vat
        else _("The amounts do not include VAT (IVA).")
    )
    parts = [contract.description.strip(), vat]
    if contract.monthly_amount is not None:
        parts.append(
            _("Monthly amount: %(amount)s MXN.") % {"amount": f"{contract.monthly_amount:,.2f}"}
        )
    if contract.lot:
        parts.append(_("Lot: %(lot)s.") % {"lot": contract.lot})
    return " ".join(part for part in parts if part)


def _items(contract: Contract) -> list[dict]:
    items, seen = [], set()
    for kind, site in [("space", s) for s in contract.spaces.all()] + [
        ("area", a) for a in contract.service_areas.all()
    ]:
        item_id = site.code if site.code not in seen else f"{kind}-{site.code}"
        seen.add(item_id)
        item = {
            "id": item_id,
            "description": site.name,
            "quantity": 1,
            "deliveryLocation": {"description": site.name},
        }
        if getattr(site, "geojson", None):
            item["deliveryLocation"]["geometry"] = json.loads(site.geojson)
        items.append(item)
    return items


def _metrics(contract: Contract) -> list[dict]:
    metrics = []
    for obligation in contract.obligations.all():
        observations = []
        if obligation.frequency_days:
            observations.append(
                {
                    "id": f"obligation-{obligation.pk}-frequency",
                    "measure": obligation.frequency_days,
                    "unit": {"name": "days"},
                    "notes": _("Every %(days)s days.") % {"days": obligation.frequency_days},
                }
            )
        if obligation.response_time_hours:
            observations.append(
                {
                    "id": f"obligation-{obligation.pk}-response",
                    "measure": obligation.response_time_hours,
                    "unit": {"name": "hours"},
                    "notes": _("Answered within %(hours)s hours.")
                    % {"hours": obligation.response_time_hours},
                }
            )
        metric = {
            "id": f"obligation-{obligation.pk}",
            "title": obligation.task,
            "observations": observations,
        }
        if obligation.notes:
            metric["description"] = obligation.notes
        metrics.append(metric)
    return metrics


def _site_months(contract: Contract, evidence: Evidence, today: datetime.date):
    """(space, month) -> SiteMonth for the months of the contract up to today."""
    last = min(today, contract.end_date)
    months = set(_months(contract.start_date, last)) if contract.start_date <= last else set()
    per_site: dict[tuple[int, datetime.date], SiteMonth] = defaultdict(SiteMonth)
    for space in contract.spaces.all():
        for month in months:
            counts = evidence.cards.get((contract.pk, space.pk, month))
            if counts:
                per_site[space.pk, month].cards += counts[0]
                per_site[space.pk, month].failing_cards += counts[1]
    space_ids = {space.pk for space in contract.spaces.all()}
    for finding in evidence.findings.get(contract.pk, ()):
        month = finding["period_start"].replace(day=1)
        if finding["space_id"] not in space_ids or month not in months:
            continue
        site = per_site[finding["space_id"], month]
        site.findings += 1
        if (
            finding["kind"] in DELIVERY_FAILURE_KINDS
            and finding["status"] not in FIXED_FINDING_STATUSES
        ):
            site.unfixed_delivery_failures += 1
    return per_site


def _milestones(contract: Contract, evidence: Evidence, today: datetime.date) -> list[dict]:
    per_site = _site_months(contract, evidence, today)
    milestones = []
    for space in contract.spaces.all():
        for month in sorted(m for (pk, m) in per_site if pk == space.pk):
            site = per_site[space.pk, month]
            status = site.status
            if status is None:
                continue
            milestones.append(
                {
                    "id": f"{space.code}-{month:%Y-%m}",
                    "title": _("Service delivered at %(site)s in %(month)s")
                    % {"site": space.code, "month": f"{month:%Y-%m}"},
                    "type": "delivery",
                    "description": _(
                        "%(cards)s citizen cards (%(failing)s with failures) and %(findings)s "
                        "findings about %(name)s."
                    )
                    % {
                        "cards": site.cards,
                        "failing": site.failing_cards,
                        "findings": site.findings,
                        "name": space.name,
                    },
                    "dueDate": _datetime(min(_month_end(month), contract.end_date), True),
                    "status": status,
                }
            )
    return milestones


def _performance_failures(contract: Contract, evidence: Evidence, kinds: dict) -> list[dict]:
    failures = []
    for finding in evidence.findings.get(contract.pk, ()):
        about = finding["item_text"] or finding["obligation__task"] or ""
        where = finding["space__code"] or ""
        category = " · ".join(
            part
            for part in (str(kinds.get(finding["kind"], finding["kind"])), about, where)
            if part
        )
        failures.append(
            {
                "id": f"finding-{finding['id']}",
                "period": {
                    "startDate": _datetime(finding["period_start"]),
                    "endDate": _datetime(finding["period_end"], True),
                },
                "category": category,
                "events": 1,
                "penaltyImposed": None,
                "penaltyPaid": None,
            }
        )
    return failures


def _documents(contract: Contract, absolute: Callable[[str], str]) -> list[dict]:
    documents = [
        {
            "id": "portal-page",
            "documentType": "contractNotice",
            "title": _("Contract page on the citizen portal"),
            "url": absolute(contract.get_absolute_url()),
            "format": "text/html",
        }
    ]
    for document in contract.documents.all():
        documents.append(
            {
                "id": f"document-{document.pk}",
                "documentType": "contractSigned",
                "title": document.title,
                "url": absolute(document.file.url),
                "datePublished": _timestamp(document.uploaded_at),
                "format": "application/pdf",
                "language": "es",
            }
        )
    return documents


def _latest_change(contract: Contract, evidence: Evidence) -> datetime.datetime:
    moments = [contract.updated_at]
    moments += [finding["updated_at"] for finding in evidence.findings.get(contract.pk, ())]
    moments += [document.uploaded_at for document in contract.documents.all()]
    for space in contract.spaces.all():
        moments.append(evidence.last_card.get((space.pk, contract.service_type_id)))
    moments += [review.published_at for review in evidence.reviews.get(contract.pk, ())]
    return max(moment for moment in moments if moment is not None)


def contract_release(
    *,
    contract: Contract,
    municipality: Municipality,
    evidence: Evidence,
    absolute: Callable[[str], str],
    today: datetime.date | None = None,
) -> dict:
    """The OCDS release of one contract (see the module's docstring for the milestones)."""
    from findings.models import Finding

    today = today or timezone.localdate()
    ocid = contract_ocid(contract, municipality)
    status = contract.status_on(today)
    period = {
        "startDate": _datetime(contract.start_date),
        "endDate": _datetime(contract.end_date, True),
    }
    supplier = {"id": _supplier_id(contract), "name": contract.company.legal_name}
    procuring = {
        "id": f"{_buyer(municipality)['id']}-DIR-{contract.directorate_id}",
        "name": contract.directorate.name,
    }
    title = contract.title or contract.number
    value = _value(contract)
    award = {
        "id": f"{ocid}-award",
        "title": title,
        "status": "active",
        "suppliers": [supplier],
        "contractPeriod": period,
    }
    if value:
        award["value"] = value
    implementation: dict = {
        "status": IMPLEMENTATION_STATUS[status],
        "milestones": _milestones(contract, evidence, today),
    }
    failures = _performance_failures(contract, evidence, dict(Finding.Kind.choices))
    if failures:  # the extension asks for at least one when the field is there
        implementation["performanceFailures"] = failures
    # Citizens' published reviews: documents of the implementation, their observations as
    # the observations of one metric each (reviews.ocds).
    reviews = evidence.reviews.get(contract.pk, [])
    if reviews:
        implementation["documents"] = review_documents(
            reviews, page_url=contract.get_absolute_url(), absolute=absolute
        )
        implementation["metrics"] = review_metrics(reviews)
    if status == Contract.Status.ENDED:
        implementation["endDate"] = period["endDate"]
    ocds_contract = {
        "id": contract.number,
        "awardID": award["id"],
        "title": title,
        "description": _description(contract),
        "status": CONTRACT_STATUS[status],
        "period": period,
        "items": _items(contract),
        "agreedMetrics": _metrics(contract),
        "documents": _documents(contract, absolute),
        "implementation": implementation,
        "surveillanceMechanisms": ["citizenComptroller"],
    }
    if value:
        ocds_contract["value"] = value
    # The schema wants arrays non-empty when present (items has minItems 1): leave empty ones out.
    for key in ("items", "agreedMetrics"):
        if not ocds_contract[key]:
            del ocds_contract[key]
    if not implementation["milestones"]:
        del implementation["milestones"]
    release = {
        "ocid": ocid,
        "tag": ["tender", "award", "contract", "implementation"],
        "initiationType": "tender",
        "language": "es",
        "parties": _parties(contract, municipality),
        "buyer": _buyer(municipality),
        "tender": {
            "id": f"{ocid}-tender",
            "title": title,
            "status": "complete",
            "procuringEntity": procuring,
            "procurementMethod": contract.procurement_method,
            "procurementMethodDetails": PROCUREMENT_METHOD_DETAILS[contract.procurement_method],
            "mainProcurementCategory": "services",
            "contractPeriod": period,
        },
        "awards": [award],
        "contracts": [ocds_contract],
    }
    digest = hashlib.sha256(
        json.dumps(release, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:16]
    release["id"] = f"{ocid}-{digest}"
    release["date"] = _timestamp(_latest_change(contract, evidence))
    return release


def release_package(
    *,
    municipality: Municipality,
    releases: Iterable[dict],
    uri: str,
    policy_url: str,
    links: dict | None = None,
) -> dict:
    releases = list(releases)
    published = max((r["date"] for r in releases), default=None) or _timestamp(timezone.now())
    publisher = {
        "name": municipality.name,
        "scheme": "MX-INEGI",
        "uid": municipality.inegi_code,
    }
    if municipality.website:
        publisher["uri"] = municipality.website
    package = {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS.values()),
        "publishedDate": published,
        "publisher": publisher,
        "license": LICENSE_URL,
        "publicationPolicy": policy_url,
        "releases": releases,
    }
    if links:
        package["links"] = links  # as the OCDS pagination extension names them
    return package
