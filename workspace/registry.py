"""What the apps add to the staff workspace: sections of links and work queues.

``workspace`` sits below the apps whose work it shows, so it never imports them. An app names
its sections in its AppConfig, as dotted paths to functions that take the request and return
``None`` (the user's roles do not reach it) or a :class:`Section`::

    class GuardiansConfig(AppConfig):
        workspace_sections = [
            "guardians.workspace.program_section",   # f(*, request) -> Section | None
            "guardians.workspace.visits_section",
        ]

Each function decides from the roles (``accounts.selectors``: ``session_roles(request)``,
``session_staff_role(request)``, ``is_municipal_staff``, ``staff_directorate_id``) and from
``request.municipality`` what the user may see, and scopes every count to that municipality
(a directorate's staff: to its own directorate). A queue costs at most one query: count and
oldest item in one ``aggregate()``.

Better, a queue costs no query of its own: ``Queue.counted(queryset=…, count=Count("pk"),
oldest=Min("created_at"), overdue=Count("pk", filter=Q(…)))`` defers its figures, and
``sections_for`` reads the figures of every deferred queue of the page in one statement (one
scalar subquery per figure), so the page's query count does not grow with its queues::

    Queue.counted(
        key="cards_to_review",
        label=_("Cards to review"),
        url=reverse("guardians:review_queue"),
        queryset=Card.objects.for_municipality(municipality).pending_review(),
        count=Count("pk"),
        oldest=Min("submitted_at"),
    )
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, F, IntegerField, QuerySet, Subquery, Value
from django.utils.functional import Promise
from django.utils.module_loading import import_string

Text = str | Promise


@dataclass(frozen=True)
class Link:
    """A page of the role's job, reachable from the workspace in one click."""

    label: Text
    url: str
    description: Text = ""


@dataclass(frozen=True)
class Queue:
    """Work waiting: how many items, the oldest one's date, and the filtered list (oldest
    first) that the count links to. ``overdue`` counts the items past their deadline."""

    key: str
    label: Text
    count: int
    url: str
    oldest: datetime.date | datetime.datetime | None = None
    overdue: int | None = None
    help_text: Text = ""
    # Figures still to read (``Queue.counted``): ``sections_for`` fills count, oldest and
    # overdue from them, with every other deferred queue's, in one query.
    tally: Tally | None = field(default=None, repr=False, compare=False)

    @classmethod
    def counted(
        cls,
        *,
        key: str,
        label: Text,
        url: str,
        queryset: QuerySet,
        count: Any,
        oldest: Any = None,
        overdue: Any = None,
        on_time: Any = None,
        help_text: Text = "",
    ) -> Queue:
        """A queue whose figures are aggregates of ``queryset`` (``count=Count("pk")``,
        ``oldest=Min(...)``, ``overdue=Count("pk", filter=Q(...))``), read later.

        Where most items are overdue (a long backlog), count the few still on time instead:
        ``on_time=Count("pk", filter=Q(created_at__gte=cutoff))`` and the overdue figure is
        ``count - on_time``, read from a short range of the index rather than a long one."""
        figures = {"count": count, "oldest": oldest, "overdue": overdue, "on_time": on_time}
        return cls(
            key=key,
            label=label,
            count=0,
            url=url,
            help_text=help_text,
            tally=Tally(queryset, {name: agg for name, agg in figures.items() if agg is not None}),
        )


@dataclass(frozen=True)
class Tally:
    """Aggregates of one queryset, read later together with the other queues' figures."""

    queryset: QuerySet
    aggregates: dict[str, Any]

    def subqueries(self) -> dict[str, Subquery]:
        """One scalar subquery per aggregate: no GROUP BY (a constant is never grouped by),
        so each answers one row. An aggregate's FILTER goes to the subquery's WHERE clause
        (the same figure), where an index on the queue's filter and order narrows the rows,
        and ``COUNT(pk)`` becomes ``COUNT(*)``, which an index-only scan answers."""
        base = self.queryset.order_by().annotate(_one=Value(1, output_field=IntegerField()))
        columns = {}
        for name, aggregate in self.aggregates.items():
            condition, plain = unfiltered(aggregate)
            rows = base if condition is None else base.filter(condition)
            columns[name] = Subquery(rows.values("_one").annotate(_figure=plain).values("_figure"))
        return columns

    def read(self) -> dict[str, Any]:
        return self.queryset.order_by().aggregate(**self.aggregates)


def unfiltered(aggregate: Any) -> tuple[Any, Any]:
    """``aggregate`` without its ``filter``, and that filter (``None`` if it had none)."""
    condition = getattr(aggregate, "filter", None)
    plain = aggregate.copy()
    plain.filter = None
    if isinstance(plain, Count) and not getattr(plain, "distinct", False):
        source = plain.get_source_expressions()[0]
        if isinstance(source, F) and getattr(source, "name", None) == "pk":
            plain = Count("*")
    return condition, plain


def overdue_of(figures: dict[str, Any]) -> int | None:
    """The overdue figure: read, or the count less the items on time (``on_time``)."""
    if figures.get("on_time") is not None:
        return (figures.get("count") or 0) - figures["on_time"]
    return figures.get("overdue")


@dataclass
class Section:
    """One block of the workspace: a title, its queues and its links. ``order`` sorts the
    sections (lower first); ``key`` is stable, for tests and anchors."""

    key: str
    title: Text
    queues: list[Queue] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    order: int = 100


def sections_for(request) -> list[Section]:
    """The sections the installed apps declare in ``workspace_sections`` for this request's
    user, in order."""
    sections = []
    for app_config in apps.get_app_configs():
        for function in getattr(app_config, "workspace_sections", ()):
            function = import_string(function) if isinstance(function, str) else function
            section = function(request=request)
            if section is not None:
                sections.append(section)
    read_tallies(sections, user=getattr(request, "user", None))
    return sorted(sections, key=lambda section: (section.order, str(section.title)))


def read_tallies(sections: list[Section], *, user=None) -> None:
    """Fills in the figures of the sections' deferred queues (``Queue.counted``): all of them
    in one statement, the scalar subqueries selected from the user's own row; without a
    logged-in user, one query per queue."""
    pending: list[tuple[Section, int, Queue, Tally]] = [
        (section, index, queue, queue.tally)
        for section in sections
        for index, queue in enumerate(section.queues)
        if queue.tally is not None
    ]
    if not pending:
        return
    figures_of: list[dict[str, Any]]
    if getattr(user, "is_authenticated", False) and user.pk is not None:
        columns: dict[str, Subquery] = {}
        for number, (*_, tally) in enumerate(pending):
            for name, subquery in tally.subqueries().items():
                columns[f"q{number}_{name}"] = subquery
        row = get_user_model()._default_manager.filter(pk=user.pk).values(**columns).first()
        figures_of = [
            {name: (row or {}).get(f"q{number}_{name}") for name in tally.aggregates}
            for number, (*_, tally) in enumerate(pending)
        ]
    else:
        figures_of = [tally.read() for *_, tally in pending]
    for (section, index, queue, _tally), figures in zip(pending, figures_of, strict=True):
        section.queues[index] = dataclasses.replace(
            queue,
            count=figures.get("count") or 0,
            oldest=figures.get("oldest"),
            overdue=overdue_of(figures),
            tally=None,
        )
