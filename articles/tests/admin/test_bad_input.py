"""Bad input in the admin answers 404 or 400, never 500: on SQLite and on
PostgreSQL (whose strings cannot hold a NUL byte), with one log line for a
403, never a traceback."""

from __future__ import annotations

import logging

import pytest
from django.urls import clear_script_prefix, set_script_prefix
from reversion.models import Version

from articles.models import RelatedLink

from ..factories import make_article, staff

pytestmark = pytest.mark.django_db

ARTICLES = "/admin/articles/article/"
SUBJECT_WIDGET = "app_label=articles&model_name=article&field_name=subject"
LINK_WIDGET = "app_label=articles&model_name=relatedlink&field_name=target"


@pytest.fixture
def editor(client):
    return staff(client, "edna", "Editors")


@pytest.fixture
def article(editor):
    article = make_article("q")
    # One revision, saved through the admin, for the comparison's URLs.
    url = f"{ARTICLES}{article.pk}/change/"
    page = editor.get(url)
    assert page.status_code == 200
    return article


def bad_paths(article) -> list[str]:
    pk = article.pk
    version = Version.objects.get_for_object(article).first()
    version_id = version.pk if version else 1
    return [
        f"{ARTICLES}abc/history/",
        f"{ARTICLES}1%00/history/",
        f"{ARTICLES}abc/history/compare/",
        f"{ARTICLES}{pk}/history/compare/?from={version_id}&to=99999999999999999999999",
        f"{ARTICLES}{pk}/history/compare/?from=99999999999999999999999"
        "&to=99999999999999999999999",
        f"{ARTICLES}99999999999999999999999/history/",
        f"{ARTICLES}{pk}/history/99999999999999999999999/",
        f"{ARTICLES}recover/99999999999999999999999/",
        f"{ARTICLES}?q=%00",
        f"{ARTICLES}?status__exact=%00",
        f"{ARTICLES}?subject__id__exact=%00",
        f"{ARTICLES}?scheduled=%00",
        f"{ARTICLES}worklists/missing/?q=%00",
        f"{ARTICLES}worklists/missing/articles/?url=%00",
        f"{ARTICLES}worklists/few-links/?subject=%00",
        f"{ARTICLES}worklists/review/?page=%00",
        f"/admin/autocomplete/?{SUBJECT_WIDGET}&term=%00",
        f"{ARTICLES}related-autocomplete/?{LINK_WIDGET}&term=%00",
        f"{ARTICLES}related-autocomplete/?{LINK_WIDGET}&term=a%00b",
    ]


def test_every_bad_path_answers_404_or_400(editor, article):
    make_article("linking").related_links.create(position=1, target_url="/x")
    assert RelatedLink.objects.exists()
    editor.raise_request_exception = False  # a 500 is an answer, to be seen

    answers = {path: editor.get(path).status_code for path in bad_paths(article)}

    assert {
        path: code for path, code in answers.items() if code not in {400, 404}
    } == {}


def test_a_nul_in_the_address_is_refused_in_words(editor):
    response = editor.get(f"{ARTICLES}worklists/missing/", {"q": "cell\x00"})

    assert response.status_code == 400
    assert "NUL character" in response.text


def test_a_nul_is_refused_where_the_site_is_served_under_a_prefix(client):
    # The script prefix is what Django's WSGI handler sets from SCRIPT_NAME
    # (the test client does not set it): the admin is at /site/admin/ there.
    set_script_prefix("/site/")
    try:
        response = client.get(
            f"{ARTICLES}worklists/missing/", {"q": "cell\x00"}, SCRIPT_NAME="/site"
        )
    finally:
        clear_script_prefix()

    assert response.status_code == 400
    assert "NUL character" in response.text


def test_a_403_logs_one_line_without_a_traceback(client, caplog):
    staff(client, "sam")  # staff, with no permission at all

    with caplog.at_level(logging.INFO):
        response = client.get(ARTICLES)

    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("WARNING", f"Forbidden (Permission denied): {ARTICLES}")
    ]
    assert "Traceback" not in caplog.text
    assert len(caplog.text.strip().splitlines()) == 1
