"""Whole public pages kept in the cache until what they show changes.

Views marked with `cached_page` have their pages kept by `PageCacheMiddleware`.

Every page is cached under its absolute URL together with the content version
(`ContentVersion.token`) that was current when it was rendered. A change that
readers could see (an article, subject or related link saved or deleted, an
import that wrote something) stores a new token in the same transaction, which
retires every cached page at once: nothing has to know which pages showed the
changed article (its own, its subject's, the home page, the feeds, the pages
that link to it, the search results). Reading the token costs one small query
per request; in return the cache backend may be anything, shared or not, and
an import run from a shell invalidates the web server's pages.

A page's key is its address with only the query parameters its view reads
(`cached_page(reads=...)`, normalised): tracking parameters and anything
unknown share the page's entry, and the view never sees them. `page_key` says
what bounds the cache's size against a client sweeping addresses.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import uuid
from collections.abc import Callable, Mapping

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import SimpleTemplateResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import urlencode

from .models import Article, ContentVersion, Subject


def current_token() -> str | None:
    """The content version now, or None if its row is gone. One query, in plain
    SQL: it runs on every page view, and the ORM would cost more than the query."""
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL)
        row = cursor.fetchone()
    return row[0] if row else None


_TOKEN_SQL = "SELECT {token} FROM {table} WHERE {id} = 1".format(
    token=connection.ops.quote_name("token"),
    table=connection.ops.quote_name(ContentVersion._meta.db_table),
    id=connection.ops.quote_name("id"),
)


def content_changed(**_signal_arguments) -> None:
    """Retire every cached page. Call it inside the transaction that made the
    change, so the two commit (or roll back) together. One query."""
    if not ContentVersion.objects.filter(pk=1).update(token=uuid.uuid4().hex):
        ContentVersion.objects.create(pk=1, token=uuid.uuid4().hex)


def connect_signals() -> None:
    """Saving or deleting an article or a subject retires the cached pages.

    Related links are written with their article, which is saved with them (the
    admin's form and actions); a signal per link would cost a query per link.
    Bulk writes send no signals: the importer calls `content_changed` itself.
    """
    for model in (Article, Subject):
        post_save.connect(content_changed, sender=model, dispatch_uid=f"pc-{model}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"pd-{model}")


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

    def query(self, params: QueryDict) -> QueryDict:
        """The parameters the view reads, normalised, in a fixed order; the
        last value of a repeated one, as `QueryDict.get` gives it."""
        kept = []
        for name in sorted(self.reads):
            if name in params:
                value = self.reads[name](params[name])
                if value is not None:
                    kept.append((name, value))
        return QueryDict(urlencode(kept))


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
):
    """Let `PageCacheMiddleware` keep this view's pages; `reads` and
    `shared_slots` as in `CachedView`. Use it bare (`@cached_page`) for a view
    that reads no parameter, or `@cached_page(reads={"page": page_number})`.

    The view sees only the parameters it declares (in `request.GET` and the
    query string alike): one it forgot to declare is never there, in a fresh
    render as in the cache.

    The content version is read before the view runs: a change that commits
    while the page renders leaves the page under the older version, which no
    later request matches. Browsers get an ETag and revalidate every time, so
    the next reader after an edit sees it.
    """
    spec = CachedView(dict(reads or {}), shared_slots)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def render_and_mark(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            _keep_only_what_is_read(request, spec)
            token = current_token()
            response = view(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                response.render()
            if token is not None and _may_keep(response):
                patch_cache_control(
                    response, public=True, max_age=0, must_revalidate=True
                )
                set_response_etag(response)
                response.page_cache_token = token
            return response

        render_and_mark.cached_view = spec
        return render_and_mark

    return decorate if view is None else decorate(view)


def _keep_only_what_is_read(request: HttpRequest, spec: CachedView) -> None:
    query = spec.query(request.GET)
    request.GET = query
    request.META["QUERY_STRING"] = query.urlencode()


class PageCacheMiddleware:
    """Answer a GET or HEAD from the cache while the page's content version is
    current; keep what `cached_page` views answer.

    It sits near the top of MIDDLEWARE so that a cached page skips the session,
    CSRF, authentication and the view; the page is kept as those left it (with
    their headers), and it costs resolving its path, one small query and one
    cache read. A path no `cached_page` view answers (the admin, a 404) costs
    the resolving alone. Only a successful page that sets no cookie and does
    not ask to stay private is kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        spec = _cached_view(request)
        if spec is None:
            return self.get_response(request)
        key, address = page_key(request, spec)
        stored = cache.get(key)
        if stored is not None and stored[1] == address:
            if stored[0] == current_token():
                return stored[2]
        response = self.get_response(request)
        token = getattr(response, "page_cache_token", None)
        if token is not None and _may_keep(response):
            del response.page_cache_token
            entry = (token, address, response)
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        return response


def _cached_view(request: HttpRequest) -> CachedView | None:
    """What the view of this GET or HEAD reads, if it is a `cached_page` one."""
    if request.method not in {"GET", "HEAD"}:
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return getattr(match.func, "cached_view", None)


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
    query = spec.query(request.GET).urlencode()
    if query:
        address += "?" + query
    digest = hashlib.blake2b(address.encode(), digest_size=16).digest()
    if not spec.shared_slots:
        return "page:" + digest.hex(), address
    slots = max(settings.PAGE_CACHE_SEARCH_SLOTS, 1)  # 0 would divide by zero
    slot = int.from_bytes(digest[:8], "big") % slots
    path = hashlib.blake2b(request.path.encode(), digest_size=16).hexdigest()
    return f"page:{path}:{slot}", address


def _may_keep(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )
