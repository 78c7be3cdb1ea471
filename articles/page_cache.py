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
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_cache_control, set_response_etag

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


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let `PageCacheMiddleware` keep this view's pages.

    The content version is read before the view runs: a change that commits
    while the page renders leaves the page under the older version, which no
    later request matches. Browsers get an ETag and revalidate every time, so
    the next reader after an edit sees it.
    """

    @functools.wraps(view)
    def render_and_mark(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = current_token()
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        if token is not None and _may_keep(response):
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
            set_response_etag(response)
            response.page_cache_token = token
        return response

    return render_and_mark


class PageCacheMiddleware:
    """Answer a GET or HEAD from the cache while the page's content version is
    current; keep what `cached_page` views answer.

    It sits near the top of MIDDLEWARE so that a cached page skips the session,
    CSRF, authentication and URL resolving; the page is kept as those left it
    (with their headers), and it costs one small query and one cache read.
    Only a successful page that sets no cookie and does not ask to stay
    private is kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        key = page_key(request)
        stored = cache.get(key)
        if stored is not None and stored[0] == current_token():
            return stored[1]
        response = self.get_response(request)
        token = getattr(response, "page_cache_token", None)
        if token is not None and _may_keep(response):
            del response.page_cache_token
            cache.set(key, (token, response), settings.PAGE_CACHE_SECONDS)
        return response


def page_key(request: HttpRequest) -> str:
    """The cache key of the page at this request's absolute URL."""
    url = request.build_absolute_uri().encode()
    return "page:" + hashlib.blake2b(url, digest_size=16).hexdigest()


def _may_keep(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )
