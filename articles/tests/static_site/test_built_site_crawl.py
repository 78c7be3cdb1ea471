"""The crawl and the HTML validity check of the dynamic site (tests/site/),
run over the built site as a plain static file server serves it: no broken
link, every published article reached, never a draft, valid HTML, and each
file served with its type."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from articles.models import Article

from ..site import test_crawl
from ..site.test_html_validity import CANARY, _errors_by_file, _save_pages, _validate
from .static_server import StaticClient, serving

pytestmark = pytest.mark.django_db
seeded_site = test_crawl.seeded_site  # the crawl's data, a fixture


@pytest.fixture
def built_site(tmp_path):
    """Build the site of the test's data into a folder; serve it."""
    out = tmp_path / "built"
    call_command(
        "build_site", str(out), "--base-url", "http://testserver", stdout=io.StringIO()
    )
    with serving(out) as url:
        yield StaticClient(url)


def test_the_crawl_of_the_built_site_finds_no_broken_link(seeded_site, built_site):
    pages = test_crawl.crawl(built_site, ["/", "/sitemap.xml"])

    broken = {url: status for url, (status, _) in pages.items() if status != 200}
    assert broken == {}
    assert [url for url in pages if "?" in url] == []  # a static host drops queries
    published = set(Article.objects.published().values_list("url", flat=True))
    assert published <= set(pages)
    assert "/learn/biology/questions/draft-question" not in pages
    assert {"/feed/rss.xml", "/learn/biology/feed/atom.xml"} <= set(pages)
    assert "/learn/biology/page/2/" in pages


def test_the_static_host_serves_each_file_with_its_type(seeded_site, built_site):
    types = {
        path: built_site.get(path).content_type
        for path in ["/", "/feed/rss.xml", "/sitemap.xml", "/robots.txt"]
    }

    assert types == {
        "/": "text/html",
        "/feed/rss.xml": "application/xml",
        "/sitemap.xml": "application/xml",
        "/robots.txt": "text/plain",
    }
    missing = built_site.get("/learn/biology/questions/no-such-question")
    assert missing.status_code == 404 and b"Page not found" in missing.content


@pytest.fixture
def moved_article(demo_site):
    """The demo's table article moved to a new slug: its old URL redirects."""
    article = demo_site.table
    old_url = article.url
    article.slug = f"{article.slug}-moved"
    article.save()
    return old_url, article.url


def test_every_type_of_page_of_the_built_site_is_valid_html(
    demo_site, moved_article, built_site, tmp_path
):
    pages = {
        name: (path, 404 if name == "not-found" else 200)
        for name, path in demo_site.pages.items()
        if not name.startswith("search")  # search needs a server
    }
    pages["article-hostile"] = (demo_site.hostile.url, 200)
    old_url, new_url = moved_article
    pages["article-table-code"] = (new_url, 200)
    pages["redirect"] = (old_url, 200)  # a page that sends the reader on
    folder = tmp_path / "pages"
    folder.mkdir()
    _save_pages(built_site, pages, folder)
    (folder / "canary.html").write_text(CANARY, encoding="utf-8")

    assert 'http-equiv="refresh"' in (folder / "redirect.html").read_text()
    errors = _errors_by_file(_validate(sorted(folder.glob("*.html"))))

    assert "not allowed as child" in "".join(errors.pop("canary.html", []))
    assert errors == {}, "Nu validator errors:\n" + "\n".join(
        f"{name}:{error}" for name, found in sorted(errors.items()) for error in found
    )
