"""How search engines and feed readers find the articles: sitemap, robots.txt,
RSS and Atom."""

from __future__ import annotations

import datetime
import io
import re
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest
from django.core.management import call_command

from articles.models import Article, Status
from articles.sitemaps import SITEMAPS

from ..factories import make_article, write_article

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


def test_feeds_list_an_undated_question_last_dated_by_its_import(client, tmp_path):
    make_article("newer", title="Newer", date="2024-06-01")
    url = "/learn/medicine/questions/undated"
    write_article(tmp_path, "u.md", url, title="Undated", omit=["date"])
    call_command("import_articles", str(tmp_path), stdout=io.StringIO())
    imported_at = Article.objects.get(url=url).imported_at

    rss = ET.fromstring(client.get("/feed/").content).find("channel")
    atom = ET.fromstring(client.get("/learn/medicine/feed/atom/").content)

    items = list(rss.iter("item"))
    assert [item.findtext("title") for item in items] == ["Newer", "Undated"]
    pub_date = parsedate_to_datetime(items[1].findtext("pubDate"))
    assert pub_date == imported_at.replace(microsecond=0)  # RFC 822 has no fractions
    entries = list(atom.iterfind("atom:entry", NS))
    assert entries[1].findtext("atom:title", namespaces=NS) == "Undated"
    published = entries[1].findtext("atom:published", namespaces=NS)
    assert datetime.datetime.fromisoformat(published) == imported_at


def test_a_feed_dates_an_undated_question_made_in_the_admin_by_its_making(client):
    article = make_article("made-here", date=None)

    item = ET.fromstring(client.get("/feed/").content).find("channel/item")

    pub_date = parsedate_to_datetime(item.findtext("pubDate"))
    assert pub_date == article.created_at.replace(microsecond=0)


def test_the_sitemap_dates_an_undated_question_by_its_import(client, tmp_path):
    url = "/learn/medicine/questions/undated"
    write_article(tmp_path, "u.md", url, omit=["date"])
    call_command("import_articles", str(tmp_path), stdout=io.StringIO())
    imported_at = Article.objects.get(url=url).imported_at

    page = client.get("/sitemap.xml").content.decode()

    entry = page[page.index(url) :]
    assert f"<lastmod>{imported_at:%Y-%m-%d}</lastmod>" in entry


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
