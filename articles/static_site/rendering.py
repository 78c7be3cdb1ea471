"""A page of the site rendered through the project's own URLconf and views,
as the dynamic site answers it, for the build to write.

The request is made here rather than through the test client: no middleware
runs (the page cache would keep every page, the session and CSRF add nothing
to a public page), and the view is the one `resolve()` names, so a built page
is the page the dynamic site serves at that address.
"""

from __future__ import annotations

import dataclasses
import io
from urllib.parse import urlsplit

from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404
from django.template.response import SimpleTemplateResponse
from django.urls import Resolver404, resolve
from django.utils.html import escape
from django.views.defaults import page_not_found


class BuildRequest(WSGIRequest):
    """A GET of the build, for the host of its base URL: that host is the
    build's own choice, not a client's header, so it is not checked against
    ALLOWED_HOSTS (which lists where the dynamic site answers)."""

    build_host: str = ""

    def get_host(self) -> str:
        return self.build_host


def make_request(base_url: str, path: str, query: str = "") -> BuildRequest:
    """A GET of `path?query` at `base_url` (`https://learn.example.org`)."""
    base = urlsplit(base_url)
    secure = base.scheme == "https"
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        "SERVER_NAME": base.hostname or "localhost",
        "SERVER_PORT": str(base.port or (443 if secure else 80)),
        "HTTP_HOST": base.netloc,
        "wsgi.url_scheme": base.scheme or "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    request = BuildRequest(environ)
    request.build_host = base.netloc
    return request


@dataclasses.dataclass(frozen=True)
class Rendered:
    """What the site answered: its status and body (a redirect's body is a
    small page that sends the reader on, for a host that cannot answer 301)."""

    status: int
    content: bytes


def render_page(base_url: str, path: str, query: str = "") -> Rendered:
    """The page at `path?query` as the site's view renders it; a 404 for an
    address the site does not answer. The view's queries (see views.py)."""
    request = make_request(base_url, path, query)
    try:
        match = resolve(path)
        request.resolver_match = match
        response = match.func(request, *match.args, **match.kwargs)
    except (Resolver404, Http404) as missing:
        response = page_not_found(request, missing)
    if isinstance(response, SimpleTemplateResponse):
        response.render()
    if response.status_code in (301, 302):
        return Rendered(response.status_code, redirect_page(response["Location"]))
    return Rendered(response.status_code, response.content)


def not_found_page(base_url: str) -> bytes:
    """The site's 404 page, for `404.html`."""
    request = make_request(base_url, "/404.html")
    return page_not_found(request, Http404()).content


def redirect_page(location: str) -> bytes:
    """A page that sends the reader (and search engines, by its canonical
    link) on to `location`: a static host's stand-in for a 301."""
    where = escape(location)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<title>Moved</title><link rel="canonical" href="{where}">'
        f'<meta http-equiv="refresh" content="0; url={where}"></head>'
        f'<body><p>This page has moved to <a href="{where}">{where}</a>.</p>'
        "</body></html>\n"
    ).encode()
