"""When an article's URL changes, its old URL answers 301 to the new one."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from articles.models import Redirect, RelatedLink, Status, Subject

from ..factories import change_form_data, make_article

pytestmark = pytest.mark.django_db

CHANGE = "/admin/articles/article/{}/change/"


@pytest.fixture
def editor(client):
    user = User.objects.create_superuser("ed", "ed@example.com", "pw-for-tests")
    client.force_login(user)
    return client


def test_a_changed_slug_leaves_a_301_from_the_old_url(client):
    article = make_article("old-slug")
    old_url = article.url

    article.slug = "new-slug"
    article.save()

    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/learn/medicine/questions/new-slug"
    assert client.get(response["Location"]).status_code == 200


def test_a_chain_of_moves_redirects_in_one_hop(client):
    article = make_article("first")
    for slug in ("second", "third"):
        article.slug = slug
        article.save()

    for old in ("first", "second"):
        response = client.get(f"/learn/medicine/questions/{old}")
        assert response["Location"] == "/learn/medicine/questions/third"


def test_moving_to_another_subject_redirects_too(client):
    article = make_article("q")
    article.subject = Subject.objects.create(slug="biology", name="Biology")
    article.save()

    response = client.get("/learn/medicine/questions/q")

    assert response["Location"] == "/learn/biology/questions/q"


def test_moving_back_to_an_old_url_ends_its_redirect(client):
    article = make_article("a")
    article.slug = "b"
    article.save()

    article.slug = "a"
    article.save()

    assert client.get("/learn/medicine/questions/a").status_code == 200
    assert client.get("/learn/medicine/questions/b")["Location"] == (
        "/learn/medicine/questions/a"
    )
    assert not Redirect.objects.filter(old_url="/learn/medicine/questions/a").exists()


def test_the_old_url_of_a_draft_does_not_redirect(client):
    article = make_article("old")
    article.slug = "new"
    article.status = Status.DRAFT
    article.save()

    assert client.get("/learn/medicine/questions/old").status_code == 404


def test_links_to_a_moved_article_follow_it(client):
    moved = make_article("moved", title="The moved one")
    linking = make_article("linking")
    RelatedLink.objects.create(
        article=linking, position=1, target_url=moved.url, target=moved
    )
    moved.slug = "moved-again"
    moved.save()

    page = client.get(linking.url).content.decode()

    assert 'href="/learn/medicine/questions/moved-again">The moved one' in page


def test_an_editor_changing_the_slug_in_the_admin_leaves_a_redirect(editor, client):
    article = make_article("before")
    url = CHANGE.format(article.pk)
    data = change_form_data(editor.get(url))
    data["slug"] = "after"

    assert editor.post(url, data).status_code == 302
    assert client.get("/learn/medicine/questions/before")["Location"] == (
        "/learn/medicine/questions/after"
    )


def test_taking_a_redirected_url_needs_saying_so(editor, client):
    moved = make_article("taken", title="The moved one")
    moved.slug = "elsewhere"
    moved.save()
    newcomer = make_article("newcomer")
    url = CHANGE.format(newcomer.pk)
    data = change_form_data(editor.get(url))
    data["slug"] = "taken"

    refused = editor.post(url, data)

    assert refused.status_code == 200
    assert (
        "/learn/medicine/questions/taken redirects to “The moved one”"
        in refused.content.decode()
    )
    data["take_over_redirect"] = "on"
    assert editor.post(url, data).status_code == 302
    assert client.get("/learn/medicine/questions/taken").status_code == 200
    assert not Redirect.objects.filter(
        old_url="/learn/medicine/questions/taken"
    ).exists()


def test_a_malformed_slug_is_refused_in_plain_words(editor):
    article = make_article("fine")
    url = CHANGE.format(article.pk)
    data = change_form_data(editor.get(url))
    data["slug"] = "Not_A-good-slug-"

    response = editor.post(url, data)

    assert response.status_code == 200
    assert "Use lower-case letters and digits, with hyphens between words" in (
        response.content.decode()
    )


def test_an_editor_may_give_a_slug_a_double_hyphen_as_real_slugs_have(editor, client):
    article = make_article("fine")
    url = CHANGE.format(article.pk)
    data = change_form_data(editor.get(url))
    data["slug"] = "the-line-y--x"

    assert editor.post(url, data).status_code == 302
    assert client.get("/learn/medicine/questions/the-line-y--x").status_code == 200
