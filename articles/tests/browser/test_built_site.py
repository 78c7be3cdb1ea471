"""The browser tests of the public pages (test_reading.py), run on the built
site as a plain static file server serves it: math typeset by KaTeX, a
hostile answer that runs nothing, WCAG 2.1 AA (axe-core) and no console
error on every type of page the static site has (search needs a server),
and a reader's walk from home to a related article."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from ..static_site.static_server import serving
from . import test_reading
from .chromium import Reader, save_screenshots

pytestmark = pytest.mark.browser
STATIC_PAGE_TYPES = [name for name in test_reading.PAGE_TYPES if "search" not in name]


@pytest.fixture
def reader(browser, demo_site, tmp_path) -> Reader:
    """A reader at the demo site built and served as static files."""
    out = tmp_path / "built"
    call_command(
        "build_site", str(out), "--base-url", "http://testserver", stdout=io.StringIO()
    )
    with serving(out) as url:
        yield Reader(browser, url)


def test_math_is_typeset_by_katex(reader, demo_site):
    test_reading.test_math_is_typeset_by_katex(reader, demo_site)


@pytest.mark.parametrize("page_type", STATIC_PAGE_TYPES)
def test_every_type_of_page_passes_axe_and_logs_no_error(
    reader, demo_site, page_type, monkeypatch
):
    # Screenshots of the built pages beside, not over, the dynamic ones.
    monkeypatch.setattr(
        test_reading,
        "save_screenshots",
        lambda driver, name: save_screenshots(driver, f"built-{name}"),
    )
    test_reading.test_every_type_of_page_passes_axe_and_logs_no_error(
        reader, demo_site, page_type
    )


def test_a_reader_walks_from_home_to_a_related_article(reader, demo_site):
    test_reading._walk_to_a_subject(reader, demo_site)
    reader.follow(reader.find(f"main a[href='{demo_site.math.url}']"))
    # A static host answers an article's URL with its folder, which serves it.
    assert reader.path == f"{demo_site.math.url}/"
    assert reader.heading() == demo_site.math.question
    related = reader.find(f"main a[href='{demo_site.table.url}']")
    reader.follow(related)

    assert reader.path == f"{demo_site.table.url}/"
    assert reader.heading() == demo_site.table.question
    assert reader.console_errors == []
    assert reader.dialogs == []
