"""A change retires exactly the cached pages that show what it changed: the
changed article's page, the pages that link to it, its subject's listings, the
pages that list everything (home, feeds, search, sitemap), and the article
pages of its subject only when the newest they list changed. Every other page
stays in the cache.

A page served from the cache costs one query (the versions of what it shows);
one rendered again costs more: that is how these tests tell the two apart, on
every page of the site at once.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, RelatedLink, Status, Subject
from articles.page_cache.versions import NEWEST_SHOWN
from articles.publishing import apply_schedule

from ..factories import make_article, write_article

pytestmark = pytest.mark.django_db

LISTS_EVERYTHING = ["/", "/learn/", "/feed/", "/sitemap.xml", "/search/?q=question"]


def retired(client, urls) -> set[str]:
    """Those of `urls` whose page is not served from the cache (each is
    fetched once, which keeps it again: a page once kept is kept again at its
    next request)."""
    rendered = set()
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        if len(queries) > 1:
            rendered.add(url)
    return rendered


class Site:
    """Medicine with more articles than its pages list as newest, the oldest
    two linked; Biology with two. Every page cached."""

    def __init__(self, client):
        self.medicine = Subject.objects.create(slug="medicine", name="Medicine")
        self.biology = Subject.objects.create(slug="biology", name="Biology")
        newest = date(2024, 12, 31)
        self.new = [
            make_article(f"new-{n}", self.medicine, date=newest - timedelta(days=n))
            for n in range(NEWEST_SHOWN + 1)
        ]
        self.old = [
            make_article(f"old-{n}", self.medicine, date=date(2020, 1, 1 + n))
            for n in range(3)
        ]
        self.linking, self.linked, self.alone = self.old
        RelatedLink.objects.create(
            article=self.linking,
            position=1,
            target_url=self.linked.url,
            target=self.linked,
        )
        self.bio = [make_article(f"bio-{n}", self.biology) for n in range(2)]
        self.articles = [*self.new, *self.old, *self.bio]
        self.urls = [
            *LISTS_EVERYTHING,
            "/learn/medicine/",
            "/learn/biology/",
            *(article.url for article in self.articles),
        ]
        retired(client, self.urls)
        # Kept from their second request: all now cached.
        assert retired(client, self.urls) == set(self.urls)
        assert retired(client, self.urls) == set()


@pytest.fixture
def site(client):
    return Site(client)


def test_an_edit_retires_its_page_the_pages_linking_to_it_and_the_lists(client, site):
    site.linked.title = "A new title"
    site.linked.save()

    assert retired(client, site.urls) == {
        *LISTS_EVERYTHING,
        "/learn/medicine/",
        site.linked.url,
        site.linking.url,
    }
    assert "A new title" in client.get(site.linking.url).content.decode()


def test_an_edit_of_a_newest_article_retires_its_subjects_article_pages(client, site):
    site.new[0].title = "A new title"
    site.new[0].save()

    medicine_pages = {article.url for article in [*site.new, *site.old]}
    assert retired(client, site.urls) == {
        *LISTS_EVERYTHING,
        "/learn/medicine/",
        *medicine_pages,
    }
    assert "A new title" in client.get(site.alone.url).content.decode()


def test_an_article_that_becomes_one_of_the_newest_retires_its_subjects_pages(
    client, site
):
    site.alone.date = date(2025, 1, 1)
    site.alone.save()

    medicine_pages = {article.url for article in [*site.new, *site.old]}
    assert retired(client, site.urls) == {
        *LISTS_EVERYTHING,
        "/learn/medicine/",
        *medicine_pages,
    }


def test_a_move_to_another_subject_retires_both_subjects_listings(client, site):
    old_url = site.alone.url
    site.alone.subject = site.biology
    site.alone.save()

    urls = [url for url in site.urls if url != old_url] + [site.alone.url]
    assert retired(client, urls) == {
        *LISTS_EVERYTHING,
        "/learn/medicine/",
        "/learn/biology/",
        site.alone.url,
        # Biology has fewer articles than its pages list: it is one of them now.
        *(article.url for article in site.bio),
    }
    assert client.get(old_url).status_code == 301


def test_unpublishing_a_linked_article_retires_the_page_that_listed_it(
    client, site, admin_client
):
    admin_client.post(
        "/admin/articles/article/",
        {"action": "unpublish", "_selected_action": [site.linked.pk]},
    )

    assert Article.objects.get(pk=site.linked.pk).status == Status.DRAFT
    urls = [url for url in site.urls if url != site.linked.url]
    assert retired(client, urls) == {
        *LISTS_EVERYTHING,
        "/learn/medicine/",
        site.linking.url,
    }
    assert site.linked.title not in client.get(site.linking.url).content.decode()


def test_deleting_an_article_retires_the_pages_that_showed_it(client, site):
    url = site.linked.url
    site.linked.delete()

    urls = [each for each in site.urls if each != url]
    assert retired(client, urls) == {
        *LISTS_EVERYTHING,
        "/learn/medicine/",
        site.linking.url,
    }
    assert client.get(url).status_code == 404


def test_renaming_a_subject_retires_every_page_of_it(client, site):
    site.biology.name = "Life sciences"
    site.biology.save()

    rendered = retired(client, site.urls)

    assert {"/learn/biology/", *(article.url for article in site.bio)} <= rendered
    assert "Life sciences" in client.get(site.bio[0].url).content.decode()


def test_a_scheduled_publish_retires_at_its_time_what_lists_the_article(client, site):
    due = make_article(
        "due",
        site.biology,
        status=Status.DRAFT,
        date=date(2019, 1, 1),
        publish_at=timezone.now() + timedelta(hours=1),
    )
    # A draft: only the pages that list everything, and its subject's listing.
    assert retired(client, site.urls) == {*LISTS_EVERYTHING, "/learn/biology/"}

    apply_schedule(timezone.now() + timedelta(hours=2))

    assert Article.objects.get(pk=due.pk).status == Status.PUBLISHED
    assert retired(client, site.urls) == {
        *LISTS_EVERYTHING,
        "/learn/biology/",
        # Biology has fewer articles than its pages list: due is one of them now.
        *(article.url for article in site.bio),
    }
    assert client.get(due.url).status_code == 200


def import_folder(folder) -> None:
    call_command("import_articles", str(folder), stdout=io.StringIO())


def test_an_import_retires_what_its_chunks_changed(client, tmp_path):
    medicine = "/learn/medicine/questions/"
    urls = [f"{medicine}q{n}" for n in range(NEWEST_SHOWN + 3)]
    for n, url in enumerate(urls):
        # q0 the newest ... the last ones older than every page lists.
        day = f"2024-12-{28 - n:02}"
        related = [urls[-1]] if n == len(urls) - 2 else []
        write_article(tmp_path, f"q{n}.md", url, date=day, related=related)
    write_article(tmp_path, "bio.md", "/learn/biology/questions/b", subject="Biology")
    import_folder(tmp_path)
    pages = [*LISTS_EVERYTHING, "/learn/medicine/", "/learn/biology/", *urls]
    pages.append("/learn/biology/questions/b")
    retired(client, pages)
    retired(client, pages)  # kept from their second request

    # The oldest changes; the one before it links to it.
    write_article(
        tmp_path, f"q{len(urls) - 1}.md", urls[-1], title="Changed", date="2024-12-01"
    )
    import_folder(tmp_path)

    assert retired(client, pages) == {
        *LISTS_EVERYTHING,
        "/learn/medicine/",
        urls[-1],
        urls[-2],
    }
    assert "Changed" in client.get(urls[-2]).content.decode()
