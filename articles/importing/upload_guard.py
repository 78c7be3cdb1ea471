"""The admin's import upload page, guarded before its request body is read.

Django parses a multipart body, writing its files to temporary files, the first
time something reads request.POST or request.FILES. CsrfViewMiddleware does so
in process_view, before the admin or the view asks who is uploading. Every
middleware's request phase runs before any process_view, so
`ImportUploadGuardMiddleware` answers a POST to the upload page (the URL name
admin:articles_importbatch_upload) itself when it must be refused:

- nobody logged in, or not active staff: a redirect to the admin's login, as
  the admin would answer;
- staff without the permission articles.import_articles: 403, as the page would;
- a Content-Length over IMPORT_MAX_UPLOAD_BYTES: 413, on a page naming the limit;

each before a byte of the body is read (not by raising PermissionDenied:
Django's 403 view reads the body, looking for a CSRF token). Any other upload
has its body parsed here, with `UploadBodyLimit` first among the upload
handlers: it counts the files' bytes as they stream in and stops the upload
past the limit, whatever the headers said (413, the same page). More files
than DATA_UPLOAD_MAX_NUMBER_FILES get that page too, instead of a bare 400.

Every other request passes untouched, at the cost of one URL resolution for a
POST. Nothing of the project's admin or views is imported: the path is resolved
to its URL name, and the refusal page has the look of Django's admin site.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse

from articles.models import ImportBatch

from .uploads import in_megabytes

UPLOAD_URL_NAME = "admin:articles_importbatch_upload"
IMPORT_PERMISSION = "articles.import_articles"
REFUSAL_TEMPLATE = "admin/articles/importbatch/upload_refused.html"


class ImportUploadGuardMiddleware:
    """Refuses an upload to the admin's import page before reading its body,
    or stops it past the limit; lets every other request through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and is_upload_url(request):
            refusal = guard_upload(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)


class UploadBodyLimit(FileUploadHandler):
    """An upload handler, to come first: passes the files' bytes on to the next
    handler while counting them, and stops the upload once they pass `limit`.
    The file being received is then closed (a temporary file removed), and the
    rest of the body is not read."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        self.received = 0
        self.stopped = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.stopped = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file


def is_upload_url(request: HttpRequest) -> bool:
    """Whether the request is for the import upload page. One URL resolution."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.view_name == UPLOAD_URL_NAME


def guard_upload(request: HttpRequest) -> HttpResponse | None:
    """The answer to an upload that may not go on, or None once its body is
    parsed within the limit. The body is read only for a user who may import;
    the permission check may cost a query or two."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not user.has_perm(IMPORT_PERMISSION):
        return refusal_page(
            request,
            "Importing files needs the permission to import articles (the "
            "Importers role).",
            status=403,
        )
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    declared = declared_length(request)
    if declared > limit:
        return refusal_page(
            request,
            f"The upload is {in_megabytes(declared)}; an upload may be "
            f"{in_megabytes(limit)} at most. Upload its files in parts.",
        )
    return parse_within(request, limit)


def parse_within(request: HttpRequest, limit: int) -> HttpResponse | None:
    """Parse the upload's body now, so that no view sees a part of an upload,
    stopping past `limit` bytes of files; the refusal page if it was stopped.
    Writes at most `limit` bytes to temporary files."""
    counter = UploadBodyLimit(limit)
    request.upload_handlers.insert(0, counter)
    try:
        request.FILES  # noqa: B018 (parses the body)
    except TooManyFilesSent:
        most = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return refusal_page(
            request,
            f"An upload may hold {most:,} files at most; put more in a .zip archive.",
        )
    if counter.stopped:
        request.close()  # removes the files received before the limit, now
        return refusal_page(
            request,
            f"The upload is more than {in_megabytes(limit)}; an upload may be "
            f"{in_megabytes(limit)} at most. Upload its files in parts.",
        )
    return None


def declared_length(request: HttpRequest) -> int:
    """The body's length as its Content-Length header says; 0 if it says none."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def refusal_page(request: HttpRequest, refusal: str, status: int = 413) -> HttpResponse:
    """The upload page's heading and why the upload was refused; for a 413, a
    link to try again. Reads nothing of the request's body."""
    context = {
        **admin.site.each_context(request),
        "opts": ImportBatch._meta,
        "title": "Import article files",
        "refusal": refusal,
        "may_try_again": status == 413,
    }
    return render(request, REFUSAL_TEMPLATE, context, status=status)
