"""What an article page tells search engines and link previews."""

from __future__ import annotations

import json
import re

import pytest

from ..factories import make_article

pytestmark = pytest.mark.django_db


def json_ld(page: str) -> list[dict]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page)
    assert len(found) == 1
    return json.loads(found[0])


def test_the_question_is_the_pages_only_h1(client):
    article = make_article("q", question="Why is the sky blue?")

    page = client.get(article.url).content.decode()

    assert re.findall(r"<h1[^>]*>(.*?)</h1>", page) == ["Why is the sky blue?"]


def test_title_and_description_come_from_the_seo_fields(client):
    article = make_article(
        "q",
        title="Why is the sky blue?",
        seo_title="QuickTakes | Physics",
        seo_description="Rayleigh scattering, explained.",
    )

    page = client.get(article.url).content.decode()

    assert "<title>Why is the sky blue? | QuickTakes | Physics</title>" in page
    assert '<meta name="description" content="Rayleigh scattering, explained.">' in page


def test_an_seo_title_that_names_the_question_is_used_as_it_is(client):
    article = make_article("q", title="Sky", seo_title="Sky: why it is blue")

    assert (
        "<title>Sky: why it is blue</title>" in client.get(article.url).content.decode()
    )


def test_without_a_description_the_question_stands_in(client):
    article = make_article("q", question="Why is the sky blue?", seo_description="")

    page = client.get(article.url).content.decode()

    assert '<meta name="description" content="Why is the sky blue?">' in page


def test_open_graph_and_twitter_cards_describe_the_article(client):
    article = make_article("q", title="Why blue?", seo_description="Scattering.")

    page = client.get(article.url).content.decode()

    url = f"http://testserver{article.url}"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:title" content="Why blue?">' in page
    assert '<meta property="og:description" content="Scattering.">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert '<meta name="twitter:title" content="Why blue?">' in page


@pytest.mark.parametrize(
    "path, canonical",
    [
        ("/learn/?utm_source=mail", "/learn/"),
        ("/learn/medicine/?utm_source=mail", "/learn/medicine/"),
        ("/learn/medicine/?page=2&utm_source=mail", "/learn/medicine/?page=2"),
    ],
)
def test_listings_name_their_canonical_url_without_the_extra_query(
    client, path, canonical
):
    for number in range(25):
        make_article(f"q{number:02}")

    page = client.get(path).content.decode()

    assert page.count('rel="canonical"') == 1
    assert f'<link rel="canonical" href="http://testserver{canonical}">' in page


def test_json_ld_describes_an_article_and_its_breadcrumbs_not_a_qa_page(client):
    article = make_article(
        "q", title="Why blue?", author="Ada Lovelace", seo_keywords="sky, light"
    )

    data = json_ld(client.get(article.url).content.decode())

    assert [item["@type"] for item in data] == ["Article", "BreadcrumbList"]
    described, trail = data
    assert described["headline"] == "Why blue?"
    assert described["datePublished"].startswith("2024-12-07")
    assert described["author"] == {"@type": "Person", "name": "Ada Lovelace"}
    assert described["mainEntityOfPage"] == f"http://testserver{article.url}"
    assert described["articleSection"] == "Medicine"
    assert [
        (c["position"], c["name"], c["item"]) for c in trail["itemListElement"]
    ] == [
        (1, "Learn", "http://testserver/learn/"),
        (2, "Medicine", "http://testserver/learn/medicine/"),
        (3, "Why blue?", f"http://testserver{article.url}"),
    ]


def test_an_article_was_published_at_midnight_of_its_date_in_the_sites_zone(
    client, settings
):
    settings.TIME_ZONE = "Europe/Paris"
    article = make_article("q")

    described, _ = json_ld(client.get(article.url).content.decode())

    assert described["datePublished"] == "2024-12-07T00:00:00+01:00"


def test_an_article_without_a_date_tells_search_engines_no_published_date(client):
    article = make_article("q", date=None)

    page = client.get(article.url).content.decode()

    described, _ = json_ld(page)
    assert "datePublished" not in described
    assert described["dateModified"].startswith(f"{article.updated_at:%Y-%m-%d}")
    assert "article:published_time" not in page
    assert '<meta property="article:modified_time"' in page


def test_no_text_of_an_article_can_break_out_of_the_json_ld(client):
    article = make_article("q", title="</script><script>alert(1)</script>")

    page = client.get(article.url).content.decode()

    assert "<script>alert(1)" not in page
    assert json_ld(page)[0]["headline"] == "</script><script>alert(1)</script>"


def test_the_breadcrumb_trail_leads_from_learn_to_the_question(client):
    article = make_article("q", title="Why blue?")

    page = client.get(article.url).content.decode()

    trail = page[page.index('aria-label="Breadcrumb"') :]
    trail = trail[: trail.index("</nav>")]
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', trail) == [
        ("/learn/", "Learn"),
        ("/learn/medicine/", "Medicine"),
        (article.url, "Why blue?"),
    ]
    assert 'aria-current="page">Why blue?' in trail
