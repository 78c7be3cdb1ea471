"""A crawler walks the seeded site from the home page, as a search engine would:
no internal link is broken and no page goes over its query budget."""

from __future__ import annotations

import io
import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Status

from ..factories import FIXTURES, write_article

pytestmark = pytest.mark.django_db

# Queries per page, the content version included, whatever the site's size.
QUERY_BUDGET = [
    (r"^/$", 3),
    (r"^/learn/$", 2),
    (r"^/learn/[^/]+/?(\?page=\d+)?$", 4),
    (r"^/learn/[^/]+/questions/", 4),
    (r"^/learn/[^/]+/feed/", 3),
    (r"^/feed/", 2),
    # Search: at most seven on SQLite, nine on PostgreSQL (see views.search).
    (r"^/search/", 7 if connection.vendor == "sqlite" else 9),
    (r"^/sitemap", 7),
    (r"^/robots\.txt$", 1),
    (r"^/static/", 0),
]
# Links of HTML pages and feeds, and the URLs a sitemap lists.
LINK = re.compile(r'<(?:a|link)\b[^>]*?\bhref="([^"]*)"|<loc>([^<]*)</loc>')


@pytest.fixture
def seeded_site(tmp_path):
    """The seed files, a subject long enough to page, links between subjects,
    a draft that must never be linked, and a page that points at it."""
    for n in range(24):
        write_article(
            tmp_path,
            f"bio/q{n}.md",
            f"/learn/biology/questions/q{n}",
            title=f"Biology question {n}",
            subject="Biology",
            date=f"2024-01-{n + 1:02}",
            related=[
                "/learn/medicine/questions/"
                "what-treatment-options-are-available-for-metastatic-liver-cancer",
                "/learn/biology/questions/draft-question",
                "/learn/biology/questions/never-imported",
            ],
        )
    write_article(
        tmp_path,
        "bio/draft.md",
        "/learn/biology/questions/draft-question",
        title="A draft question",
        subject="Biology",
    )
    call_command("import_articles", str(FIXTURES), str(tmp_path), stdout=io.StringIO())
    Article.objects.filter(slug="draft-question").update(status=Status.DRAFT)


def crawl(client, start: list[str]) -> dict[str, tuple[int, int]]:
    """Every internal URL reachable from `start`: its status and query count,
    each measured with an empty cache."""
    seen: dict[str, tuple[int, int]] = {}
    queue = deque(start)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        seen[url] = (response.status_code, len(queries))
        if response.status_code == 200 and not url.startswith("/static/"):
            queue.extend(internal_links(url, response.content.decode()))
    return seen


def internal_links(base: str, page: str) -> list[str]:
    links = []
    for href, location in LINK.findall(page):
        url = urljoin(
            f"http://testserver{base}", urldefrag(unescape(href or location)).url
        )
        parts = urlsplit(url)
        if parts.netloc != "testserver":
            continue
        if parts.path.startswith("/admin/"):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def budget(url: str) -> int:
    return next(limit for pattern, limit in QUERY_BUDGET if re.search(pattern, url))


def test_the_crawl_finds_no_broken_link_and_no_page_over_budget(client, seeded_site):
    pages = crawl(client, ["/", "/search/?q=liver+cancer", "/sitemap.xml"])

    broken = {url: status for url, (status, _) in pages.items() if status != 200}
    over = {url: n for url, (_, n) in pages.items() if n > budget(url)}
    assert broken == {}
    assert over == {}


def test_the_crawl_reaches_every_published_article_and_never_a_draft(
    client, seeded_site
):
    pages = crawl(client, ["/"])

    published = set(Article.objects.published().values_list("url", flat=True))
    assert published <= set(pages)
    assert "/learn/biology/questions/draft-question" not in pages
    assert "/learn/biology/questions/never-imported" not in pages
    assert {"/feed/", "/learn/biology/feed/atom/", "/learn/biology/?page=2"} <= set(
        pages
    )
