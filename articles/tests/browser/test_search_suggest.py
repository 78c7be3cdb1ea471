"""The search box in a real browser: the titles it lists as the reader types,
the spelling it offers for a misspelt word, the keyboard, and WCAG 2.1 AA
(axe-core) with the list open and on a results page that says "Did you mean".
"""

from __future__ import annotations

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from .chromium import Reader, axe_violations, format_violations

pytestmark = pytest.mark.browser

OPTIONS = "#site-search-q-suggestions [role=option]"


@pytest.fixture
def reader(browser, live_server, demo_site) -> Reader:
    return Reader(browser, live_server.url)


def _options(reader: Reader, count_at_least: int = 1) -> list[str]:
    """The texts of the header box's options, once it lists some."""
    try:
        WebDriverWait(reader.driver, 5).until(
            lambda _: len(reader.find_all(OPTIONS)) >= count_at_least
        )
    except TimeoutException:
        return []
    return [option.text for option in reader.find_all(OPTIONS)]


def _type_in_the_header(reader: Reader, text: str):
    box = reader.find("header input[name=q]")
    box.send_keys(text)
    return box


def test_typing_lists_titles_and_the_keyboard_opens_one(reader, demo_site):
    reader.open("/")

    box = _type_in_the_header(reader, "gradi")

    assert _options(reader) == [demo_site.math.title]
    assert box.get_attribute("aria-expanded") == "true"
    violations = axe_violations(reader.driver)
    assert violations == [], format_violations(violations)
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == (
        reader.find_all(OPTIONS)[0].get_attribute("id")
    )
    reader.leave_page_by(lambda: box.send_keys(Keys.ENTER))
    assert reader.path == demo_site.math.url
    assert reader.console_errors == []


def test_escape_closes_the_list_and_enter_then_searches(reader, demo_site):
    reader.open("/")
    box = _type_in_the_header(reader, "gradi")
    assert _options(reader)

    box.send_keys(Keys.ESCAPE)

    assert box.get_attribute("aria-expanded") == "false"
    assert reader.find_all(OPTIONS) == []
    reader.leave_page_by(lambda: box.send_keys(Keys.ENTER))
    assert reader.path == "/search/?q=gradi"
    assert demo_site.math.title in reader.find("main").text


def test_a_misspelt_word_is_offered_its_spelling(reader, demo_site):
    reader.open("/")
    _type_in_the_header(reader, "gradeint")

    assert _options(reader) == ["Did you mean gradient"]

    reader.follow(reader.find_all(OPTIONS)[0])
    assert reader.path == "/search/?q=gradient"
    assert demo_site.math.title in reader.find("main").text
    assert reader.console_errors == []


def test_the_did_you_mean_page_passes_axe(reader, demo_site):
    reader.open("/search/?q=gradeint")

    link = reader.find("main .did-you-mean a")
    violations = axe_violations(reader.driver)

    assert violations == [], format_violations(violations)
    assert link.text == "gradient"
    reader.follow(link)
    assert demo_site.math.title in reader.find("main").text
    assert reader.console_errors == []
