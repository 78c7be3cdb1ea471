"""A request for a host the site does not serve is answered 400 before anything
else reads its Host header.

Django checks the Host header against ALLOWED_HOSTS whenever something asks
for it (`request.get_host()`): the SSL redirect, the page cache's key (the
page's absolute URL), CSRF, a view. Wherever that happens, the DisallowedHost
it raises is logged as an ERROR with its traceback, 20-odd lines for what is
only a scanner or a misconfigured proxy at the door. Checked here, first, it
costs one warning line on `django.security.DisallowedHost`, the logger
Django's documentation suggests silencing, and a plain 400.
"""

from __future__ import annotations

import logging

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response
from django.views.defaults import bad_request

logger = logging.getLogger("django.security.DisallowedHost")


class HostCheckMiddleware:
    """First in MIDDLEWARE: no other middleware meets a disallowed host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request.get_host()
        except DisallowedHost as refused:
            response = bad_request(request, refused)
            # One line, no traceback; marks the response as logged, so that
            # Django's request logger does not add a "Bad Request" line.
            log_response(
                "%s",
                str(refused),
                request=request,
                response=response,
                level="warning",
                logger=logger,
            )
            return response
        return self.get_response(request)
