"""How search engines and feed readers find the articles: sitemap, robots.txt,
RSS and Atom."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from articles.models import Status
from articles.sitemaps import SITEMAPS

from ..factories import make_article

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "atom": "http://www.w3.org/2005/Atom",
}


def sitemap_locations(client, url="/sitemap.xml") -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.iterfind(".//sm:loc", NS)]


def test_the_sitemap_lists_pages_subjects_and_published_indexable_articles(client):
    shown = make_article("shown")
    make_article("hidden", no_index=True)
    make_article("draft", status=Status.DRAFT)

    assert sitemap_locations(client) == [
        "http://testserver/",
        "http://testserver/learn/",
        "http://testserver/learn/medicine/",
        f"http://testserver{shown.url}",
    ]


def test_sitemap_entries_carry_the_date_of_their_last_change(client):
    article = make_article("shown")

    page = client.get("/sitemap.xml").content.decode()

    entry = page[page.index(article.url) :]
    assert f"<lastmod>{article.updated_at:%Y-%m-%d}</lastmod>" in entry


def test_past_the_limit_the_sitemap_becomes_an_index_of_pages(client, monkeypatch):
    for sitemap in SITEMAPS.values():
        monkeypatch.setattr(sitemap, "limit", 2)
    articles = [make_article(f"a{n}") for n in range(3)]

    index = sitemap_locations(client)

    assert index == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-subjects.xml",
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
    ]
    listed = sitemap_locations(client, "/sitemap-articles.xml") + sitemap_locations(
        client, "/sitemap-articles.xml?p=2"
    )
    assert listed == [f"http://testserver{a.url}" for a in articles]


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_admin_and_search(
    client,
):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /search/" in lines


def test_the_rss_feed_lists_the_newest_published_questions(client):
    make_article("older", title="Older", date="2024-01-01")
    make_article("newer", title="Newer", date="2024-06-01")
    make_article("draft", title="A draft", status=Status.DRAFT)

    response = client.get("/feed/")

    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert [item.findtext("title") for item in channel.iter("item")] == [
        "Newer",
        "Older",
    ]
    assert channel.find("item").findtext("link") == (
        "http://testserver/learn/medicine/questions/newer"
    )


def test_a_subjects_atom_feed_lists_only_its_questions(client):
    from articles.models import Subject

    physics = Subject.objects.create(slug="physics", name="Physics")
    make_article("in-medicine", title="Medicine question")
    make_article("in-physics", subject=physics, title="Physics question")

    response = client.get("/learn/physics/feed/atom/")

    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.findtext("atom:title", namespaces=NS) == "QuickTakes: Physics"
    titles = [
        e.findtext("atom:title", namespaces=NS) for e in root.iterfind("atom:entry", NS)
    ]
    assert titles == ["Physics question"]


def test_every_page_points_feed_readers_at_the_feeds(client):
    article = make_article("q")

    subject_page = client.get("/learn/medicine/").content.decode()
    article_page = client.get(article.url).content.decode()

    for page in (subject_page, article_page):
        assert re.search(
            r'<link rel="alternate" type="application/rss\+xml"[^>]*href="/feed/"', page
        )
    assert 'href="/learn/medicine/feed/atom/"' in subject_page


@pytest.mark.parametrize("url", ["/learn/nowhere/feed/", "/learn/nowhere/feed/atom/"])
def test_the_feed_of_an_unknown_subject_answers_404(client, url):
    assert client.get(url).status_code == 404
