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
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
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
    return sorted(sections, key=lambda section: (section.order, str(section.title)))
