"""The public pages in a real browser: a reader's walk through the site, math
typeset by KaTeX, a hostile answer that runs nothing, and WCAG 2.1 AA (axe-core)
on every type of page, with screenshots at phone and desktop widths.

Needs Debian's Chromium and chromedriver (scripts/system-deps installs them)
and axe-core in node_modules (scripts/test runs npm ci): without them these
tests fail, they are never skipped.
"""

from __future__ import annotations

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from .chromium import (
    Reader,
    axe_violations,
    format_violations,
    open_dialog,
    save_screenshots,
)

PAGE_TYPES = [
    "home",
    "subjects",
    "subject",
    "article-math",
    "article-table-code",
    "search-results",
    "search-empty",
    "not-found",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def reader(browser, live_server, demo_site) -> Reader:
    """A reader at the demo site, in the module's Chromium."""
    return Reader(browser, live_server.url)


def _wait_until(condition, seconds: float = 5) -> bool:
    """Whether `condition()` came true within `seconds` (never raises on timeout)."""
    try:
        WebDriverWait(None, seconds).until(lambda _: condition())
    except TimeoutException:
        return False
    return True


def _png_width(path) -> int:
    # A PNG's width is the big-endian int at bytes 16-19 (its IHDR chunk).
    return int.from_bytes(path.read_bytes()[16:20], "big")


def _injected_markup(driver) -> dict:
    """What of the hostile answer survived into the page, and whether it ran."""
    return driver.execute_script(
        """
        const main = document.querySelector("main");
        const all = [...main.querySelectorAll("*")];
        return {
          pwned: window.__pwned === true,
          scripts: main.querySelectorAll("script").length,
          handlers: all.filter(e => [...e.attributes].some(
            a => a.name.startsWith("on"))).map(e => e.outerHTML),
          javascript_urls: all.filter(e => /^\\s*javascript:/i.test(
            e.getAttribute("href") || e.getAttribute("src") || "")).length,
        };
        """
    )


def _walk_to_a_subject(reader, site) -> None:
    reader.open("/")
    assert reader.path == "/"
    assert reader.heading(), "home has no <h1>"
    reader.follow(reader.find("main a[href='/learn/mathematics/']"))
    assert reader.path == "/learn/mathematics/"
    assert reader.heading() == "Mathematics"
    assert reader.breadcrumb()[-1][0] == "Mathematics"


def _walk_to_an_article_and_a_related_one(reader, site) -> None:
    reader.follow(reader.find(f"main a[href='{site.math.url}']"))
    assert reader.path == site.math.url
    assert reader.heading() == site.math.title
    crumbs = reader.breadcrumb()
    assert crumbs[:2] == [("Learn", "/learn/"), ("Mathematics", "/learn/mathematics/")]
    assert crumbs[2][0] == site.math.title
    related = reader.driver.find_element(
        "xpath",
        "//*[h2[normalize-space()='Related questions']]"
        f"//a[normalize-space()='{site.table.title}']",
    )
    reader.follow(related)
    assert reader.path == site.table.url
    assert reader.heading() == site.table.title
    assert reader.breadcrumb()[-1][0] == site.table.title


def _search_from_the_header_and_open_a_result(reader, site) -> None:
    box = reader.find("header input[name=q]")
    reader.leave_page_by(lambda: box.send_keys(site.search_word, Keys.ENTER))
    assert reader.path == f"/search/?q={site.search_word}"
    assert site.search_word in reader.find("main").text
    reader.follow(reader.find(f"main a[href='{site.math.url}']"))
    assert reader.path == site.math.url
    assert reader.heading() == site.math.title


def test_a_reader_walks_from_home_to_a_related_article_and_a_search_result(
    reader, demo_site
):
    _walk_to_a_subject(reader, demo_site)
    _walk_to_an_article_and_a_related_one(reader, demo_site)
    _search_from_the_header_and_open_a_result(reader, demo_site)

    assert reader.console_errors == []
    assert reader.dialogs == []


def test_math_is_typeset_by_katex(reader, demo_site):
    reader.open(demo_site.math.url)
    untypeset = "return [...document.querySelectorAll('.math:not(:has(.katex))')]"
    # math.js may typeset after the load event: give it a moment.
    _wait_until(lambda: reader.driver.execute_script(f"{untypeset}.length") == 0)
    math = reader.find_all("main .math")
    answer = reader.find("main article").text

    assert len(math) >= 2, "the inline and the display math are not .math elements"
    assert reader.driver.execute_script(f"{untypeset}.map(e => e.outerHTML)") == []
    assert r"\frac" not in answer and r"\nabla" not in answer and "$$" not in answer
    assert reader.console_errors == []


def test_the_hostile_article_runs_no_script(reader, demo_site):
    reader.open(demo_site.hostile.url)
    assert reader.heading() == demo_site.hostile.title
    assert "The end of a harmless paragraph." in reader.find("main").text
    assert _injected_markup(reader.driver) == {
        "pwned": False,
        "scripts": 0,
        "handlers": [],
        "javascript_urls": 0,
    }

    links = reader.driver.find_elements(
        "xpath",
        "//main//article//a[normalize-space()='click' or normalize-space()='x']",
    )
    for link in links:
        reader.click(link)
        assert reader.path == demo_site.hostile.url

    assert reader.dialogs == []
    assert _injected_markup(reader.driver)["pwned"] is False
    assert reader.console_errors == []


def test_the_dialog_check_sees_a_dialog_a_page_opens(browser):
    # Guards the hostile test: a dialog must not slip past open_dialog.
    browser.get("data:text/html,<title>t</title><script>alert('opened')</script>")

    assert open_dialog(browser) == "opened"
    assert open_dialog(browser) is None


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_every_type_of_page_passes_axe_and_logs_no_error(reader, demo_site, page_type):
    reader.open(demo_site.pages[page_type], missing=page_type == "not-found")
    screenshots = save_screenshots(reader.driver, page_type)

    violations = axe_violations(reader.driver)

    assert [_png_width(path) for path in screenshots] == [375, 1280]
    assert violations == [], (
        f"axe-core WCAG 2.1 A/AA violations on {reader.path}:\n"
        + format_violations(violations)
    )
    assert reader.console_errors == []
    assert reader.dialogs == []
