"""The admin in a real browser: an editor logs in, edits an answer and sees
the live preview (math typeset), changes the URL and finds the old one
redirecting, picks and reorders related links, restores a revision. Needs
Debian's Chromium (scripts/system-deps)."""

from __future__ import annotations

import pytest
import reversion
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from articles.models import Article, RelatedLink

from ..factories import make_article
from .chromium import (
    TEST_PASSWORD,
    console_errors,
    log_in_to_admin,
    save_screenshots,
    wait_for_next_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(browser, live_server):
    """The module's Chromium, logged in to the admin as an editor."""
    User.objects.create_superuser("edna", "edna@example.com", TEST_PASSWORD)
    log_in_to_admin(browser, live_server.url, "edna")
    return browser


def test_an_editor_sees_the_live_preview_of_the_answer_with_its_math(
    logged_in, live_server
):
    article = make_article("q", answer="Old answer.")
    logged_in.get(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    field = logged_in.find_element(By.ID, "id_answer")

    field.clear()
    field.send_keys("A **bold** claim: $$\\frac{a}{b} \\neq \\nabla x$$")

    preview = logged_in.find_element(By.CSS_SELECTOR, ".answer-preview__body")
    WebDriverWait(logged_in, 10).until(
        lambda d: preview.find_elements(By.CSS_SELECTOR, ".math .katex")
    )
    assert preview.find_element(By.TAG_NAME, "strong").text == "bold"
    assert "\\frac" not in preview.text
    save_screenshots(logged_in, "admin-answer-preview")
    assert console_errors(logged_in) == []


def test_an_editor_changes_the_url_and_the_old_one_redirects(logged_in, live_server):
    article = make_article("before", title="A moving question")
    logged_in.get(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    slug = logged_in.find_element(By.ID, "id_slug")

    slug.clear()
    slug.send_keys("after")
    wait_for_next_page(logged_in, logged_in.find_element(By.NAME, "_save").click)
    assert "/change/" not in logged_in.current_url

    assert Article.objects.get(pk=article.pk).url == "/learn/medicine/questions/after"
    logged_in.get(f"{live_server.url}/learn/medicine/questions/before")
    assert logged_in.current_url == f"{live_server.url}/learn/medicine/questions/after"
    assert logged_in.find_element(By.TAG_NAME, "h1").text == "Question before?"


def related_titles_on(browser, url: str) -> list[str]:
    browser.get(url)
    section = browser.find_element(By.CSS_SELECTOR, "section.related")
    return [link.text for link in section.find_elements(By.TAG_NAME, "a")]


def test_an_editor_picks_a_related_article_by_title_and_reorders_the_links(
    logged_in, live_server
):
    first = make_article("first", title="The first question")
    second = make_article("second", title="The second question")
    make_article("third", title="The third question")
    article = make_article("q")
    article.replace_related_links(
        [
            RelatedLink(position=1, target_url=first.url),
            RelatedLink(position=2, target_url=second.url),
        ]
    )
    logged_in.get(f"{live_server.url}/admin/articles/article/{article.pk}/change/")

    logged_in.find_element(By.CSS_SELECTOR, "#related_links-group .add-row a").click()
    rows = logged_in.find_elements(By.CSS_SELECTOR, "#related_links-group tr.form-row")
    new_row = [r for r in rows if "empty-form" not in r.get_attribute("class")][-1]
    new_row.find_element(By.CSS_SELECTOR, ".select2-selection").click()
    search = logged_in.find_element(By.CSS_SELECTOR, ".select2-search__field")
    search.send_keys("third")
    # The list first shows every article, then the search's answer: wait for it.
    choice = WebDriverWait(logged_in, 10).until(
        lambda d: next(
            (
                option
                for option in d.find_elements(
                    By.CSS_SELECTOR, ".select2-results__option--highlighted"
                )
                if "third" in option.text
            ),
            None,
        )
    )
    assert choice.text == "The third question (Medicine)"
    choice.click()
    first_row = logged_in.find_elements(
        By.CSS_SELECTOR, "#related_links-group tr.form-row"
    )[0]
    first_row.find_element(By.CSS_SELECTOR, "[aria-label='Move down']").click()
    save_screenshots(logged_in, "admin-related-links")
    wait_for_next_page(logged_in, logged_in.find_element(By.NAME, "_save").click)
    assert "/change/" not in logged_in.current_url

    links = list(article.related_links.values_list("position", "target__slug"))
    assert links == [(1, "second"), (2, "first"), (3, "third")]
    assert related_titles_on(logged_in, f"{live_server.url}{article.url}")[:3] == [
        "The second question",
        "The first question",
        "The third question",
    ]
    assert console_errors(logged_in) == []


def test_an_editor_restores_an_earlier_revision(logged_in, live_server):
    article = Article.objects.get(pk=make_article("q").pk)
    for answer in ["The careful answer.", "A hasty rewrite."]:
        with reversion.create_revision():
            article.answer = answer
            article.save()
    logged_in.get(f"{live_server.url}/admin/articles/article/{article.pk}/history/")

    assert "A hasty rewrite." not in logged_in.page_source  # the list, not texts
    compare = logged_in.find_element(By.CSS_SELECTOR, "input[type=submit]")
    wait_for_next_page(logged_in, compare.click)
    diff = logged_in.find_element(By.CSS_SELECTOR, ".revision-diff")
    assert "The careful answer." in diff.find_element(By.TAG_NAME, "del").text
    assert "A hasty rewrite." in diff.find_element(By.TAG_NAME, "ins").text
    save_screenshots(logged_in, "admin-revision-changes")
    restore = logged_in.find_element(By.LINK_TEXT, "Restore the older version…")
    wait_for_next_page(logged_in, restore.click)
    answer = logged_in.find_element(By.ID, "id_answer")
    assert answer.get_attribute("value") == "The careful answer."
    wait_for_next_page(logged_in, logged_in.find_element(By.NAME, "_save").click)
    assert "/history/" not in logged_in.current_url

    assert Article.objects.get(pk=article.pk).answer == "The careful answer."
    logged_in.get(f"{live_server.url}{article.url}")
    assert "The careful answer." in logged_in.find_element(By.TAG_NAME, "main").text
    assert console_errors(logged_in) == []
