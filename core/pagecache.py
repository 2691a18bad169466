"""Whole-page cache for the busiest public pages, with invalidation on every write.

A page such as a space's costs a dozen queries and a template; a visitor on the map opens many.
``@public_page_cache`` keeps the rendered HTML a visitor without a session gets, per
municipality, language, URL and day, and serves it again while nothing it may show has
changed:

- **Invalidation.** A page names the apps whose rows it shows. Every save or delete of a
  model of those apps (Django's ``post_save``, ``post_delete`` and ``m2m_changed`` signals)
  replaces the *version* of that app for the row's municipality (or the app's global version,
  for rows without one) once the transaction commits (``transaction.on_commit``); the
  transaction itself, which alone sees its writes until then, gets no page from the cache. A
  cached page is served only while every version it was rendered under is current. A version
  is read *before* the page's data, and replaced *after* the data commits, so a page can never
  be stored under a version newer than what it shows. A space's page names the apps of its
  panels (``territory.panels.space_page_apps``): a complaint filed expires it, as it lists the
  space's open complaints; a committee's write does not.
- **Writes that send no signal**, and how each still bumps the version:

  - ``QuerySet.update()``: in the apps of :data:`APPS` it runs inside a service's
    transaction beside a ``save()``, ``delete()`` or many-to-many change of the same app,
    whose signal bumps that app's version at the commit (a contract's coverage and its
    obligations touch ``Contract.updated_at``; a merged complaint's status change; a card
    template's older versions), or it changes columns no cached page shows (a key's last use,
    e-mail outbox flags and marks, a guardian application's review, ARCO erasure of contact
    data). A new ``update()`` of something a page shows calls :func:`bump_on_commit`.
  - ``bulk_create()``: the rows belong to a parent saved in the same transaction, whose signal
    bumps the same app (a card's answers, a template's items, a test's answers), or no cached
    page shows them (findings' inbox messages and outbox rows). The demo seeders fill a new
    database before any page is cached; the benchmark generator, which bulk-creates whole
    tables, bumps every app with :func:`bump` when it is done.
  - The audit trail (``audit``, read by the contract page and an allocation's history)
    sends its signals but is not followed: each entry is appended in the transaction of the
    write it records, whose app's version bumps at the same commit.
  - Raw SQL: the reconciliation (``findings.reconcile``) calls :func:`bump_on_commit` for
    findings when its statements raised or linked anything; the benchmark generator as above.
- **Where.** The versions live in the shared cache (Redis in production: one round trip for
  all of them); the pages themselves in each worker's memory (an LRU of :data:`MAX_PAGES`),
  so a hit costs no database query and no transfer of the page. Entries also expire after
  :data:`TIMEOUT` seconds: the bound on staleness if a version change was lost while the
  cache was unreachable. With the cache down no version can be read and every page is
  rendered.
- **Per visitor.** The page's CSRF tokens and CSP nonce are the only per-request parts of an
  anonymous page; a hit gets this request's own (the masked token and the nonce are unique
  strings, replaced in the stored bytes). Visitors with a session or pending messages, and
  every method but GET and HEAD, bypass the cache.
- **What a page names.** Every page shows its municipality (``base.html``: name, logo,
  contacts), a row of ``territory``, so every page names ``territory``.
- **No transaction for a hit.** ``ATOMIC_REQUESTS`` wraps even a hit in a transaction (a
  ``BEGIN`` on SQLite; nothing is sent on PostgreSQL until a query): a read-only page is
  marked ``@transaction.non_atomic_requests`` above this decorator; a form, whose ``POST``
  writes, keeps its transaction.
"""

import re
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from functools import partial, wraps

from asgiref.local import Local
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

TIMEOUT = 300  # seconds a stored page may be served without a version change
MAX_PAGES = 512  # pages kept per worker (a space page is about 8 KB)
GLOBAL = "all"
#: The apps whose rows appear on public pages (the cache follows their writes): reviews adds
#: panels to the contract and company pages, which name reviewers (accounts). Not audit:
#: see the module's docstring.
APPS = (
    "accounts",
    "territory",
    "contracts",
    "guardians",
    "complaints",
    "committees",
    "findings",
    "reviews",
)

_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
_pages: OrderedDict = OrderedDict()
_lock = threading.Lock()
# For each version (app label, municipality id) this thread's open transaction wrote, a weak
# reference to the bump it registered with transaction.on_commit: a Local, as Django keeps
# its connections.
_state = Local()


def _version_key(app_label: str, scope) -> str:
    return f"pagecache:version:{app_label}:{scope}"


def bump(app_label: str, municipality_id=None) -> None:
    """A new version of an app's data for one municipality (``None``: for all of them)."""
    scope = GLOBAL if municipality_id is None else municipality_id
    cache.set(_version_key(app_label, scope), uuid.uuid4().hex, timeout=None)


def _registered() -> dict[tuple, weakref.ref]:
    try:
        return _state.registered
    except AttributeError:
        _state.registered = {}
        return _state.registered


def bump_on_commit(app_label: str, municipality_id=None) -> None:
    """Bumps once the current transaction commits (at once outside one), once per transaction
    and version however many rows it writes. Until then, :func:`public_page_cache` renders
    every page afresh for this transaction, which alone sees its writes.

    Once per transaction: a version keeps a weak reference to the bump it registered. Django
    holds the only strong one until it runs the bump at the commit, or drops it with a
    rolled-back transaction or savepoint (whose writes then need no bump); CPython frees it at
    once, so a live reference is a bump still waiting, and a dead one means a later write
    must register its own."""
    if not transaction.get_connection().in_atomic_block:
        bump(app_label, municipality_id)
        return
    version = (app_label, municipality_id)
    registered = _registered()
    waiting = registered.get(version)
    if waiting is not None and waiting() is not None:
        return
    callback = partial(bump, app_label, municipality_id)
    transaction.on_commit(callback)
    registered[version] = weakref.ref(callback)


def _writes_pending() -> bool:
    """Whether this thread's open transaction wrote rows a cached page may show."""
    return transaction.get_connection().in_atomic_block and any(
        waiting() is not None for waiting in _registered().values()
    )


def _current_versions(app_labels, municipality_id) -> tuple | None:
    """The versions a page depends on, creating missing ones; ``None`` when the cache cannot
    be read."""
    keys = [
        _version_key(label, scope) for label in app_labels for scope in (GLOBAL, municipality_id)
    ]
    found = cache.get_many(keys)
    versions = []
    for key in keys:
        value = found.get(key)
        if value is None:
            value = uuid.uuid4().hex
            if not cache.add(key, value, timeout=None):
                value = cache.get(key)  # another worker created it first
            if value is None:  # the cache is unreachable
                return None
        versions.append(value)
    return tuple(versions)


def data_versions(app_labels, municipality_id) -> tuple | None:
    """The current versions of these apps' data for the municipality (``None`` when the cache
    cannot be read): what an ETag may be built from, as the map's layers do
    (``territory.api.layers``), at no database query."""
    return _current_versions(app_labels, municipality_id)


def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and getattr(request, "municipality", None) is not None
    )


def _get(key):
    with _lock:
        entry = _pages.get(key)
        if entry is None:
            return None
        if entry["expires"] < time.monotonic():
            del _pages[key]
            return None
        _pages.move_to_end(key)
        return entry


def _put(key, entry) -> None:
    with _lock:
        _pages[key] = entry
        _pages.move_to_end(key)
        while len(_pages) > MAX_PAGES:
            _pages.popitem(last=False)


def clear_local() -> None:
    """Forgets this worker's stored pages (tests)."""
    with _lock:
        _pages.clear()


def _replay(request, entry):
    body = entry["content"]
    if entry["nonce"]:
        body = body.replace(entry["nonce"], str(request.csp_nonce).encode())
    for token in entry["csrf_tokens"]:
        body = body.replace(token, get_token(request).encode())
    response = HttpResponse(body, content_type=entry["content_type"])
    for header, value in entry["headers"]:
        response.headers[header] = value
    response.headers["X-Page-Cache"] = "hit"
    return response


def public_page_cache(depends_on):
    """Caches the view's 200 responses to visitors without a session (see the module).

    ``depends_on``: the labels of the apps whose rows the page shows, or a function returning
    them (called per request, so that it can follow a registry such as the space panels).
    """
    return partial(_decorate, depends_on=depends_on)


def _decorate(view, depends_on):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request) or _writes_pending():
            return view(request, *args, **kwargs)
        app_labels = depends_on() if callable(depends_on) else depends_on
        versions = _current_versions(app_labels, request.municipality.pk)
        if versions is None:
            return view(request, *args, **kwargs)
        key = (
            request.municipality.pk,
            request.get_host(),
            request.LANGUAGE_CODE,
            request.get_full_path(),
            timezone.localdate().isoformat(),
            *versions,
        )
        entry = _get(key)
        if entry is not None:
            return _replay(request, entry)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            content = response.content
            nonce = getattr(request, "_csp_nonce", None)  # set only if the page used it
            _put(
                key,
                {
                    "content": content,
                    "content_type": response["Content-Type"],
                    "headers": [
                        (h, v)
                        for h, v in response.headers.items()
                        if h.lower() not in ("content-type", "content-length", "set-cookie")
                    ],
                    "nonce": nonce.encode() if nonce else None,
                    "csrf_tokens": sorted(set(_CSRF_INPUT.findall(content))),
                    "expires": time.monotonic() + TIMEOUT,
                },
            )
        return response

    wrapper.page_cache_depends_on = depends_on  # type: ignore[attr-defined]  # for its tests
    return wrapper


# --- Invalidation ----------------------------------------------------------------------------


def _municipality_id(instance):
    """The municipality a row belongs to: its own, else that of the parent row named by its
    model's ``pagecache_parent`` when that row is already in memory (a complaint's update),
    else ``None``, which bumps the app's version for every municipality."""
    municipality_id = getattr(instance, "municipality_id", None)
    parent = getattr(type(instance), "pagecache_parent", None)
    if municipality_id is None and parent:
        field = instance._meta.get_field(parent)
        if field.is_cached(instance):
            municipality_id = getattr(field.get_cached_value(instance), "municipality_id", None)
    return municipality_id


def _changed(sender, instance=None, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata
        return
    bump_on_commit(sender._meta.app_label, _municipality_id(instance))


def _m2m_changed(sender, instance=None, action="", **kwargs) -> None:
    if action.startswith("post_"):
        municipality_id = getattr(instance, "municipality_id", None)
        bump_on_commit(instance._meta.app_label, municipality_id)
        bump_on_commit(kwargs["model"]._meta.app_label, municipality_id)  # the other side


def connect_signals() -> None:
    """Connects the invalidation to every model of :data:`APPS` (called once, at start-up)."""
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            uid = f"pagecache:{model._meta.label}"
            post_save.connect(_changed, sender=model, dispatch_uid=uid + ":save")
            post_delete.connect(_changed, sender=model, dispatch_uid=uid + ":delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    _m2m_changed, sender=field.remote_field.through, dispatch_uid=uid + field.name
                )
