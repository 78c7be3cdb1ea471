"""The site's macros are globals of the public templates' environment
(articles/templating.py): imported once, or looked up at every call where
templates reload (DEBUG), so that an edit of one shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from jinja2 import DictLoader

from articles.templating import environment

from ..factories import make_article


def templates(list_text: str) -> dict[str, str]:
    return {
        "includes/lists.html": (
            "{% macro article_list(articles, show_subject=True) %}"
            + list_text
            + "{% endmacro %}{% macro subject_list(s) %}{% endmacro %}"
            "{% macro pagination(r, p) %}{% endmacro %}"
        ),
        "includes/search_form.html": "{% macro search_form(i, q) %}{% endmacro %}",
        "page.html": "[{{ article_list([1, 2], show_subject=False) }}]",
    }


@pytest.mark.parametrize("auto_reload", [False, True])
def test_a_page_calls_the_site_macros_without_importing_them(auto_reload):
    sources = templates("{{ articles|length }} {{ show_subject }}")
    env = environment(loader=DictLoader(sources), auto_reload=auto_reload)

    assert env.get_template("page.html").render() == "[2 False]"


def test_with_reloading_an_edited_macro_shows_at_once():
    sources = templates("before")
    env = environment(loader=DictLoader(sources), auto_reload=True)
    env.get_template("page.html").render()

    sources.update(templates("after"))

    assert env.get_template("page.html").render() == "[after]"


def test_the_public_templates_are_ascii_so_an_ascii_article_makes_an_ascii_page():
    """A character past ASCII in a template (a middle dot, an arrow) made every
    page a two-byte string, dearer to join and to encode as UTF-8 (some 2.5 %
    of a cold article page): the templates write such characters as entities."""
    folder = Path(settings.BASE_DIR) / "templates" / "jinja2"
    outside = [
        f"{path.relative_to(folder)}:{number}"
        for path in sorted(folder.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if not line.isascii()
    ]

    assert outside == []


@pytest.mark.django_db
def test_an_article_of_ascii_text_is_served_as_an_ascii_page(client):
    article = make_article("what-is-a-test", title="What is a test?")
    make_article("what-is-another-test")  # listed under "More questions"

    page = client.get(article.url).content

    assert b"What is a test?" in page
    assert page.isascii()
