"""Keeping whole pages: `cached_page` marks a view whose pages
`PageCacheMiddleware` keeps, each with the versions of what it shows
(articles/page_cache/versions.py), read in the same snapshot as its content.

A view says what its page shows with `shows(request, key, ...)`; a page that
says nothing shows `site`, which every change moves. A kept page is served
while those versions are current: one small query per request, whatever the
cache backend (shared or not). A view that reads those versions before its
content, or in the same statement (`cached_page(versions_first=True)`, then
`shows_at`), needs no snapshot: the article page, which most readers meet.

A page's key is its address with only the query parameters its view reads
(`cached_page(reads=...)`, normalised): tracking parameters and anything
unknown share the page's entry, and the view never sees them. `page_key` says
what bounds the cache's size against a client sweeping addresses.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
from collections.abc import Callable, Iterator, Mapping

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import SimpleTemplateResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.cache import patch_cache_control
from django.utils.http import quote_etag, urlencode

from .asked_pages import Asked, record_of_asked_pages
from .versions import SITE, current_tokens

Normaliser = Callable[[str], str | None]


@dataclasses.dataclass(frozen=True)
class CachedView:
    """What a cached view reads of the query string, and so what its cache key
    holds.

    `reads` maps each parameter the view reads to a normaliser: the value the
    view would treat alike for every spelling of it (`page=007` and `page=7`),
    or None where the view treats it as absent (`page=1`). Every other
    parameter (`utm_*`, `fbclid`, `gclid`, anything unknown) is dropped: from
    the key, and from the request the view sees, so the page it renders is the
    page any other spelling of its address would get from the cache.

    `shared_slots`: the parameters take any text (a search), so the pages of
    this path share `PAGE_CACHE_SEARCH_SLOTS` cache entries (see `page_key`).
    """

    reads: Mapping[str, Normaliser] = dataclasses.field(default_factory=dict)
    shared_slots: bool = False

    def query(self, request: HttpRequest) -> QueryDict:
        """The parameters of `request` the view reads, normalised, in a fixed
        order; the last value of a repeated one, as `QueryDict.get` gives it.
        A view that reads none (an article page) gets the one empty QueryDict,
        and the request's parameters are not parsed at all."""
        if not self.reads:
            return _no_parameters()
        params = request.GET
        kept = []
        for name in sorted(self.reads):
            if name in params:
                value = self.reads[name](params[name])
                if value is not None:
                    kept.append((name, value))
        return QueryDict(urlencode(kept))


@functools.cache
def _no_parameters() -> QueryDict:
    """An empty QueryDict, immutable as every request's GET: shared by the
    pages that read no parameter, which would each build one twice."""
    return QueryDict()


def page_number(value: str) -> str | None:
    """A page number as the views read it: leading zeros and `1` (the first
    page, as with no parameter) dropped; anything else kept for the view to
    answer 404, which is never cached."""
    if value.isascii() and value.isdigit() and len(value) < 7:
        number = str(int(value))
        return None if number == "1" else number
    return value


def cached_page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    reads: Mapping[str, Normaliser] | None = None,
    shared_slots: bool = False,
    versions_first: bool = False,
):
    """Let `PageCacheMiddleware` keep this view's pages; `reads` and
    `shared_slots` as in `CachedView`. Use it bare (`@cached_page`) for a view
    that reads no parameter, or `@cached_page(reads={"page": page_number})`.

    The view sees only the parameters it declares (in `request.GET` and the
    query string alike): one it forgot to declare is never there, in a fresh
    render as in the cache.

    The view runs in a read snapshot (`read_snapshot`), and the versions of
    what its page shows are read in the same snapshot after it: a change that
    commits while the page renders leaves the page with the versions from
    before, which no later request matches. Browsers get an ETag and
    revalidate every time, so the next reader after an edit sees it.

    `versions_first`: the view reads the versions of everything its page
    shows before anything it shows, or in the same statement, and says them
    with `shows_at`. Its reads then need no snapshot (a transaction, on
    SQLite its BEGIN and COMMIT a tenth of a cold page's cost): whatever
    commits while the page renders, its content is as new as its versions or
    newer, and a page kept with versions older than its content is only
    rendered again at its next request. A key it shows without a version is a
    mistake of the view's, which ImproperlyConfigured names.
    """
    spec = CachedView(dict(reads or {}), shared_slots)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def render_and_mark(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            _keep_only_what_is_read(request, spec)
            request.page_shows = []
            request.page_versions = {}
            reads = contextlib.nullcontext() if versions_first else read_snapshot()
            with reads:
                response = view(request, *args, **kwargs)
                if isinstance(response, SimpleTemplateResponse):
                    response.render()
                if _may_keep(response):
                    keys = tuple(dict.fromkeys(request.page_shows)) or (SITE,)
                    if versions_first:
                        versions = _versions_read_first(request, view, keys)
                    else:  # read now, in the page's snapshot
                        versions = current_tokens(keys)
                    response.page_cache_shown = (keys, versions)
            if _may_keep(response):
                patch_cache_control(
                    response, public=True, max_age=0, must_revalidate=True
                )
                _set_etag(response)
            return response

        render_and_mark.cached_view = spec
        return render_and_mark

    return decorate if view is None else decorate(view)


def shows(request: HttpRequest, *keys: str) -> None:
    """Say that the page being rendered shows what `keys` name
    (articles/page_cache/versions.py): it is kept until one of them changes.
    A page that says nothing shows `site`, which every change moves."""
    request.page_shows.extend(keys)


def shows_at(request: HttpRequest, versions: Mapping[str, str]) -> None:
    """Say that the page shows what the keys of `versions` name, at those
    versions, read before anything the page shows or in the same statement
    (a `versions_first` view's): the versions the page is kept with."""
    request.page_shows.extend(versions)
    request.page_versions.update(versions)


def _versions_read_first(
    request: HttpRequest, view: Callable, keys: tuple[str, ...]
) -> tuple[str, ...]:
    """The versions a `versions_first` view read of `keys` (`shows_at`)."""
    known = request.page_versions
    if missing := [key for key in keys if key not in known]:
        raise ImproperlyConfigured(
            f"{view.__module__}.{view.__qualname__} reads the versions of what "
            f"its page shows first (versions_first), but did not read those of "
            f"{', '.join(missing)}: say them with shows_at."
        )
    return tuple(known[key] for key in keys)


@contextlib.contextmanager
def read_snapshot() -> Iterator[None]:
    """Every query inside sees the database as of one moment: a transaction
    (Django's own, so that a view's `atomic` inside is a savepoint of it),
    REPEATABLE READ and READ ONLY on PostgreSQL, begun DEFERRED on SQLite (in
    WAL mode its reads share one snapshot and never block a writer; the
    settings' IMMEDIATE transactions would take the write lock). Inside a
    transaction already (a test's), that transaction is the snapshot."""
    connection = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy costs
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        mode, connection.transaction_mode = connection.transaction_mode, "DEFERRED"
        try:
            with transaction.atomic():
                connection.transaction_mode = mode
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
                )
        yield


def _keep_only_what_is_read(request: HttpRequest, spec: CachedView) -> None:
    query = spec.query(request)
    request.GET = query
    request.META["QUERY_STRING"] = query.urlencode()


class PageCacheMiddleware:
    """Answer a GET or HEAD from the cache while the versions of what the page
    shows are current; keep what `cached_page` views answer.

    A page is kept from its second request (PAGE_CACHE_FROM_SECOND_REQUEST,
    on by default), and the cache is asked for a page only once this machine
    has kept it (articles/page_cache/asked_pages.py). Most article pages are
    asked once in an hour (a reader from a search engine, a crawler's sweep):
    for each of them a trip to the cache would learn that it holds nothing,
    and writing the page there would cost more than its render (Redis shares
    the machine's cores) and fill the cache with pages nobody asks again. So
    a first request costs the render alone, the second a render and a write,
    and every later one a cache read. A page kept once and retired by a
    change is kept again at its next request.

    It sits near the top of MIDDLEWARE so that a cached page skips the session,
    CSRF, authentication and the view; the page is kept as those left it (with
    their headers), and it costs resolving its path, one small query and one
    cache read. A path no `cached_page` view answers (the admin, a 404) costs
    the resolving alone. Only a successful page that sets no cookie and does
    not ask to stay private is kept, and only such a page is noted as asked:
    no sweep of made-up addresses leaves anything behind.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        spec = _cached_view(request)
        if spec is None:
            return self.get_response(request)
        key, address = page_key(request, spec)
        record = record_of_asked_pages()
        slot = record.slot(key)
        asked = record.asked(slot)
        second_request = settings.PAGE_CACHE_FROM_SECOND_REQUEST
        if asked is Asked.KEPT or not second_request:
            stored = cache.get(key)
            if stored is not None and stored[0] == address:
                keys, tokens = stored[1]
                if current_tokens(keys) == tokens:
                    return stored[2]
        response = self.get_response(request)
        shown = getattr(response, "page_cache_shown", None)
        if shown is not None and _may_keep(response):
            del response.page_cache_shown
            if asked is Asked.NEVER and second_request:
                record.note(slot, kept=False)
            else:
                entry = (address, shown, response)
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
                record.note(slot, kept=True)
        return response


def _cached_view(request: HttpRequest) -> CachedView | None:
    """What the view of this GET or HEAD reads, if it is a `cached_page` one."""
    if request.method not in {"GET", "HEAD"}:
        return None
    path = request.path_info
    if len(path) > REMEMBERED_PATH_CHARS:
        return _resolved_view(get_urlconf(), path)
    return _view_at(get_urlconf(), path)


# Paths whose view is remembered: the pages asked again and again (which the
# cache holds) are found without resolving their path, some 40 us an article
# page; any other path costs one more entry, the oldest forgotten. Only paths
# as long as the site's own (an article's URL is at most 300 characters), so
# that a sweep of long made-up paths holds at most some 2 MB a process.
VIEWS_REMEMBERED = 4096
REMEMBERED_PATH_CHARS = 512


def _resolved_view(urlconf: str | None, path: str) -> CachedView | None:
    """The `CachedView` of the view that answers `path` under `urlconf`, or
    None."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return getattr(match.func, "cached_view", None)


# `_resolved_view`, remembered: a path resolves to the same view for as long
# as its URLconf is the same (a test that swaps it forgets these,
# `_urlconf_changed`).
_view_at = functools.lru_cache(maxsize=VIEWS_REMEMBERED)(_resolved_view)


@receiver(setting_changed)
def _urlconf_changed(setting: str, **_signal) -> None:
    if setting == "ROOT_URLCONF":
        _view_at.cache_clear()


def page_key(request: HttpRequest, spec: CachedView) -> tuple[str, str]:
    """The cache key of this request's page, and the page's address: its
    absolute URL with only the parameters the view reads, normalised. The
    address is stored with the page and compared on the way out, so a key
    shared by two addresses (a slot, below) never serves the wrong one.

    What one client can make the cache hold is bounded:
    - a parameter no view reads adds nothing (it is not in the address);
    - a page number past the last page, or any other page that does not exist,
      answers 404, which is never kept: a sweep of `?page=N` keeps only the
      pages there are;
    - a search (`shared_slots`) takes any text, so its addresses are
      unbounded: they share `PAGE_CACHE_SEARCH_SLOTS` keys per path, picked by
      a hash of the address, each holding the last search that landed in it.
      A sweep of `?q=random` then holds at most that many entries (1,000 by
      default: some 20 MB in Redis at about 20 KB a results page), however
      long it goes on; it can push popular searches out of their slots, which
      costs their next reader a render, never memory.
    So the cache holds at most the site's own pages (times its host names,
    http/https and the trailing slash of the URLs that take one) plus the
    search's slots.
    """
    address = request.build_absolute_uri(request.path)
    query = spec.query(request).urlencode()
    if query:
        address += "?" + query
    digest = hashlib.blake2b(
        (served_with() + address).encode(), digest_size=16
    ).digest()
    if not spec.shared_slots:
        return "page:" + digest.hex(), address
    slots = max(settings.PAGE_CACHE_SEARCH_SLOTS, 1)  # 0 would divide by zero
    slot = int.from_bytes(digest[:8], "big") % slots
    path = hashlib.blake2b(request.path.encode(), digest_size=16).hexdigest()
    return f"page:{path}:{slot}", address


@functools.cache
def served_with() -> str:
    """What the settings put on a kept page besides its content: the
    Content-Security-Policy headers, which django-csp sets below the page
    cache. Part of every page's key, so that pages kept under another policy
    are never served."""
    return repr(
        [
            getattr(settings, "CONTENT_SECURITY_POLICY", None),
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None),
        ]
    )


@receiver(setting_changed)
def _policy_changed(setting: str, **_signal) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        served_with.cache_clear()


def _set_etag(response: HttpResponse) -> None:
    """Django's `set_response_etag` (a digest of the content, so that any
    change of the page is a new ETag) with SHA-1 for its MD5: 7 µs a page
    where MD5 took 18 (this machine's processors compute SHA-1 in hardware,
    and OpenSSL's is no slower than its MD5 elsewhere). Nothing but equality
    is asked of the digest."""
    if response.content:
        digest = hashlib.sha1(response.content, usedforsecurity=False)
        response.headers["ETag"] = quote_etag(digest.hexdigest())


def _may_keep(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )
