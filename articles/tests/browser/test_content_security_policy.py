"""The site under its Content-Security-Policy in Chromium: KaTeX typesets every
kind of formula, the admin (its live preview too) works, and nothing logs a
console error, while the policy really refuses inline script.

Needs Debian's Chromium and chromedriver (scripts/system-deps).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.support.wait import WebDriverWait

from ..factories import make_article
from .chromium import Reader, console_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Formulas whose typesetting takes KaTeX's every path: SVG (roots, stretchy
# arrows, tall delimiters), tables (matrices, aligned), colour and text.
RICH_MATH = (
    r"Roots and fractions: $\sqrt{\frac{a^2 + b^2}{c}}$ and $\sqrt[3]{x}$.\n\n"
    r"$$\left( \sum_{i=1}^{n} \frac{1}{i^2} \right) \to \frac{\pi^2}{6}$$\n\n"
    r"$$\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix} \overrightarrow{AB}"
    r" \xrightarrow{f} \widehat{xyz}$$\n\n"
    r"$$\begin{aligned} f(x) &= x^2 \\ g(x) &= \text{twice } x \end{aligned}$$\n\n"
    r"Colour: $\color{teal} e^{i\pi} + 1 = 0$; a formula KaTeX cannot read"
    r" keeps its TeX: $\frac{a$."
)
# Seven formulas, of which KaTeX can read six.
TYPESET = 6
ADMIN_PASSWORD = "a-long-test-password"


@pytest.fixture
def reader(browser, live_server) -> Reader:
    return Reader(browser, live_server.url)


def typeset_count(reader: Reader) -> int:
    return reader.driver.execute_script(
        "return document.querySelectorAll('main .math .katex').length"
    )


def wait_for_katex(reader: Reader, count: int) -> None:
    WebDriverWait(reader.driver, 10).until(lambda _: typeset_count(reader) >= count)


def test_katex_typesets_every_kind_of_formula_with_no_console_error(reader):
    article = make_article("rich-math", answer=RICH_MATH)

    reader.open(article.url)
    wait_for_katex(reader, TYPESET)

    assert typeset_count(reader) == TYPESET
    assert reader.driver.execute_script(
        "return document.querySelectorAll('main svg').length"
    ), "no SVG: roots and arrows were not drawn"
    answer = reader.find("main article").text
    assert r"\sqrt" not in answer and r"\begin" not in answer
    assert r"\frac{a" in answer  # the formula KaTeX cannot read
    assert reader.console_errors == []
    assert reader.dialogs == []


def test_a_page_from_the_cache_typesets_its_math_as_well(reader):
    article = make_article("rich-math", answer=RICH_MATH)
    reader.open(article.url)
    wait_for_katex(reader, TYPESET)

    reader.open(article.url)
    wait_for_katex(reader, TYPESET)

    assert typeset_count(reader) == TYPESET
    assert reader.console_errors == []


def test_the_policy_refuses_inline_script_in_the_browser(reader):
    article = make_article("rich-math", answer=RICH_MATH)
    reader.open(article.url)
    assert reader.console_errors == []

    ran = reader.driver.execute_script(
        """
        const script = document.createElement("script");
        script.textContent = "window.__inlineRan = true";
        document.body.append(script);
        return window.__inlineRan === true;
        """
    )

    refused = [
        message
        for message in console_errors(reader.driver)
        if "Content Security Policy" in message
    ]
    assert ran is False
    assert len(refused) == 1 and "script-src 'self'" in refused[0]


@pytest.fixture
def editor(reader, live_server) -> Reader:
    User.objects.create_superuser("edna", "edna@example.com", ADMIN_PASSWORD)
    reader.driver.delete_all_cookies()
    reader.open("/admin/login/")
    reader.find("#id_username").send_keys("edna")
    reader.find("#id_password").send_keys(ADMIN_PASSWORD)
    reader.follow(reader.find("input[type=submit]"))
    assert reader.path == "/admin/"
    return reader


def test_the_admin_works_with_no_console_error(editor):
    article = make_article("rich-math", answer=RICH_MATH)
    admin = "/admin/articles/article/"

    for path in [
        "/admin/",
        admin,
        f"{admin}add/",
        "/admin/articles/importbatch/upload/",
        f"{admin}worklists/few-links/",
    ]:
        editor.open(path)
        assert editor.find("#content h1").text, path
    editor.open(f"{admin}{article.pk}/change/")
    preview = ".answer-preview__body .math .katex"
    WebDriverWait(editor.driver, 10).until(lambda _: editor.find_all(preview))

    assert len(editor.find_all(preview)) == TYPESET
    # The admin has no favicon: the browser's request for one is not a page's.
    errors = [e for e in editor.console_errors if "/favicon.ico" not in e]
    assert errors == []
    assert editor.dialogs == []
