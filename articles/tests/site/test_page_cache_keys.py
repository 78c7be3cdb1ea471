"""A page is cached once whatever a link adds to its address, and no client can
make the cache hold more than the site's own pages and the search's slots.

Entries are counted in the cache backend itself: the test process's memory on
SQLite, Redis when REDIS_URL is set (the PostgreSQL run).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from articles.page_cache.keeping import REMEMBERED_PATH_CHARS, _view_at

from ..factories import make_article, page_keys, queries_of

pytestmark = pytest.mark.django_db

URL = "/learn/medicine/questions/what-is-a-test"
TRACKING = [
    "utm_source=newsletter&utm_medium=email&utm_campaign=spring",
    "fbclid=IwAR2x9sLkQ",
    "gclid=EAIaIQobChMI",
    "ref=home&_=1733600000",
    "utm_source=a&utm_source=b",
]


def cached_pages() -> int:
    """How many pages the cache backend holds now."""
    return len(page_keys())


@pytest.fixture
def listing():
    """Medicine with 25 articles: two listing pages of 20."""
    for n in range(25):
        make_article(f"a{n:02}", title=f"Cortex question {n:02}")


def test_a_page_asked_once_leaves_nothing_in_the_cache(client):
    make_article("what-is-a-test")

    client.get(URL)

    assert cached_pages() == 0


def test_a_sweep_of_made_up_article_addresses_leaves_nothing_in_the_cache(client):
    make_article("what-is-a-test")

    for n in range(20):
        assert client.get(f"/learn/medicine/questions/made-up-{n}").status_code == 404

    assert cached_pages() == 0


def test_a_sweep_of_long_made_up_paths_leaves_no_view_remembered(client):
    make_article("what-is-a-test")
    _view_at.cache_clear()

    for n in range(20):
        slug = f"made-up-{n}-" + "x" * REMEMBERED_PATH_CHARS
        assert client.get(f"/learn/medicine/questions/{slug}").status_code == 404

    assert _view_at.cache_info().currsize == 0
    assert cached_pages() == 0


def test_a_page_asked_twice_is_kept_under_the_same_key(client):
    make_article("what-is-a-test")
    client.get(URL)

    client.get(URL)

    [entry] = [cache.get(key) for key in page_keys()]
    assert entry[0] == "http://testserver" + URL


def test_parameters_the_article_page_does_not_read_share_its_entry(client):
    make_article("what-is-a-test")
    client.get(URL)
    plain = client.get(URL)  # kept from its second request

    answers = [queries_of(client, f"{URL}?{query}") for query in TRACKING]

    assert cached_pages() == 1
    for response, queries in answers:
        assert queries == 1  # the content version
        assert response.content == plain.content


def test_a_page_first_rendered_for_a_tracking_link_is_the_plain_page(client, listing):
    tracked = client.get("/learn/medicine/?utm_source=newsletter&fbclid=x").content
    cache.clear()

    plain = client.get("/learn/medicine/").content

    assert tracked == plain
    assert b'href="?page=2"' in plain
    assert b"utm_source" not in tracked and b"fbclid" not in tracked


def test_spellings_of_a_page_number_share_an_entry(client, listing):
    first = ["/learn/medicine/", "/learn/medicine/?page=1", "/learn/medicine/?page=01"]
    second = [
        "/learn/medicine/?page=2",
        "/learn/medicine/?page=002",
        "/learn/medicine/?page=2&utm_source=x",
        "/learn/medicine/?page=9&page=2",
    ]

    pages = {url: client.get(url).content.decode() for url in first + second}

    assert cached_pages() == 2
    assert all("Page 1 of 2" in pages[url] for url in first)
    assert all("Page 2 of 2" in pages[url] for url in second)


def test_a_sweep_of_page_numbers_keeps_only_the_pages_there_are(client, listing):
    for _sweep in range(2):  # a page is kept from its second request
        statuses = [
            client.get(f"/learn/medicine/?page={n}").status_code for n in range(60)
        ]

    assert statuses[1:3] == [200, 200]
    assert set(statuses[:1] + statuses[3:]) == {404}
    assert cached_pages() == 2


def test_pages_that_do_not_exist_are_never_kept(client, listing):
    for path in [
        "/learn/no-such-subject/",
        "/learn/medicine/questions/no-such-question",
        "/learn/medicine/?page=abc",
        "/search/?q=cortex&page=99",
        "/sitemap.xml?p=7",
    ]:
        assert client.get(path).status_code == 404, path

    assert cached_pages() == 0


def test_spellings_of_a_search_share_an_entry(client, listing):
    urls = [
        "/search/?q=cortex",
        "/search/?q=++cortex+",
        "/search/?q=cortex&utm_source=x&fbclid=y",
        "/search/?q=cortex&subject=",
        "/search/?q=cortex&subject=Not+a+slug",
        "/search/?q=cortex&page=1",
    ]
    client.get(urls[0])
    first = client.get(urls[0])  # kept from its second request

    answers = [queries_of(client, url) for url in urls[1:]]

    assert cached_pages() == 1
    assert "Cortex question" in first.content.decode()
    for response, queries in answers:
        assert queries == 1
        assert response.content == first.content


def test_a_search_page_links_only_to_what_it_reads(client, listing):
    page = client.get("/search/?q=cortex&utm_source=x&subject=medicine").content

    assert b'href="?q=cortex&amp;subject=medicine&amp;page=2"' in page
    assert b"utm_source" not in page


def test_a_sweep_of_random_searches_holds_no_more_than_the_slots(
    client, listing, settings
):
    settings.PAGE_CACHE_SEARCH_SLOTS = 8
    words = [f"nonce{n}x" for n in range(40)] + ["cortex"]

    for word in words:
        client.get(f"/search/?q={word}")

    assert cached_pages() <= 8
    # Whatever shares a slot, every search answers its own results.
    for word in words:
        page = client.get(f"/search/?q={word}").content.decode()
        assert f"for &ldquo;{word}&rdquo;" in page
    assert "Cortex question" in client.get("/search/?q=cortex").content.decode()


def test_a_few_searches_are_each_kept(client, listing):
    words = ["cortex", "question", "medulla", "axon", "synapse"]
    for _ in range(2):  # kept from the second request
        for word in words:
            client.get(f"/search/?q={word}")

    answers = [queries_of(client, f"/search/?q={word}") for word in words]

    assert [queries for _, queries in answers] == [1] * len(words)
    assert cached_pages() == len(words)
