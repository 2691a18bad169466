"""Reads of the findings app: the inbox, a finding's evidence, fix rates and compliance."""

from __future__ import annotations

import dataclasses
import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from complaints.models import Complaint
from contracts.models import Company, Contract
from guardians.models import Card, CardAnswer, CardPhoto
from territory.models import Colonia, Directorate, Municipality, PublicSpace

from .constants import AWAITING_FIX
from .models import Finding, FindingEvent, KnownIssueAnswer, Message, WorkLog
from .reconcile import DEFAULT_WINDOW_DAYS, directorates_checked_since

# --- The inbox ----------------------------------------------------------------------------------


def inbox_findings(*, user: User | AnonymousUser, municipality: Municipality) -> QuerySet[Finding]:
    """The findings a user may read, ready for the list (no N+1)."""
    return (
        Finding.objects.visible_to(user, municipality)
        .for_list()
        .annotate(evidence_count=evidence_count())
        .order_by("-severity", "-created_at", "-id")
    )


def unread_message_count(*, user: User | AnonymousUser) -> int:
    if not user.is_authenticated:
        return 0
    return Message.objects.filter(user=user, read_at__isnull=True).count()


def user_messages(*, user: User) -> QuerySet[Message]:
    return Message.objects.filter(user=user).select_related("finding", "outbox")


@dataclasses.dataclass
class UncheckedDirectorate:
    pk: int
    name: str
    reason: str


def unchecked_directorates(
    *,
    municipality: Municipality,
    directorate_ids: Iterable[int] | None = None,
    today: datetime.date | None = None,
) -> list[UncheckedDirectorate]:
    """The directorates whose contracts have scheduled obligations that the reconciliation
    does not check for overdue work today, and why (one query; the rule is
    ``reconcile.directorates_checked_since``)."""
    today = today or timezone.localdate()
    scheduled = Contract.objects.active_on(today).filter(
        Q(obligations__frequency_days__isnull=False) | Q(obligations__schedule__weekdays__gt="")
    )
    directorates = (
        directorates_checked_since(municipality_id=municipality.pk)
        .filter(pk__in=scheduled.values("directorate_id"))
        .filter(Q(checked_since__isnull=True) | Q(checked_since__gt=today))
        .order_by("name", "pk")
    )
    if directorate_ids is not None:
        directorates = directorates.filter(pk__in=directorate_ids)
    rows = []
    for directorate in directorates.only("pk", "name"):
        if directorate.checked_since is None:
            reason = _(
                "No work-log source is configured and no work log has been recorded, so a "
                "missing work log proves nothing: its obligations are not checked for overdue "
                "work."
            )
        else:
            reason = _(
                "Its work logs are reported from %(date)s: its obligations are checked for "
                "overdue work from that day."
            ) % {"date": formats.date_format(directorate.checked_since, "SHORT_DATE_FORMAT")}
        rows.append(UncheckedDirectorate(pk=directorate.pk, name=directorate.name, reason=reason))
    return rows


# --- Evidence -----------------------------------------------------------------------------------
#
# Evidence is derived, not stored: the failing answers that make a card finding are those of its
# natural key (space, service, card item) on cards the reconciliation handled while it was the
# key's live finding — from its raising (``created_at``, the run's timestamp) to its verification
# (``verified_at``) — less those linked to a known issue. Each card is reconciled once
# (``ReconciledCard``), so each answer counts once, for one finding.


def _evidence_answers(
    *,
    space_id: int | OuterRef,
    service_type_id: int | OuterRef,
    item_code: str | OuterRef,
    created_at: datetime.datetime | OuterRef,
    verified_at: Combinable,
) -> QuerySet[CardAnswer]:
    """Failing answers of a key on cards reconciled in [created_at, verified_at): the values
    may be ``OuterRef``s (a subquery per finding) or a finding's own values."""
    return (
        CardAnswer.objects.filter(
            is_failure=True,
            card__space_id=space_id,
            card__service_type_id=service_type_id,
            item__code=item_code,
            card__findings_reconciled__reconciled_at__gte=created_at,
            known_issue_link__isnull=True,
        )
        .alias(until=verified_at)
        .filter(Q(until__isnull=True) | Q(card__findings_reconciled__reconciled_at__lt=F("until")))
    )


def finding_evidence(*, finding: Finding) -> QuerySet[CardAnswer]:
    """The failing card answers that are this finding's evidence (none for an overdue
    obligation: it has no card)."""
    if finding.space_id is None or finding.obligation_id is not None:
        return CardAnswer.objects.none()
    return _evidence_answers(
        space_id=finding.space_id,
        service_type_id=finding.service_type_id,
        item_code=finding.item_code,
        created_at=finding.created_at,
        verified_at=Value(finding.verified_at, output_field=DateTimeField()),
    )


def evidence_count() -> Coalesce:
    """An annotation for a Finding queryset: how many failing answers are its evidence (one
    subquery per finding, for a page of the inbox)."""
    answers = _evidence_answers(
        space_id=OuterRef("space_id"),
        service_type_id=OuterRef("service_type_id"),
        item_code=OuterRef("item_code"),
        created_at=OuterRef("created_at"),
        verified_at=ExpressionWrapper(OuterRef("verified_at"), output_field=DateTimeField()),
    )
    return _count_subquery(answers.annotate(group=Value(1)), "group")


def finding_cards(*, finding: Finding) -> list[Card]:
    """The cards whose failing answers are this finding's evidence, with their photos."""
    card_ids = finding_evidence(finding=finding).values("card_id")
    return list(
        Card.objects.filter(pk__in=card_ids)
        .select_related("space", "service_type")
        .prefetch_related(
            Prefetch("photos", queryset=CardPhoto.objects.order_by("id")),
            Prefetch(
                "answers",
                queryset=CardAnswer.objects.filter(item__code=finding.item_code).select_related(
                    "item"
                ),
                to_attr="finding_answers",
            ),
        )
        .order_by("observed_on", "id")
    )


def _window_start(finding: Finding) -> datetime.date:
    return finding.period_start - datetime.timedelta(days=DEFAULT_WINDOW_DAYS)


def finding_work_logs(*, finding: Finding) -> QuerySet[WorkLog]:
    """Work logs about the finding's place and service in its period (what was claimed)."""
    logs = WorkLog.objects.filter(
        service_type_id=finding.service_type_id,
        done_on__gte=_window_start(finding),
        done_on__lte=finding.period_end,
    ).select_related("space", "service_area")
    space = finding.space  # no query without a space: the descriptor sees the empty key
    if space is not None:
        logs = logs.filter(
            Q(space_id=space.pk) | Q(service_area__geometry__intersects=space.centroid)
        ).filter(Q(item_code="") | Q(item_code=finding.item_code))
    elif finding.contract_id:
        logs = logs.filter(
            Q(contract_id=finding.contract_id)
            | Q(space__contracts=finding.contract_id)
            | Q(service_area__contracts=finding.contract_id)
        ).distinct()
    return logs.order_by("-done_on", "-id")


def related_complaints(*, finding: Finding) -> QuerySet[Complaint]:
    """Complaints about the same space and service in the finding's period (public fields
    only: the reporter's contact data is never read here)."""
    if not finding.space_id:
        return Complaint.public_objects.none()
    start = _window_start(finding)
    end = finding.period_end + datetime.timedelta(days=1)
    return (
        Complaint.public_objects.filter(
            space_id=finding.space_id,
            service_type_id=finding.service_type_id,
            created_at__date__gte=start,
            created_at__date__lt=end,
        )
        .only("code", "status", "created_at", "description", "municipality_id")
        .order_by("created_at")
    )


def finding_known_issue_answers(*, finding: Finding) -> QuerySet[KnownIssueAnswer]:
    return KnownIssueAnswer.objects.filter(
        answer__card__space_id=finding.space_id, issue__service_type_id=finding.service_type_id
    ).select_related("issue")


def finding_history(*, finding: Finding) -> QuerySet[FindingEvent]:
    return FindingEvent.objects.filter(finding=finding).select_related("user")


# --- Fix rate -----------------------------------------------------------------------------------


@dataclasses.dataclass
class FixRate:
    pk: int
    name: str
    findings: int
    verified: int
    median_days: float | None

    @property
    def rate(self) -> float | None:
        return 100 * self.verified / self.findings if self.findings else None


def fix_rate_counts() -> dict[str, Count]:
    """The two counts of a fix rate, for a ``GROUP BY``: findings raised (``total``) and of
    those, verified fixed. The public fix-rate page and the workspace's statistics
    (``findings.statistics``) both count with these, so they show the same numbers."""
    return {"total": Count("id"), "verified": Count("id", filter=Q(status="verified"))}


def _fix_rates(findings: QuerySet[Finding], key: str, names: dict[int, str]) -> list[FixRate]:
    """Counts in SQL; the median from the fixed findings' durations (one query)."""
    counts = {
        row[key]: row
        for row in findings.filter(**{f"{key}__isnull": False})
        .values(key)
        .annotate(**fix_rate_counts())
    }
    durations = defaultdict(list)
    for owner, created, verified in findings.filter(
        status="verified", **{f"{key}__isnull": False}
    ).values_list(key, "created_at", "verified_at"):
        durations[owner].append((verified - created).total_seconds() / 86400)
    return [
        FixRate(
            pk=pk,
            name=names.get(pk, ""),
            findings=row["total"],
            verified=row["verified"],
            median_days=round(statistics.median(durations[pk]), 1) if durations[pk] else None,
        )
        for pk, row in sorted(counts.items(), key=lambda kv: names.get(kv[0], ""))
    ]


def fix_rate_by_directorate(
    *, municipality: Municipality, directorate_ids: Iterable[int] | None = None
) -> list[FixRate]:
    findings = Finding.objects.for_municipality(municipality)
    if directorate_ids is not None:
        findings = findings.filter(directorate_id__in=directorate_ids)
    names = dict(Directorate.objects.filter(municipality=municipality).values_list("pk", "name"))
    return _fix_rates(findings, "directorate_id", names)


def fix_rate_by_company(
    *, municipality: Municipality, company_ids: Iterable[int] | None = None
) -> list[FixRate]:
    findings = Finding.objects.for_municipality(municipality)
    if company_ids is not None:
        findings = findings.filter(company_id__in=company_ids)
    names = dict(Company.objects.filter(municipality=municipality).values_list("pk", "legal_name"))
    return _fix_rates(findings, "company_id", names)


def fix_rate_for(
    *, directorate: Directorate | None = None, company: Company | None = None
) -> FixRate | None:
    """The fix rate of one directorate or company (for its page), or None without findings."""
    if directorate is not None:
        rows = fix_rate_by_directorate(
            municipality=directorate.municipality, directorate_ids=[directorate.pk]
        )
    elif company is not None:
        rows = fix_rate_by_company(municipality=company.municipality, company_ids=[company.pk])
    else:
        raise TypeError("fix_rate_for() needs a directorate or a company.")
    return rows[0] if rows else None


# --- Contract compliance ------------------------------------------------------------------------


def _count_subquery(queryset: QuerySet, field: str = "pk") -> Coalesce:
    return Coalesce(
        Subquery(queryset.order_by().values(field).annotate(n=Count("pk")).values("n")[:1]),
        Value(0),
    )


def contract_compliance(*, contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """Contracts annotated, in SQL, with what citizens observed of them:

    ``cards`` (cards on the contract's spaces for its service in its term), ``answers`` and
    ``failing_answers`` (``failing_share`` in %), findings by type (``unreported``,
    ``contradictions``, ``overdue``), ``overdue_open`` (overdue-obligation findings not yet
    verified), ``findings_total``, ``verified`` and ``fix_rate`` (%). One query.
    """
    cards = Card.objects.filter(
        space__contracts=OuterRef("pk"),
        service_type_id=OuterRef("service_type_id"),
        observed_on__gte=OuterRef("start_date"),
        observed_on__lte=OuterRef("end_date"),
    ).annotate(group=Value(1))
    answers = CardAnswer.objects.filter(
        card__space__contracts=OuterRef("pk"),
        card__service_type_id=OuterRef("service_type_id"),
        card__observed_on__gte=OuterRef("start_date"),
        card__observed_on__lte=OuterRef("end_date"),
    ).annotate(group=Value(1))
    findings = Finding.objects.filter(contract_id=OuterRef("pk")).annotate(group=Value(1))
    return contracts.annotate(
        cards=_count_subquery(cards, "group"),
        answers=_count_subquery(answers, "group"),
        failing_answers=_count_subquery(answers.filter(is_failure=True), "group"),
        unreported=_count_subquery(findings.filter(kind="unreported"), "group"),
        contradictions=_count_subquery(findings.filter(kind="contradiction"), "group"),
        overdue=_count_subquery(findings.filter(kind="overdue"), "group"),
        overdue_open=_count_subquery(
            findings.filter(kind="overdue").exclude(status="verified"), "group"
        ),
        findings_total=_count_subquery(findings, "group"),
        verified=_count_subquery(findings.filter(status="verified"), "group"),
    ).annotate(
        failing_share=_percent("failing_answers", "answers"),
        fix_rate=_percent("verified", "findings_total"),
    )


def _percent(part: str, whole: str) -> Case:
    return Case(
        When(**{f"{whole}__gt": 0}, then=100.0 * Cast(F(part), FloatField()) / F(whole)),
        default=None,
        output_field=FloatField(),
    )


def company_compliance(*, company: Company) -> dict:
    """The totals of a company's contracts (for its page)."""
    rows = list(contract_compliance(contracts=Contract.objects.filter(company=company)))
    keys = (
        "cards",
        "answers",
        "failing_answers",
        "unreported",
        "contradictions",
        "overdue",
        "overdue_open",
        "findings_total",
        "verified",
    )
    totals = {k: sum(getattr(r, k) for r in rows) for k in keys}
    totals["failing_share"] = (
        100 * totals["failing_answers"] / totals["answers"] if totals["answers"] else None
    )
    totals["fix_rate"] = (
        100 * totals["verified"] / totals["findings_total"] if totals["findings_total"] else None
    )
    return totals


def space_failing_share(*, spaces: Iterable[PublicSpace]) -> dict[int, float]:
    """{space id: share of failing card answers (0–1)} for the spaces that have answers, in
    one query: the map can colour spaces by it."""
    rows = (
        CardAnswer.objects.filter(card__space__in=spaces)
        .values("card__space_id")
        .annotate(total=Count("id"), failing=Count("id", filter=Q(is_failure=True)))
        .order_by()
    )
    return {row["card__space_id"]: row["failing"] / row["total"] for row in rows if row["total"]}


def place_finding_counts(
    *, space: PublicSpace | None = None, colonia: Colonia | None = None
) -> dict:
    """For a space's or a colonia's public page: the findings still awaiting a fix, those
    raised and, of those, verified fixed (the place's fix rate, by ``fix_rate_counts``), in
    one statement. Counts only: the findings themselves are the directorates' inbox."""
    if space is not None:
        findings = Finding.objects.filter(municipality_id=space.municipality_id, space=space)
    elif colonia is not None:
        findings = Finding.objects.filter(municipality_id=colonia.municipality_id, colonia=colonia)
    else:
        raise TypeError("place_finding_counts() needs a space or a colonia.")
    counts = findings.aggregate(
        awaiting=Count("id", filter=Q(status__in=AWAITING_FIX)), **fix_rate_counts()
    )
    counts["rate"] = round(100 * counts["verified"] / counts["total"]) if counts["total"] else None
    return counts
