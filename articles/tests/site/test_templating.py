"""The site's macros are globals of the public templates' environment
(articles/templating.py): imported once, or looked up at every call where
templates reload (DEBUG), so that an edit of one shows."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy
from jinja2 import (
    DictLoader,
    Environment,
    pass_context,
    pass_environment,
    pass_eval_context,
)
from markupsafe import Markup, escape

from articles.templating import SiteContext, SiteTemplate, environment, escaped_text

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


ESCAPED = [
    "plain",
    "a<b & 'c' \"d\" >",
    "&amp; already an entity",
    "é, ✓ and 🧬",
    "",
    Markup("<i>markup as it is</i>"),
    mark_safe("<b>Django's safe string</b>"),
    42,
    None,
    gettext_lazy("Search"),
]


@pytest.mark.parametrize("value", ESCAPED)
def test_escaped_text_is_the_text_markupsafe_gives(value):
    assert escaped_text(value) == str(escape(value))
    assert type(escaped_text(value)) in {str, Markup, SafeString}


def test_the_site_escapes_every_output_as_jinja_would():
    source = (
        "{% macro cell(text) %}<td>{{ text }}</td>{% endmacro %}"
        "{% set caption %}<b>{{ title }}</b>{% endset %}"
        "{{ caption }}|{{ cell(title) }}|{{ title|upper }}|{{ html }}|"
        "{% for value in values %}{{ value }},{% endfor %}|{{ missing }}|"
        "{% autoescape false %}{{ title }}{% endautoescape %}"
    )
    context = {"title": "<A & 'B'>", "html": Markup("<i>x</i>"), "values": ESCAPED}
    site = environment(autoescape=True)
    jinja = Environment(autoescape=True)

    page = site.from_string(source).render(context)

    assert page == jinja.from_string(source).render(context)
    assert "<b>&lt;A &amp; &#39;B&#39;&gt;</b>|<td>&lt;A" in page
    assert "environment.escaped_text(" in site.compile(source, raw=True)


class _Failing:
    """An object whose attribute fails with AttributeError (as a missing
    one-to-one of Django's does), counting each attempt."""

    def __init__(self):
        self.attempts = 0

    @property
    def profile(self):
        self.attempts += 1
        raise AttributeError("no profile")

    def __getitem__(self, key):
        return f"item {key}"


def test_the_site_looks_attributes_up_as_jinja_would():
    source = (
        "{{ item.name }}|{{ mapping.key }}|{{ mapping.nested.deep.upper() }}|"
        "{{ mapping.absent }}|{{ (mapping.absent or 'default') }}|"
        "{{ items[0].name }}|{% for i in items if i.name %}{{ i.name }}{% endfor %}|"
        "{{ items|map(attribute='name')|join(',') }}|{{ failing.profile }}|"
        "{% macro m(x) %}{{ x.name }}{% endmacro %}{{ m(item) }}"
    )

    def context():
        item = type("Item", (), {"name": "<n>"})()
        return {
            "item": item,
            "items": [item],
            "mapping": {"key": "v & w", "nested": {"deep": "d"}},
            "failing": _Failing(),
        }

    site = environment(autoescape=True)
    jinja = Environment(autoescape=True)
    ours = context()

    page = site.from_string(source).render(ours)

    assert page == jinja.from_string(source).render(context())
    assert page.startswith("&lt;n&gt;|v &amp; w|D||default|&lt;n&gt;|")
    # The lookup that failed as an attribute is taken as an item, once tried.
    assert "|item profile|" in page
    assert ours["failing"].attempts == 1
    assert "environment.getattr(" not in site.compile(source, raw=True)


class _Greeter:
    def greet(self, name):
        return f"hi {name}"

    @pass_context
    def __call__(self, context):
        return f"called with {context.get('title')}"


@pass_context
def _looked_up(context, name):
    return context.resolve(name)


@pass_environment
def _escaping(env):
    return f"escaping {env.autoescape}"


@pass_eval_context
def _evaluated(eval_ctx):
    return f"evaluated {eval_ctx.autoescape}"


def _plain(value="none", *, more=""):
    return f"<plain {value}{more}>"


def _stops():
    raise StopIteration


def test_the_site_calls_functions_and_macros_as_jinja_would():
    source = (
        "{{ plain() }}|{{ plain('a', more='b') }}|{{ remembered('c') }}|"
        "{{ greeter.greet('d') }}|{{ greeter() }}|{{ escaping() }}|{{ evaluated() }}|"
        "{% for v in values %}{% set w = v %}{{ plain(v) }}{{ looked_up('w') }},"
        "{% endfor %}|"
        "{% set title = 'set' %}{{ looked_up('title') }}|[{{ stops() }}]|"
        "{% macro box(x) %}({{ x }}{{ caller() if caller }}){% endmacro %}"
        "{{ box('e') }}|{% call box('f') %}inside{% endcall %}"
    )
    context = {
        "plain": _plain,
        "remembered": functools.lru_cache(maxsize=8)(_plain),
        "greeter": _Greeter(),
        "looked_up": _looked_up,
        "escaping": _escaping,
        "evaluated": _evaluated,
        "stops": _stops,
        "values": ["x", "y"],
        "title": "the title",
    }
    site = environment(autoescape=True)
    template = site.from_string(source)

    page = template.render(context)

    assert page == Environment(autoescape=True).from_string(source).render(context)
    assert page == (
        "&lt;plain none&gt;|&lt;plain ab&gt;|&lt;plain c&gt;|hi d|"
        "called with the title|escaping True|evaluated True|"
        "&lt;plain x&gt;x,&lt;plain y&gt;y,|set|[]|(e)|(finside)"
    )
    assert isinstance(template.new_context(), SiteContext)


def test_the_sites_templates_see_the_globals_and_values_jinja_would():
    sources = {
        "base.html": "<{% block body %}base {{ shared }}{% endblock %}|{{ late }}>",
        "page.html": (
            "{% extends 'base.html' %}{% block body %}{{ super() }}, page: "
            "{{ own }} {{ value }} {{ shared }}{% include 'part.html' %}"
            "{% from 'macros.html' import shout %}{{ shout(value) }}{% endblock %}"
        ),
        "part.html": "[part {{ value }} {{ shared }}]",
        "macros.html": "{% macro shout(x) %}{{ x|upper }}{{ shared }}!{% endmacro %}",
    }

    def render(env):
        env.globals["shared"] = "shared"
        template = env.get_template("page.html", globals={"own": "own"})
        env.globals["late"] = "added later"  # after the template was loaded
        return template.render(value="v", shared="given")

    site = environment(loader=DictLoader(sources), autoescape=True)
    page = render(site)

    assert page == render(Environment(loader=DictLoader(sources), autoescape=True))
    assert page == ("<base given, page: own v given[part v given]Vshared!|added later>")
    assert isinstance(site.get_template("page.html"), SiteTemplate)
