"""A page asked for the first time costs no trip to the cache: the machine's
record of asked pages (articles/page_cache/asked_pages.py) says the cache has
nothing for it. The record is one file shared by the site's processes, and
whatever it gets wrong costs a render, never a stale page."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
import redis
from django.core.cache import cache
from django.test import RequestFactory

from articles.page_cache import page_key
from articles.page_cache.asked_pages import Asked, AskedPages, record_of_asked_pages
from articles.page_cache.keeping import _cached_view

from ..factories import make_article, queries_of

pytestmark = pytest.mark.django_db

URL = "/learn/medicine/questions/what-is-a-test"
OTHER_URL = "/learn/medicine/questions/what-is-another-test"
# A Redis nobody listens at: any trip to it fails.
NO_REDIS = {
    "default": {
        "BACKEND": "quicktakes.redis_cache.ReusedClientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_a_first_request_makes_no_trip_to_the_cache_and_the_second_does(
    client, settings, tmp_path
):
    make_article("what-is-a-test")
    settings.CACHES = NO_REDIS
    settings.PAGE_CACHE_ASKED_FILE = str(tmp_path / "asked")

    first = client.get(URL)

    assert first.status_code == 200
    with pytest.raises(redis.ConnectionError):
        client.get(URL)  # rendered again, and kept: the cache is reached


def test_a_page_is_noted_once_then_kept_then_read_from_the_cache(client):
    make_article("what-is-a-test")
    record = record_of_asked_pages()
    slot = record.slot(cache_key_of(URL))

    states = []
    for _request in range(3):
        client.get(URL)
        states.append(record.asked(slot))

    assert states == [Asked.ONCE, Asked.KEPT, Asked.KEPT]
    _, queries = queries_of(client, URL)
    assert queries == 1  # from the cache: the versions of what it shows


def test_a_page_kept_then_gone_from_the_cache_is_kept_again_at_once(client):
    make_article("what-is-a-test", title="A title")
    client.get(URL)
    client.get(URL)
    cache.clear()  # evicted, expired, or Redis restarted

    again, again_queries = queries_of(client, URL)
    served, served_queries = queries_of(client, URL)

    assert again_queries > 1 and served_queries == 1
    assert served.content == again.content
    assert "A title" in served.content.decode()


def test_pages_that_share_a_slot_are_each_served_their_own(client, settings, tmp_path):
    settings.PAGE_CACHE_ASKED_FILE = str(tmp_path / "asked")
    settings.PAGE_CACHE_ASKED_SLOTS = 1  # every page in the same slot
    make_article("what-is-a-test", title="The first")
    make_article("what-is-another-test", title="The second")

    pages = [client.get(url).content.decode() for url in [URL, OTHER_URL] * 3]

    first, second = pages[0], pages[1]
    assert pages == [first, second] * 3
    assert f'<link rel="canonical" href="http://testserver{URL}">' in first
    assert f'<link rel="canonical" href="http://testserver{OTHER_URL}">' in second


def test_processes_share_the_record(tmp_path):
    path = tmp_path / "asked"
    here = AskedPages(str(path), 1024)
    code = (
        "import sys, django; django.setup();"
        "from articles.page_cache.asked_pages import AskedPages;"
        "record = AskedPages(sys.argv[1], 1024);"
        "record.note(record.slot('page:abc'), kept=True)"
    )

    subprocess.run([sys.executable, "-c", code, str(path)], check=True)

    assert here.asked(here.slot("page:abc")) is Asked.KEPT
    assert here.asked(here.slot("page:xyz")) is Asked.NEVER


def test_an_entry_older_than_the_cache_keeps_a_page_counts_as_never_asked(
    settings, tmp_path
):
    record = AskedPages(str(tmp_path / "asked"), 1024)
    slot = record.slot("page:abc")
    record.note(slot, kept=True)

    settings.PAGE_CACHE_SECONDS = 0

    assert record.asked(slot) is Asked.NEVER


def test_forgetting_makes_every_page_never_asked(tmp_path):
    record = AskedPages(str(tmp_path / "asked"), 1024)
    slots = [record.slot(f"page:{n}") for n in range(10)]
    for slot in slots:
        record.note(slot, kept=True)

    record.forget()

    assert {record.asked(slot) for slot in slots} == {Asked.NEVER}
    assert (tmp_path / "asked").stat().st_size == 1024 * 4


def test_a_record_opened_with_fewer_slots_leaves_the_larger_one_whole(tmp_path):
    path = tmp_path / "asked"
    larger = AskedPages(str(path), 2048)

    smaller = AskedPages(str(path), 1024)
    larger.note(2047, kept=True)  # past the smaller one's end
    smaller.note(5, kept=False)

    assert path.stat().st_size == 2048 * 4
    assert (larger.asked(2047), larger.asked(5)) == (Asked.KEPT, Asked.ONCE)


def test_a_symlink_in_place_of_the_record_is_not_followed(tmp_path, caplog):
    precious = tmp_path / "precious"
    precious.write_bytes(b"not the record's to overwrite")
    (tmp_path / "asked").symlink_to(precious)

    with caplog.at_level(logging.WARNING, "articles.page_cache.asked_pages"):
        record = AskedPages(str(tmp_path / "asked"), 1024)
    record.note(record.slot("page:abc"), kept=True)

    assert precious.read_bytes() == b"not the record's to overwrite"
    assert record.asked(record.slot("page:abc")) is Asked.KEPT
    assert "no shared record" in caplog.text


def test_a_record_that_cannot_be_made_is_the_processs_own_with_a_warning(
    tmp_path, caplog
):
    path = tmp_path / "no-such-folder" / "asked"

    with caplog.at_level(logging.WARNING, "articles.page_cache.asked_pages"):
        record = AskedPages(str(path), 16)
    record.note(record.slot("page:abc"), kept=False)

    assert record.asked(record.slot("page:abc")) is Asked.ONCE
    assert str(path) in caplog.text
    assert not path.exists()


def cache_key_of(url) -> str:
    """The page cache's key of `url` as the test client asks for it."""
    request = RequestFactory().get(url)
    return page_key(request, _cached_view(request))[0]
