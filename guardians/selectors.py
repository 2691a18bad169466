"""Reads of the guardians program. Public ones return counts and aggregates only: never who a
guardian is nor who filed a card."""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

from django.contrib.gis.geos import Point
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.selectors import STAFF_ROLES, role_holders
from territory.models import Colonia, Municipality, PublicSpace, ServiceType

from .models import (
    AttemptAnswer,
    Card,
    CardAnswer,
    CardTemplate,
    CardTemplateItem,
    Evaluation,
    EvaluationAttempt,
    Guardian,
    GuardianApplication,
    Topic,
    TrainingAttendance,
    TrainingSession,
    Visit,
)
from .querysets import CardQuerySet

_M = TypeVar("_M", bound=Model)

RECENT_DAYS = 90


def _scoped(queryset: QuerySet[_M], municipality: Municipality | None) -> QuerySet[_M]:
    return queryset if municipality is None else queryset.filter(municipality=municipality)


# --- Public aggregates -------------------------------------------------------------------------


def program_counters(municipality: Municipality | None) -> list[tuple[str | Promise, int]]:
    """(label, value) pairs for the home page: visits, people contacted, active guardians and
    cards filed, computed from the data (four queries)."""
    visits = _scoped(Visit.objects.all(), municipality).aggregate(
        visits=Count("id"), people=Sum("people_contacted")
    )
    return [
        (_("Visits to colonias"), visits["visits"]),
        (_("People contacted"), visits["people"] or 0),
        (
            _("Active guardians"),
            _scoped(Guardian.private_objects.active(), municipality).count(),
        ),
        (_("Surveillance cards filed"), _scoped(Card.objects.all(), municipality).count()),
    ]


def guardian_counts_by_colonia(*, municipality: Municipality) -> list[dict]:
    """Active guardians, lead or not, and cards per colonia: [{colonia, name, guardians,
    has_lead, cards}] for colonias with at least one guardian or card (three queries)."""
    guardians = {
        row["colonia_id"]: row
        for row in Guardian.private_objects.for_municipality(municipality)
        .active()
        .values("colonia_id")
        .annotate(guardians=Count("id"), leads=Count("id", filter=Q(is_lead=True)))
        .order_by()
    }
    cards = dict(
        Card.objects.for_municipality(municipality)
        .values("colonia_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("colonia_id", "n")
    )
    colonias = Colonia.objects.filter(pk__in=set(guardians) | set(cards)).only("id", "name")
    return [
        {
            "colonia_id": colonia.pk,
            "name": colonia.name,
            "guardians": guardians.get(colonia.pk, {}).get("guardians", 0),
            "has_lead": bool(guardians.get(colonia.pk, {}).get("leads")),
            "cards": cards.get(colonia.pk, 0),
        }
        for colonia in colonias.order_by("name")
    ]


def first_card_date(*, colonia: Colonia) -> datetime.date | None:
    """The date observed of the first card filed in a colonia, None when there is none."""
    return Card.objects.filter(colonia=colonia).aggregate(first=Min("observed_on"))["first"]


def first_card_dates(*, municipality: Municipality) -> dict[int, datetime.date]:
    """{colonia id: date of the first card filed there}, in one query."""
    return dict(
        Card.objects.for_municipality(municipality)
        .values("colonia_id")
        .annotate(first=Min("observed_on"))
        .order_by()
        .values_list("colonia_id", "first")
    )


def space_card_summary(*, space: PublicSpace, today: datetime.date | None = None) -> dict:
    """What guardians' cards say about a space, for its public page (three queries):

    ``{"cards": total cards, "last_card_date": date | None, "recent_cards": cards in the last
    90 days, "failing_items": [{"code", "text", "failures", "answers"}]}``, failing items most
    failed first. Never who filed the cards.
    """
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=RECENT_DAYS)
    totals = Card.objects.filter(space=space).aggregate(
        cards=Count("id"),
        last=Max("observed_on"),
        recent=Count("id", filter=Q(observed_on__gte=since)),
    )
    recent_answers = CardAnswer.objects.filter(card__space=space, card__observed_on__gte=since)
    rows = list(
        recent_answers.values("item__code")
        .annotate(
            failures=Count("id", filter=Q(is_failure=True)),
            answers=Count("id"),
            last_item=Max("item_id"),
        )
        .filter(failures__gt=0)
        .order_by("-failures", "item__code")
    )
    # The wording of the latest version of each item.
    texts = dict(
        CardTemplateItem.objects.filter(pk__in=[row["last_item"] for row in rows]).values_list(
            "pk", "text"
        )
    )
    return {
        "cards": totals["cards"],
        "last_card_date": totals["last"],
        "recent_cards": totals["recent"],
        "recent_days": RECENT_DAYS,
        "failing_items": [
            {
                "code": row["item__code"],
                "text": texts.get(row["last_item"], row["item__code"]),
                "failures": row["failures"],
                "answers": row["answers"],
            }
            for row in rows
        ],
    }


# --- Guardians and staff -----------------------------------------------------------------------


def spaces_for_guardian(*, guardian: Guardian) -> QuerySet[PublicSpace]:
    """The spaces a guardian may file cards for: those of their colonia and those they watch."""
    return (
        PublicSpace.objects.filter(
            Q(colonia_id=guardian.colonia_id) | Q(guardians=guardian),
            municipality_id=guardian.municipality_id,
        )
        .distinct()
        .only("id", "code", "name", "centroid", "colonia_id")
    )


def spaces_for_guardian_near(
    *, guardian: Guardian, point: Point | None = None, search: str = "", limit: int = 50
) -> list[PublicSpace]:
    spaces = spaces_for_guardian(guardian=guardian)
    if search:
        spaces = spaces.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if point is not None:
        # The distinct() above cannot order by an annotation on every backend: re-select.
        spaces = PublicSpace.objects.filter(pk__in=spaces.values("pk")).nearest(point)
    else:
        spaces = spaces.order_by("name")
    return list(spaces[:limit])


def services_for_guardian(*, guardian: Guardian) -> QuerySet[ServiceType]:
    watched = guardian.service_types.all()
    if watched.exists():
        return watched.order_by("name")
    return ServiceType.objects.filter(municipality_id=guardian.municipality_id).order_by("name")


def current_templates_for(
    *, municipality: Municipality, service_ids: Iterable[int]
) -> list[CardTemplate]:
    """Current card templates with their items, two queries."""
    return list(
        CardTemplate.objects.for_municipality(municipality)
        .current()
        .filter(service_type_id__in=list(service_ids))
        .select_related("service_type")
        .prefetch_related("items")
        .order_by("service_type__name")
    )


def program_staff_emails(*, municipality: Municipality) -> list[str]:
    return list(
        role_holders(*STAFF_ROLES, municipality=municipality)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def card_detail(*, card_id: int, cards: CardQuerySet) -> Card | None:
    """A card from an already-permission-filtered queryset, with answers and photos."""
    return cards.for_list().prefetch_related("answers__item", "photos").filter(pk=card_id).first()


# --- Training reports --------------------------------------------------------------------------


def _summary(pairs: list[tuple[float, float]]) -> dict:
    if not pairs:
        return {
            "people": 0,
            "pre_mean": None,
            "post_mean": None,
            "pre_median": None,
            "post_median": None,
            "improved_share": None,
        }
    pre = [p for p, _q in pairs]
    post = [q for _p, q in pairs]
    return {
        "people": len(pairs),
        "pre_mean": round(statistics.fmean(pre), 1),
        "post_mean": round(statistics.fmean(post), 1),
        "pre_median": round(statistics.median(pre), 1),
        "post_median": round(statistics.median(post), 1),
        "improved_share": round(100 * sum(q > p for p, q in pairs) / len(pairs), 1),
    }


def training_report(*, sessions: Iterable[TrainingSession]) -> list[dict]:
    """Pre vs post scores (%) of the guardians who took both tests, overall and per topic:
    [{"label", "topic", ...summary}] with the overall row first. Two queries, whatever the
    number of guardians."""
    per_topic: dict[tuple[str, int, int], dict[str, list[int]]] = defaultdict(
        lambda: {"pre": [0, 0], "post": [0, 0]}
    )
    answers = (
        AttemptAnswer.objects.filter(attempt__evaluation__session__in=sessions)
        .values(
            "attempt__evaluation__session_id",
            "attempt__guardian_id",
            "attempt__evaluation__kind",
            "question__topic",
        )
        .annotate(correct=Count("id", filter=Q(is_correct=True)), total=Count("id"))
        .order_by()
    )
    for row in answers:
        for topic in ("", row["question__topic"]):
            key = (topic, row["attempt__evaluation__session_id"], row["attempt__guardian_id"])
            bucket = per_topic[key][row["attempt__evaluation__kind"]]
            bucket[0] += row["correct"]
            bucket[1] += row["total"]
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for (topic, _session, _guardian), scores in per_topic.items():
        (pre_ok, pre_n), (post_ok, post_n) = scores["pre"], scores["post"]
        if pre_n and post_n:
            pairs[topic].append((100 * pre_ok / pre_n, 100 * post_ok / post_n))
    rows = [{"label": _("All topics"), "topic": "", **_summary(pairs[""])}]
    for topic in Topic:
        if pairs.get(topic.value):
            rows.append({"label": topic.label, "topic": topic.value, **_summary(pairs[topic])})
    return rows


def sessions_for(*, municipality: Municipality) -> QuerySet[TrainingSession]:
    return TrainingSession.objects.for_municipality(municipality).prefetch_related(
        "modules", "evaluations"
    )


def attempts_of(*, guardian: Guardian, session: TrainingSession) -> dict[str, EvaluationAttempt]:
    return {
        attempt.evaluation.kind: attempt
        for attempt in EvaluationAttempt.objects.filter(
            guardian=guardian, evaluation__session=session
        ).select_related("evaluation")
    }


def evaluation_with_questions(*, session: TrainingSession, kind: str) -> Evaluation | None:
    return (
        Evaluation.objects.filter(session=session, kind=kind)
        .prefetch_related("questions__choices")
        .first()
    )


def _sessions_attended(*, sessions: QuerySet[TrainingSession], by: str) -> dict[int, int]:
    """{guardian or application id (``by``): how many of ``sessions`` they came to}."""
    return dict(
        TrainingAttendance.objects.filter(session__in=sessions, **{f"{by}__isnull": False})
        .values(by)
        .annotate(n=Count("session_id", distinct=True))
        .order_by()
        .values_list(by, "n")
    )


def training_attendance_by_person(*, sessions: QuerySet[TrainingSession]) -> list[dict]:
    """Per person who came to one of ``sessions`` or took one of their tests: how many of the
    sessions they attended and their pre and post scores (% of correct answers over every
    test of that kind they took in those sessions, None when they took none). Staff only: the
    rows carry names. [{"name", "colonia", "is_applicant", "attended", "pre", "post"}], sorted
    by name; five queries whatever the number of people and sessions."""
    attended = _sessions_attended(sessions=sessions, by="guardian_id")
    applicants = _sessions_attended(sessions=sessions, by="application_id")
    scores: dict[int, dict[str, float | None]] = defaultdict(lambda: {"pre": None, "post": None})
    for row in (
        EvaluationAttempt.objects.filter(evaluation__session__in=sessions)
        .values("guardian_id", kind=F("evaluation__kind"))
        .annotate(correct=Sum("correct"), total=Sum("total"))
        .order_by()
    ):
        if row["total"]:
            scores[row["guardian_id"]][row["kind"]] = round(100 * row["correct"] / row["total"], 1)
    rows = [
        {
            "name": guardian["user__first_name"] + " " + guardian["user__last_name"]
            if guardian["user__first_name"] or guardian["user__last_name"]
            else guardian["user__username"],
            "colonia": guardian["colonia__name"],
            "is_applicant": False,
            "attended": attended.get(guardian["id"], 0),
            **scores.get(guardian["id"], {"pre": None, "post": None}),
        }
        for guardian in Guardian.private_objects.filter(pk__in=set(attended) | set(scores)).values(
            "id", "user__first_name", "user__last_name", "user__username", "colonia__name"
        )
    ]
    rows += [
        {
            "name": application["full_name"],
            "colonia": application["colonia__name"],
            "is_applicant": True,
            "attended": applicants[application["id"]],
            "pre": None,
            "post": None,
        }
        for application in GuardianApplication.private_objects.filter(
            pk__in=list(applicants)
        ).values("id", "full_name", "colonia__name")
    ]
    return sorted(rows, key=lambda row: (row["name"].strip().lower(), row["colonia"]))


def attendance_checklist(*, session: TrainingSession) -> dict:
    """Who may be checked on a session's attendance list and who is checked now:
    {"guardians": the municipality's active guardians (and anyone already checked),
    "applications": its pending applicants (and anyone already checked), "guardian_ids",
    "application_ids"}. One query here; the two querysets are read by the form."""
    checked = list(
        TrainingAttendance.objects.filter(session=session).values_list(
            "guardian_id", "application_id"
        )
    )
    guardian_ids = {g for g, _a in checked if g}
    application_ids = {a for _g, a in checked if a}
    guardians = (
        Guardian.private_objects.for_municipality(session.municipality_id)
        .filter(Q(status=Guardian.Status.ACTIVE) | Q(pk__in=guardian_ids))
        .select_related("user", "colonia")
        .order_by("colonia__name", "user__first_name", "user__last_name", "id")
    )
    applications = (
        GuardianApplication.private_objects.for_municipality(session.municipality_id)
        .filter(Q(status=GuardianApplication.Status.PENDING) | Q(pk__in=application_ids))
        .select_related("colonia")
        .order_by("full_name", "id")
    )
    return {
        "guardians": guardians,
        "applications": applications,
        "guardian_ids": guardian_ids,
        "application_ids": application_ids,
    }


def training_sessions_with_attendance(*, municipality: Municipality) -> QuerySet[TrainingSession]:
    """The municipality's sessions with ``attended`` (people checked present), newest first."""
    return (
        TrainingSession.objects.for_municipality(municipality)
        .annotate(attended=Count("attendance", distinct=True))
        .order_by("-date", "-id")
    )


# --- Visits ------------------------------------------------------------------------------------


def week_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of ``day``'s week."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def planned_visits_this_week(
    *, municipality: Municipality, today: datetime.date | None = None
) -> dict:
    """The work queue of planned visits: {"count": planned for this week (Monday to Sunday),
    "oldest": the earliest of their dates, "overdue": planned visits whose date has passed
    (of any week) and that are not yet recorded as carried out}. One query."""
    today = today or timezone.localdate()
    monday, sunday = week_bounds(today)
    this_week = Q(date__gte=monday, date__lte=sunday)
    return (
        Visit.objects.for_municipality(municipality)
        .planned()
        .aggregate(
            count=Count("id", filter=this_week),
            oldest=Min("date", filter=this_week),
            overdue=Count("id", filter=Q(date__lt=today)),
        )
    )


def visits_for_list(
    *,
    municipality: Municipality,
    status: str = "",
    week: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[Visit]:
    """The staff's visit list, filtered by status and to this week. Planned visits come oldest
    first (the next one to prepare on top), the others newest first."""
    visits = (
        Visit.objects.for_municipality(municipality)
        .select_related("colonia")
        .annotate(
            appointed=Count("guardians_appointed", distinct=True),
            invited=Count("guardians_invited", distinct=True),
        )
    )
    if status in Visit.Status.values:
        visits = visits.filter(status=status)
    if week:
        monday, sunday = week_bounds(today or timezone.localdate())
        visits = visits.filter(date__gte=monday, date__lte=sunday)
    if status == Visit.Status.PLANNED:
        return visits.order_by("date", "id")
    return visits.order_by("-date", "-id")


def upcoming_visits_for_guardian(
    *, guardian: Guardian, today: datetime.date | None = None
) -> QuerySet[Visit]:
    """Planned visits from today on that a guardian was invited to or that go to their
    colonia, soonest first."""
    today = today or timezone.localdate()
    return (
        Visit.objects.filter(municipality_id=guardian.municipality_id, date__gte=today)
        .planned()
        .filter(Q(guardians_invited=guardian) | Q(colonia_id=guardian.colonia_id))
        .distinct()
        .select_related("colonia")
        .order_by("date", "id")
    )


def upcoming_visits_count(*, guardian: Guardian, today: datetime.date | None = None) -> dict:
    """{"count", "oldest"} of ``upcoming_visits_for_guardian``, one query."""
    today = today or timezone.localdate()
    ids = upcoming_visits_for_guardian(guardian=guardian, today=today).values("pk")
    return Visit.objects.filter(pk__in=ids).aggregate(count=Count("id"), oldest=Min("date"))


def visit_for_brief(*, municipality: Municipality, token: str) -> Visit | None:
    """The visit whose public brief has this token, in this municipality only; with its
    colonia, spaces and the number of guardians invited (never who they are)."""
    if not token:
        return None
    return (
        Visit.objects.for_municipality(municipality)
        .filter(brief_token=token)
        .select_related("colonia")
        .prefetch_related("spaces")
        .annotate(invited=Count("guardians_invited", distinct=True))
        .first()
    )


def _count_in(queryset: QuerySet) -> Coalesce:
    """The number of rows of ``queryset`` (all of one colonia) as a scalar subquery."""
    counted = queryset.order_by().values("colonia_id").annotate(n=Count("id")).values("n")[:1]
    return Coalesce(Subquery(counted), 0)


def colonia_guardian_counts(*, colonia: Colonia, today: datetime.date | None = None) -> dict:
    """For "my colonia": its active guardians (and lead guardians) and the cards filed there,
    all and in the last 90 days, in one statement. Counts only: never who."""
    since = (today or timezone.localdate()) - datetime.timedelta(days=RECENT_DAYS)
    guardians = Guardian.private_objects.filter(colonia=colonia).active()
    cards = Card.objects.filter(colonia=colonia)
    row = (
        Colonia.objects.filter(pk=colonia.pk)
        .annotate(
            n_guardians=_count_in(guardians),
            n_leads=_count_in(guardians.filter(is_lead=True)),
            n_cards=_count_in(cards),
            n_recent_cards=_count_in(cards.filter(observed_on__gte=since)),
        )
        .values("n_guardians", "n_leads", "n_cards", "n_recent_cards")
        .first()
    )
    counts: dict = dict(row) if row else {}
    return {
        "guardians": counts.get("n_guardians", 0),
        "leads": counts.get("n_leads", 0),
        "cards": counts.get("n_cards", 0),
        "recent_cards": counts.get("n_recent_cards", 0),
        "recent_days": RECENT_DAYS,
    }


#: The share of a post-test's questions answered right to count as trained (contract review).
CONTRACT_REVIEW_PASS_PERCENT = 70
CONTRACT_REVIEW_TOPICS = (Topic.SERVICES, Topic.TENDERS)


def trained_for_contract_review(municipality: Municipality) -> QuerySet[Guardian]:
    """The municipality's active guardians who passed the post-test of a training session on
    public services' contracts or on tenders (a module of topic SERVICES or TENDERS): with at
    least ``CONTRACT_REVIEW_PASS_PERCENT`` of its questions right. One query."""
    passed = EvaluationAttempt.objects.filter(
        guardian=OuterRef("pk"),
        evaluation__kind=Evaluation.Kind.POST,
        evaluation__session__municipality=municipality,
        evaluation__session__modules__topic__in=CONTRACT_REVIEW_TOPICS,
        total__gt=0,
        correct__gte=F("total") * CONTRACT_REVIEW_PASS_PERCENT / 100.0,
    )
    return (
        Guardian.private_objects.filter(municipality=municipality)
        .active()
        .filter(Exists(passed))
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )
