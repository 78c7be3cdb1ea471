"""A plain static file server over a built site, as a static host serves
one: Python's http.server in a thread, `404.html` for a missing file (as
GitHub Pages, Netlify and most hosts do), and a test client for it."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Handler(SimpleHTTPRequestHandler):
    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        content = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def log_message(self, format, *args):
        pass  # quiet: a test's output is its failures


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve `folder` at the URL this yields (http://127.0.0.1:PORT)."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclasses.dataclass
class Response:
    status_code: int
    content: bytes
    content_type: str
    url: str  # where redirects ended


class StaticClient:
    """`get(path)` as Django's test client has it, over HTTP to a static
    server, following its redirects (an article's URL to its folder)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def get(self, path: str) -> Response:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=10) as answer:
                return Response(
                    answer.status,
                    answer.read(),
                    answer.headers.get_content_type(),
                    answer.url,
                )
        except urllib.error.HTTPError as error:
            return Response(
                error.code, error.read(), error.headers.get_content_type(), error.url
            )
