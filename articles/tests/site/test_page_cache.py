"""Public pages come from the cache until an import or an edit changes them."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.http import HttpResponse

from articles.models import Article, RelatedLink, Status
from articles.page_cache import (
    SUBJECTS,
    article_key,
    cached_page,
    newest_key,
    shows,
    shows_at,
)
from articles.page_cache.versions import current_tokens

from ..factories import make_article, page_keys, queries_of, write_article

pytestmark = pytest.mark.django_db

URL = "/learn/medicine/questions/what-is-a-test"


def import_folder(folder, **options):
    call_command("import_articles", str(folder), stdout=io.StringIO(), **options)


def test_a_page_is_kept_from_its_second_request_and_then_costs_one_query(client):
    make_article("what-is-a-test")
    first, first_queries = queries_of(client, URL)
    second, second_queries = queries_of(client, URL)

    third, third_queries = queries_of(client, URL)

    # Rendered each time (the article with the versions of what it shows,
    # its related articles, its subject's newest); the second with the
    # subject's newest remembered.
    assert (first_queries, second_queries) == (3, 2)
    assert third_queries == 1  # the versions of what it shows
    assert third.content == second.content == first.content


def test_an_article_page_is_kept_with_the_versions_its_query_read(client):
    article = make_article("what-is-a-test")
    article.save()  # gives the article, and its subject's newest, a version
    article.subject.save()  # and the subjects' names
    client.get(URL)
    client.get(URL)  # kept

    [key] = page_keys()
    shown, tokens = cache.get(key)[1]

    assert set(shown) == {
        article_key(article.pk),
        newest_key(article.subject_id),
        SUBJECTS,
    }
    assert all(tokens) and tokens == current_tokens(shown)


def test_a_view_that_reads_its_versions_first_must_read_every_one(rf):
    @cached_page(versions_first=True)
    def view(request):
        shows_at(request, {article_key(1): "a-token"})
        shows(request, SUBJECTS)
        return HttpResponse("a page")

    with pytest.raises(ImproperlyConfigured, match="those of subjects: say"):
        view(rf.get("/"))


def test_the_page_cache_follows_a_swapped_urlconf(client, settings):
    make_article("what-is-a-test")
    for _ in range(3):
        assert client.get(URL).status_code == 200  # kept, and served from the cache

    settings.ROOT_URLCONF = "articles.tests.site.moved_urls"
    moved = [queries_of(client, f"/moved{URL}")[1] for _ in range(3)]

    assert client.get(URL).status_code == 404
    assert moved[2] == 1  # kept at its new address, served from the cache


def test_with_the_setting_off_a_page_is_kept_from_its_first_request(client, settings):
    settings.PAGE_CACHE_FROM_SECOND_REQUEST = False
    make_article("what-is-a-test")
    queries_of(client, URL)

    _, queries = queries_of(client, URL)

    assert queries == 1


def test_a_page_retired_by_an_edit_is_kept_again_at_its_next_request(client):
    article = make_article("what-is-a-test", title="Old title")
    queries_of(client, URL)
    queries_of(client, URL)
    article.title = "New title"
    article.save()

    rendered, rendered_queries = queries_of(client, URL)
    served, served_queries = queries_of(client, URL)

    assert rendered_queries == 1 + 3  # the kept versions, then the render
    assert served_queries == 1
    assert "New title" in served.content.decode()


def test_an_edit_in_the_admin_shows_at_once_on_every_page_that_shows_it(client):
    article = make_article("what-is-a-test", title="Old title")
    linking = make_article("linking")
    RelatedLink.objects.create(
        article=linking, position=1, target_url=article.url, target=article
    )
    pages = [URL, "/learn/medicine/", "/", linking.url]
    for url in pages:
        assert "Old title" in client.get(url).content.decode()

    article.title = "New title"
    article.save()

    for url in pages:
        page = client.get(url).content.decode()
        assert "New title" in page and "Old title" not in page, url


def test_an_article_made_a_draft_leaves_the_site_at_once(client):
    article = make_article("what-is-a-test", title="Soon a draft")
    assert client.get(URL).status_code == 200
    assert "Soon a draft" in client.get("/learn/medicine/").content.decode()

    article.status = Status.DRAFT
    article.save()

    assert client.get(URL).status_code == 404
    assert "Soon a draft" not in client.get("/learn/medicine/").content.decode()


def test_a_deleted_article_is_gone_at_once(client):
    article = make_article("what-is-a-test")
    assert client.get(URL).status_code == 200

    article.delete()

    assert client.get(URL).status_code == 404


def test_an_import_that_changes_a_file_changes_the_page(client, tmp_path):
    write_article(tmp_path, "a.md", URL, answer="The first answer.")
    import_folder(tmp_path)
    assert "The first answer." in client.get(URL).content.decode()

    write_article(tmp_path, "a.md", URL, answer="The second answer.")
    import_folder(tmp_path)

    assert "The second answer." in client.get(URL).content.decode()


def test_an_import_of_a_new_article_shows_on_the_pages_that_list_it(client, tmp_path):
    write_article(tmp_path, "a.md", URL, title="First question")
    import_folder(tmp_path)
    assert "Second question" not in client.get("/").content.decode()

    write_article(
        tmp_path, "b.md", "/learn/medicine/questions/second", title="Second question"
    )
    import_folder(tmp_path)

    assert "Second question" in client.get("/").content.decode()


def test_an_import_that_changes_nothing_keeps_the_cached_pages(client, tmp_path):
    write_article(tmp_path, "a.md", URL)
    import_folder(tmp_path)
    client.get(URL)
    client.get(URL)  # kept from its second request

    import_folder(tmp_path)
    _, queries = queries_of(client, URL)

    assert queries == 1


def test_a_dry_run_keeps_the_cached_pages(client, tmp_path):
    write_article(tmp_path, "a.md", URL, answer="Kept.")
    import_folder(tmp_path)
    client.get(URL)
    client.get(URL)  # kept from its second request

    write_article(tmp_path, "a.md", URL, answer="Not written.")
    import_folder(tmp_path, dry_run=True)
    response, queries = queries_of(client, URL)

    assert queries == 1
    assert "Kept." in response.content.decode()


def test_pages_that_are_not_found_are_not_cached(client):
    assert client.get(URL).status_code == 404

    make_article("what-is-a-test")

    assert client.get(URL).status_code == 200


def test_a_browser_that_has_the_page_gets_304_not_modified(client):
    make_article("what-is-a-test")
    etag = client.get(URL)["ETag"]

    response = client.get(URL, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_after_an_edit_a_browser_that_had_the_page_gets_the_new_one(client):
    article = make_article("what-is-a-test", title="Old title")
    etag = client.get(URL)["ETag"]
    article.title = "New title"
    article.save()

    response = client.get(URL, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "New title" in response.content.decode()
    assert response["ETag"] != etag
    assert (
        client.get(URL, headers={"If-None-Match": response["ETag"]}).status_code == 304
    )


def test_browsers_revalidate_so_an_edit_is_seen_on_the_next_visit(client):
    make_article("what-is-a-test")

    response = client.get(URL)

    assert "max-age=0" in response["Cache-Control"]
    assert "must-revalidate" in response["Cache-Control"]


def test_pages_are_cached_per_query_string(client):
    for n in range(25):
        make_article(f"a{n:02}")

    first = client.get("/learn/medicine/").content.decode()
    second = client.get("/learn/medicine/?page=2").content.decode()

    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert Article.objects.count() == 25


def test_a_page_from_the_cache_keeps_every_header_of_the_first(client):
    make_article("what-is-a-test")
    client.get(URL)
    first = client.get(URL)  # kept from its second request

    second, queries = queries_of(client, URL)

    assert queries == 1
    assert second["X-Frame-Options"] == first["X-Frame-Options"] == "DENY"
    assert second["X-Content-Type-Options"] == "nosniff"
    assert second["ETag"] == first["ETag"]


def test_admin_pages_are_never_cached(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200

    client.logout()

    assert client.get("/admin/").status_code == 302


def test_a_search_asked_again_is_served_from_the_cache(client):
    make_article("what-is-a-test", title="Cortex question")
    client.get("/search/", {"q": "cortex"})
    first = client.get("/search/", {"q": "cortex"})  # kept from this one

    second, queries = queries_of(client, "/search/?q=cortex")

    assert queries == 1
    assert second.content == first.content
    assert "Cortex question" in second.content.decode()


def test_an_edit_changes_the_search_results_at_once(client):
    article = make_article("what-is-a-test", title="Cortex question")
    assert "Cortex question" in client.get("/search/?q=cortex").content.decode()

    article.title = "Medulla question"
    article.save()

    assert "Cortex question" not in client.get("/search/?q=cortex").content.decode()
