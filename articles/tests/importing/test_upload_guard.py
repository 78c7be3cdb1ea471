"""The import upload page's guard: an upload from anyone who may not import, or
larger than IMPORT_MAX_UPLOAD_BYTES, is refused before its body is read, so
nothing of it reaches the disk; a body that gets past the headers is stopped as
it streams in. A refusal is a page naming the limit, never a 500."""

from __future__ import annotations

import http.client
import io
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from articles.importing.upload_guard import (
    ImportUploadGuardMiddleware,
    UploadBodyLimit,
)
from articles.models import ImportBatch

from ..factories import article_upload, importers_group, submit

UPLOAD = "/admin/articles/importbatch/upload/"
MEDICINE = "/learn/medicine/questions/"
LOGIN = "/admin/login/?next=/admin/articles/importbatch/upload/"
MiB = 1024 * 1024


@pytest.fixture
def upload_temp_dir(settings, tmp_path) -> Path:
    """Where Django writes uploaded files while it receives them."""
    folder = tmp_path / "upload-temp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def staged(staging_dir: Path) -> list[Path]:
    return list(staging_dir.rglob("*")) if staging_dir.exists() else []


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def start_upload(live_server, cookie: str, declared: int, sent: int):
    """POST to the upload page a body whose Content-Length says `declared`
    bytes, send only its first `sent`, and wait (10 s at most) for the answer:
    it comes this early only if the server answers without reading the body.
    Returns the open connection and the response."""
    url = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.putrequest("POST", UPLOAD)
    connection.putheader("Content-Type", MULTIPART_CONTENT)
    connection.putheader("Content-Length", str(declared))
    # Any client can send a CSRF cookie, and with one CsrfViewMiddleware reads
    # the body to find the form's token.
    connection.putheader("Cookie", f"csrftoken={'a' * 32}; {cookie}")
    connection.endheaders()
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="files"; filename="big.zip"\r\n'
        "Content-Type: application/zip\r\n\r\n"
    ).encode()
    connection.send(head + bytes(sent))
    return connection, connection.getresponse()


def end_upload(connection: http.client.HTTPConnection) -> None:
    """Stop sending, and wait for the server to close the connection: it is
    done with the request (the test server reads what is left of a body)."""
    connection.sock.shutdown(socket.SHUT_WR)
    while connection.sock.recv(65536):
        pass
    connection.close()


def make_user(who: str) -> User | None:
    if who == "anonymous":
        return None
    user = User.objects.create_user(who, is_staff=who != "reader")
    if who == "importer":
        user.groups.add(importers_group())
    return user


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "who, megabytes, status, answer",
    [
        ("anonymous", 300, 302, LOGIN),
        ("reader", 300, 302, LOGIN),
        ("staff", 300, 403, "needs the permission to import articles"),
        ("importer", 600, 413, "an upload may be 512 MB at most"),
    ],
)
def test_an_upload_that_may_not_go_on_is_refused_before_a_byte_is_written(
    live_server, upload_temp_dir, staging_dir, who, megabytes, status, answer
):
    user = make_user(who)
    cookie = session_cookie(user) if user else ""

    connection, response = start_upload(
        live_server, cookie, declared=megabytes * MiB, sent=256 * 1024
    )

    try:
        page = response.read().decode()
        assert response.status == status
        assert answer in (response.getheader("Location") or page)
        # Answered with hundreds of MB still to come, and nothing of it on disk.
        assert list(upload_temp_dir.iterdir()) == []
        assert staged(staging_dir) == []
    finally:
        end_upload(connection)


@pytest.mark.django_db
def test_an_upload_over_the_limit_is_refused_naming_it_and_nothing_is_staged(
    importer, settings, staging_dir
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1 * MiB
    big = SimpleUploadedFile("big.md", bytes(2 * MiB))

    response = importer.post(UPLOAD, {"files": [big]})

    assert response.status_code == 413
    page = response.content.decode()
    assert (
        "The upload is 2.0 MB; an upload may be 1 MB at most. Upload its files in "
        "parts." in page
    )
    assert "<h1>Import article files</h1>" in page
    assert staged(staging_dir) == []
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_an_upload_within_the_limit_goes_on_to_its_dry_run(importer, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1 * MiB

    response = submit(
        importer,
        UPLOAD,
        {"files": [article_upload("a.md", MEDICINE + "a")]},
        follow=True,
    )

    assert (
        "This is a dry run: nothing has been written yet" in response.content.decode()
    )
    assert ImportBatch.objects.get().file_names == ["a.md"]


@pytest.mark.django_db
def test_more_files_than_may_be_picked_are_refused_with_a_page_saying_so(
    importer, settings, staging_dir
):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [article_upload(f"{n}.md", MEDICINE + str(n)) for n in "abc"]

    response = importer.post(UPLOAD, {"files": files})

    assert response.status_code == 413
    assert (
        "An upload may hold 2 files at most; put more in a .zip archive."
        in response.content.decode()
    )
    assert staged(staging_dir) == []


@pytest.mark.django_db
def test_a_body_its_header_understates_is_stopped_as_it_streams_in(
    rf, settings, upload_temp_dir, staging_dir
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1 * MiB
    request = rf.post(UPLOAD, {"files": [SimpleUploadedFile("big.md", bytes(3 * MiB))]})
    # A header saying less than the body holds: WSGI servers cut the body to it,
    # but an ASGI request's body is not, so only the count can stop it.
    request.META["CONTENT_LENGTH"] = "1000"
    request.user = make_user("importer")

    def view(request):
        pytest.fail("the upload page saw the upload")

    response = ImportUploadGuardMiddleware(view)(request)

    assert response.status_code == 413
    assert (
        "The upload is more than 1 MB; an upload may be 1 MB at most."
        in response.content.decode()
    )
    assert list(upload_temp_dir.iterdir()) == []
    assert staged(staging_dir) == []


def test_the_body_limit_stops_reading_at_the_file_that_passes_it(
    settings, upload_temp_dir
):
    files = [
        SimpleUploadedFile("a.md", bytes(300 * 1024)),
        SimpleUploadedFile("b.md", bytes(300 * 1024)),
        SimpleUploadedFile("c.md", bytes(300 * 1024)),
    ]
    body = encode_multipart(BOUNDARY, {"csrfmiddlewaretoken": "t", "files": files})
    stream = io.BytesIO(body)
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    counter = UploadBodyLimit(500 * 1024)
    handlers = [counter, TemporaryFileUploadHandler()]

    post, received = MultiPartParser(meta, stream, handlers).parse()

    assert counter.stopped
    assert post["csrfmiddlewaretoken"] == "t"
    assert [file.name for file in received.getlist("files")] == ["a.md"]
    # b.md's temporary file was removed when the upload stopped; c.md never read.
    assert [p.stat().st_size for p in upload_temp_dir.iterdir()] == [300 * 1024]
    assert stream.tell() < len(body) - 300 * 1024
    received["files"].close()
    assert list(upload_temp_dir.iterdir()) == []
