"""The demo: Chihuahua's real published map (territory/data/chihuahua) and a rural municipality
modelled on Villaflores, with invented people and activity on them.

``seed()`` is what ``manage.py seed_demo`` runs. Every app seeds its own rows: it names its
seeders in its AppConfig, and they run in ``INSTALLED_APPS`` order, inside one transaction::

    class GuardiansConfig(AppConfig):
        name = "guardians"
        demo_seeders = ["guardians.demo.seed_guardians"]  # dotted paths or callables

    # guardians/demo.py
    def seed_guardians(context: DemoContext) -> None:
        rng = context.random("guardians")  # a fixed-seed generator of its own
        lead = context.users.get("demo-lead")  # empty when seeded with --no-users
        for colonia in context.colonias[:20]:  # the Chihuahua colonias
            ...  # upsert by natural keys through the app's services

``INSTALLED_APPS`` lists the project's apps so that each comes after the apps whose rows it
needs: the layer order, lowest first (territory, contracts, guardians…), except that
``accounts`` follows ``territory`` because a user belongs to a municipality and a directorate
(accounts' first migration depends on territory's too). So territory seeds the municipalities,
colonias, spaces and service areas (``territory.demo``), accounts the demo logins
(``accounts.demo``), contracts the companies, contracts and obligations (``contracts.demo``),
then the programs their own rows.

A seeder must be idempotent (upsert by natural keys: running the demo again leaves the same
rows and re-asserts the demo values over any edits) and draw randomness only from
``context.random(<its name>)``, so that adding a seeder never changes what the others generate.
What it passes on to later seeders goes on the context, whose fields say who fills them.

An app whose rows summarise the others' (the workspace's statistics) names, in
``demo_finishers``, steps that run after every app's seeders, in the same transaction.
"""

import datetime
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

SEED = "villaguard-demo"
# Invented green spaces added to Chihuahua's 300 published ones (territory.demo).
DEFAULT_SPACE_COUNT = 40
DEMO_EMAIL_DOMAIN = "demo.villaguard.mx"

Seeder = Callable[["DemoContext"], None]


class DemoError(Exception):
    """A seeder cannot honour the options (e.g. too few spaces); ``seed_demo`` shows the message."""


@dataclass
class DemoContext:
    """The options, and what each seeder passes on to the later ones (by the app that fills it)."""

    spaces: int = DEFAULT_SPACE_COUNT
    with_users: bool = True
    today: datetime.date = field(default_factory=timezone.localdate)
    log: Callable[[str], None] = lambda message: None
    # territory: the municipalities, their services, directorates and places.
    chihuahua: Any = None
    villaflores: Any = None
    service_types: dict[str, Any] = field(default_factory=dict)  # code → ServiceType
    directorates: dict[str, Any] = field(default_factory=dict)  # key → Directorate
    colonias: list[Any] = field(default_factory=list)  # the Chihuahua colonias
    localities: list[Any] = field(default_factory=list)  # the Villaflores localities
    space_codes_by_zone: dict[int, list[str]] = field(default_factory=dict)  # lot → codes
    real_files: dict[str, Any] = field(default_factory=dict)  # key → imports.ParsedFile
    service_areas: dict[str, list[Any]] = field(default_factory=dict)  # key → ServiceArea list
    # accounts: username → User (empty with --no-users).
    users: dict[str, Any] = field(default_factory=dict)
    # contracts
    contracts: list[Any] = field(default_factory=list)
    # What seed_demo prints once loaded: (label, queryset counted then).
    counts: list[tuple[str, Any]] = field(default_factory=list)

    def random(self, name: str) -> random.Random:
        """A generator seeded by ``name``: the same numbers on every run."""
        return random.Random(f"{SEED}:{name}")  # noqa: S311 (synthetic data, not secrets)

    def count(self, label: str, queryset: Any) -> None:
        """Adds a line to the summary ``seed_demo`` prints: ``label`` and the queryset's count."""
        self.counts.append((label, queryset))


def app_seeders(labels: Iterable[str] | None = None) -> list[Seeder]:
    """The seeders the installed apps name in ``AppConfig.demo_seeders``, in app order (only
    those of the apps ``labels`` names, when given)."""
    return _named_steps("demo_seeders", labels)


def app_finishers() -> list[Seeder]:
    """The steps the installed apps name in ``AppConfig.demo_finishers``, in app order."""
    return _named_steps("demo_finishers", None)


def _named_steps(attribute: str, labels: Iterable[str] | None) -> list[Seeder]:
    steps = []
    for app_config in apps.get_app_configs():
        if labels is not None and app_config.label not in labels:
            continue
        for step in getattr(app_config, attribute, ()):
            steps.append(import_string(step) if isinstance(step, str) else step)
    return steps


@transaction.atomic
def seed(
    *,
    spaces: int = DEFAULT_SPACE_COUNT,
    with_users: bool = True,
    log: Callable[[str], None] | None = None,
) -> DemoContext:
    """Creates or refreshes the whole demo; see the module's docstring."""
    context = DemoContext(spaces=spaces, with_users=with_users, log=log or (lambda message: None))
    for step in [*app_seeders(), *app_finishers()]:
        started = time.monotonic()
        step(context)
        context.log(
            _("%(step)s took %(seconds).2f s.")
            % {"step": f"{step.__module__}.{step.__name__}", "seconds": time.monotonic() - started}
        )
    return context
