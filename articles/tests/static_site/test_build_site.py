"""`manage.py build_site OUT_DIR`: the built site has every published article
at its URL and nothing readers may not see, a second build writes nothing,
an edit rewrites exactly the pages that show the article, and files of pages
no longer on the site go."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Article, Status, Subject
from articles.static_site.addresses import Page, static_links
from articles.static_site.building import build_site

from ..factories import make_article

pytestmark = pytest.mark.django_db
BASE = "http://testserver"
ARTICLES = 45  # three listing pages, and more than a feed's 30


@pytest.fixture
def site(db):
    """A subject of 45 articles, one a day, each linking to the one before;
    a draft, and a draft scheduled to publish tomorrow."""
    biology = Subject.objects.create(slug="biology", name="Biology")
    articles = [
        make_article(
            f"q{n}",
            biology,
            date=f"2024-01-{n + 1:02}" if n < 31 else f"2024-02-{n - 30:02}",
        )
        for n in range(ARTICLES)
    ]
    for before, after in zip(articles, articles[1:], strict=False):
        after.add_related_link(before)
    make_article("a-draft", biology, status=Status.DRAFT)
    make_article(
        "scheduled",
        biology,
        status=Status.DRAFT,
        publish_at=timezone.now() + timedelta(days=1),
    )
    return articles


def build(out: Path) -> str:
    stdout = io.StringIO()
    call_command("build_site", str(out), "--base-url", BASE, stdout=stdout)
    return stdout.getvalue()


def pages(out: Path) -> dict[str, str]:
    """Every file of the build but the static files: name -> text."""
    return {
        path.relative_to(out).as_posix(): path.read_text(encoding="utf-8")
        for path in out.rglob("*")
        if path.is_file() and "static" not in path.parts and path.name[0] != "."
    }


def article_file(article: Article) -> str:
    return f"{article.url.lstrip('/')}/index.html"


def test_every_published_article_is_at_its_url_and_no_draft_or_scheduled_one(
    site, tmp_path
):
    build(tmp_path)
    built = pages(tmp_path)

    for article in site:
        assert f"<h1>{article.question}</h1>" in built[article_file(article)]
    assert {
        "index.html",
        "learn/index.html",
        "learn/biology/index.html",
        "learn/biology/page/2/index.html",
        "learn/biology/page/3/index.html",
        "feed/rss.xml",
        "feed/atom.xml",
        "learn/biology/feed/rss.xml",
        "learn/biology/feed/atom.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
    } <= set(built)
    assert len([name for name in built if "/questions/" in name]) == ARTICLES
    everything = "".join(built.values())
    assert "a-draft" not in everything and "scheduled" not in everything
    assert "Page not found" in built["404.html"]


def test_the_built_pages_are_the_pages_the_site_serves(site, tmp_path, client):
    build(tmp_path)

    for page in [Page("/"), Page(site[3].url), Page("/learn/biology/", "page=2")]:
        served = client.get(f"{page.path}?{page.query}").content.decode()
        built = (tmp_path / page.file).read_text(encoding="utf-8")
        # Byte for byte, but for the links a static host cannot follow.
        assert built == static_links(page, served, search_url="")
        assert built != served


def test_links_a_static_host_cannot_follow_point_at_files(site, tmp_path):
    build(tmp_path)
    first = (tmp_path / "learn/biology/index.html").read_text(encoding="utf-8")
    second = (tmp_path / "learn/biology/page/2/index.html").read_text(encoding="utf-8")
    feed = (tmp_path / "feed/rss.xml").read_text(encoding="utf-8")

    assert 'href="/learn/biology/page/2/"' in first
    assert 'href="/learn/biology/"' in second  # back to page 1
    assert 'href="/learn/biology/page/3/"' in second
    assert f'<link rel="canonical" href="{BASE}/learn/biology/page/2/">' in second
    assert (
        'href="/feed/rss.xml"' in first
        and 'href="/learn/biology/feed/atom.xml"' in first
    )
    assert f'href="{BASE}/feed/rss.xml" rel="self"' in feed
    assert "?page=" not in first + second and 'role="search"' not in first


def test_the_search_form_points_where_the_setting_says(site, tmp_path):
    url = "https://app.example.org/search/"
    build_site(tmp_path, base_url=BASE, search_url=url)
    home = (tmp_path / "index.html").read_text(encoding="utf-8")

    assert f'action="{url}"' in home and f'href="{url}"' in home
    assert 'action="/search/"' not in home and "data-suggest" not in home


def test_the_second_build_writes_nothing(site, tmp_path):
    first = build(tmp_path)
    second = build(tmp_path)

    written = int(first.split()[0])
    assert written > ARTICLES
    assert (
        second.strip()
        == f"0 files written to {tmp_path}, {written} unchanged, 0 removed"
    )


@pytest.mark.parametrize("which", [10, ARTICLES - 1], ids=["old", "newest"])
def test_an_edit_rewrites_exactly_the_pages_that_show_the_article(
    site, tmp_path, which
):
    build_site(tmp_path, base_url=BASE)
    article = site[which]
    article.title = "A title no page had"
    article.save()

    report = build_site(tmp_path, base_url=BASE)

    # Every page that shows the article shows its title; the sitemap lists its
    # URL and the day it changed, still today's.
    showing = {name for name, text in pages(tmp_path).items() if article.title in text}
    assert set(report.written) == showing
    assert report.removed == 0
    expected = {article_file(article)}
    if which == ARTICLES - 1:
        expected |= {"index.html", "learn/biology/index.html", "feed/rss.xml"}
        expected |= {article_file(site[which - 2])}  # "More from Biology"
    else:
        expected |= {"learn/biology/page/2/index.html", article_file(site[which + 1])}
    assert expected <= showing
    assert ("index.html" in showing) == (which == ARTICLES - 1)


def test_unpublishing_removes_the_file_and_its_empty_folder(site, tmp_path):
    build(tmp_path)
    article = site[0]
    article.status = Status.DRAFT
    article.save()

    report = build_site(tmp_path, base_url=BASE)

    assert not (tmp_path / article.url.lstrip("/")).exists()
    assert report.removed == 1
    assert article.url not in "".join(pages(tmp_path).values())


def test_a_file_not_of_the_build_is_left_alone(site, tmp_path):
    (tmp_path / "CNAME").write_text("learn.example.org\n")
    build(tmp_path)
    build(tmp_path)

    assert (tmp_path / "CNAME").read_text() == "learn.example.org\n"


def test_out_dir_that_is_a_file_is_refused(tmp_path):
    out = tmp_path / "out"
    out.write_text("")

    with pytest.raises(CommandError, match=rf"{out} is a file, not a folder"):
        build(out)


def test_out_dir_that_cannot_be_made_is_refused(tmp_path):
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "out"

    with pytest.raises(CommandError, match=rf"{out} cannot be made: Not a directory"):
        build(out)


def test_a_base_url_that_is_not_one_is_refused(tmp_path):
    with pytest.raises(CommandError, match="is not an http"):
        call_command("build_site", str(tmp_path), "--base-url", "learn.example.org")
