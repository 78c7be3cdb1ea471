"""A request to the admin whose address holds a NUL character answers 400.

No text field can take one (PostgreSQL refuses it in any string, and a query
with it fails with a 500 there, where SQLite would quietly search for it), so
any admin page given one in its path or its query (`?q=%00`, a filter, an
autocomplete's term) is refused before a view runs. A form's fields refuse it
themselves (Django's ProhibitNullCharactersValidator); the request's body is
never read here, so the import upload's guard still sees it first.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from articles.paths import path_of

REFUSAL = "Bad request: the address holds a NUL character (%00), which no field takes."


class RejectNulMiddleware:
    """Answer 400, in one log line, to an admin request with NUL in its address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The admin's path is asked only of an address with a NUL: most have
        # none. `request.path` holds the script prefix, as the admin's path does.
        if _holds_nul(request) and request.path.startswith(path_of("admin:index")):
            return HttpResponseBadRequest(REFUSAL, content_type="text/plain")
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    """Whether the path or the query string holds a NUL, raw or %-encoded (in
    the query a + is a space; neither hides one)."""
    query = request.META.get("QUERY_STRING", "")
    return "\x00" in request.path_info or b"\x00" in unquote_to_bytes(query)
