"""Whole public pages kept in the cache until what they show changes.

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
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_cache_control, set_response_etag

from .models import Article, ContentVersion, RelatedLink, Subject


def current_token() -> str | None:
    """The content version now, or None if its row is gone. One query."""
    return ContentVersion.objects.filter(pk=1).values_list("token", flat=True).first()


def content_changed(**_signal_arguments) -> None:
    """Retire every cached page. Call it inside the transaction that made the
    change, so the two commit (or roll back) together. One query."""
    if not ContentVersion.objects.filter(pk=1).update(token=uuid.uuid4().hex):
        ContentVersion.objects.create(pk=1, token=uuid.uuid4().hex)


def connect_signals() -> None:
    """Saving or deleting anything a reader sees retires the cached pages.

    Bulk writes send no signals: the importer calls `content_changed` itself.
    """
    for model in (Article, Subject, RelatedLink):
        post_save.connect(content_changed, sender=model, dispatch_uid=f"pc-{model}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"pd-{model}")


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the cache while the content version holds.

    Only a successful GET or HEAD page that sets no cookie and does not ask to
    stay private is kept. Browsers get an ETag and revalidate each time, so an
    edit is what the next reader sees.
    """

    @functools.wraps(view)
    def serve(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return view(request, *args, **kwargs)
        token = current_token()
        key = page_key(request)
        stored = cache.get(key)
        if token is not None and stored is not None and stored[0] == token:
            return stored[1]
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        if token is not None and _may_keep(response):
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
            set_response_etag(response)
            cache.set(key, (token, response), settings.PAGE_CACHE_SECONDS)
        return response

    return serve


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
