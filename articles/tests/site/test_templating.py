"""The site's macros are globals of the public templates' environment
(articles/templating.py): imported once, or looked up at every call where
templates reload (DEBUG), so that an edit of one shows."""

from __future__ import annotations

import pytest
from jinja2 import DictLoader

from articles.templating import environment


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
