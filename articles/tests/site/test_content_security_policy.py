"""Every page carries a Content-Security-Policy that allows nothing inline, and
no page, public or admin, has inline code the policy would refuse.

The browser test (articles/tests/browser/test_content_security_policy.py)
shows KaTeX and the admin working under it in Chromium.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.contrib.auth.models import User
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, ImportBatch
from quicktakes.security_policy import PolicyMiddleware

from ..conftest import MATH_URL

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(response) -> dict[str, str]:
    """The response's Content-Security-Policy, directive by directive."""
    header = response["Content-Security-Policy"]
    pairs = (part.strip().split(" ", 1) for part in header.split(";"))
    return dict(pairs)


class InlineCode(HTMLParser):
    """What of a page a policy without 'unsafe-inline' refuses: scripts without
    `src` (JSON-LD is data, not script), <style>, style and on… attributes,
    javascript: URLs."""

    DATA_TYPES = {"application/ld+json", "application/json"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "style":
            self.found.append("<style>")
        if (
            tag == "script"
            and not attributes.get("src")
            and attributes.get("type") not in self.DATA_TYPES
        ):
            self.found.append(f"<script {attrs}>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


def inline_code(response) -> list[str]:
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.found


def test_a_page_carries_the_policy(client, demo_site):
    response = client.get(MATH_URL)

    assert response.status_code == 200
    assert directives(response) == POLICY


def test_a_page_from_the_cache_carries_the_policy_in_force(client, demo_site, settings):
    client.get(MATH_URL)
    client.get(MATH_URL)  # kept from its second request
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**POLICY, "img-src": ["'self'", "https://images.example"]}
    }

    response = client.get(MATH_URL)
    client.get(MATH_URL)  # kept under the new policy's key from its second request
    with CaptureQueriesContext(connection) as queries:
        again = client.get(MATH_URL)

    assert directives(response)["img-src"] == "'self' https://images.example"
    assert len(queries) == 1  # the versions of what it shows: from the cache
    assert directives(again)["img-src"] == "'self' https://images.example"


@pytest.mark.parametrize(
    "page_type",
    [
        "home",
        "subjects",
        "subject",
        "article-math",
        "article-table-code",
        "search-results",
        "search-empty",
        "not-found",
    ],
)
def test_no_public_page_has_inline_code(client, demo_site, page_type):
    response = client.get(demo_site.pages[page_type])

    assert directives(response) == POLICY
    assert inline_code(response) == []


def test_the_article_page_keeps_its_json_ld_as_data(client, demo_site):
    page = client.get(MATH_URL).content.decode()

    assert '<script type="application/ld+json">' in page


def admin_pages(article: Article, batch: ImportBatch) -> list[str]:
    change = reverse("admin:articles_article_change", args=[article.pk])
    return [
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_add"),
        change,
        reverse("admin:articles_article_history", args=[article.pk]),
        reverse("admin:articles_article_compare", args=[article.pk]),
        reverse("admin:articles_article_worklist_dangling"),
        reverse("admin:articles_article_worklist_few_links"),
        reverse("admin:articles_article_worklist_suggestions", args=[article.pk]),
        reverse("admin:articles_subject_changelist"),
        reverse("admin:articles_importbatch_changelist"),
        reverse("admin:articles_importbatch_upload"),
        reverse("admin:articles_importbatch_change", args=[batch.pk]),
        reverse("admin:password_change"),
    ]


def test_no_admin_page_has_inline_code(client, demo_site):
    client.force_login(User.objects.create_superuser("root", "r@example.com", "pw"))
    pages = admin_pages(demo_site.math, ImportBatch.objects.get())

    found = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert directives(response) == POLICY, url
        if problems := inline_code(response):
            found[url] = problems

    assert found == {}


def test_the_login_page_has_no_inline_code(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert inline_code(response) == []


def _through(middleware_class, view):
    """The request and response of a GET answered by `view` through
    `middleware_class`."""
    request = RequestFactory().get("/somewhere/")
    return request, middleware_class(view)(request)


def _plain(request):
    return HttpResponse("ok")


@csp_update({"img-src": "https://images.example"})
def _updating(request):
    return HttpResponse("ok")


@csp_exempt()
def _exempt(request):
    return HttpResponse("ok")


def _with_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


@pytest.mark.parametrize("view", [_plain, _updating, _exempt, _with_nonce])
@pytest.mark.parametrize("nonce_in_policy", [False, True])
def test_the_headers_are_django_csps_own(view, nonce_in_policy, settings):
    if nonce_in_policy:
        settings.CONTENT_SECURITY_POLICY = {
            "DIRECTIVES": {**POLICY, "script-src": [SELF, NONCE]}
        }

    _, ours = _through(PolicyMiddleware, view)
    _, theirs = _through(CSPMiddleware, view)

    def policy_headers(response):
        return {k: v for k, v in response.items() if "Security-Policy" in k}

    # The nonces differ, request by request; everything else is the same.
    nonce = re.compile(r"'nonce-[^']+'")
    assert {k: nonce.sub("N", v) for k, v in policy_headers(ours).items()} == {
        k: nonce.sub("N", v) for k, v in policy_headers(theirs).items()
    }
    assert bool(policy_headers(ours)) == (view is not _exempt)


def test_a_nonce_asked_for_after_the_header_is_written_is_refused():
    request, _ = _through(PolicyMiddleware, _plain)

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_report_only_policy_is_sent_as_report_only(client, demo_site, settings):
    settings.CONTENT_SECURITY_POLICY = None
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {**POLICY, "img-src": ["'self'", "https://images.example"]}
    }

    response = client.get(MATH_URL)
    header = response["Content-Security-Policy-Report-Only"]

    assert "Content-Security-Policy" not in response
    assert "img-src 'self' https://images.example" in header.split("; ")
