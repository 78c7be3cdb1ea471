"""The admin in a real browser: an editor logs in, edits an answer and sees
the live preview (math typeset), changes the URL and finds the old one
redirecting. Needs Debian's Chromium (scripts/system-deps)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from articles.models import Article

from .browser import console_errors, save_screenshots
from .factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def logged_in(browser, live_server):
    """The module's Chromium, logged in to the admin as an editor."""
    User.objects.create_superuser("edna", "edna@example.com", "a-long-test-password")
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("edna")
    browser.find_element(By.NAME, "password").send_keys("a-long-test-password")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "/admin/login/" not in d.current_url)
    console_errors(browser)  # start each test with an empty console log
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
    logged_in.find_element(By.NAME, "_save").click()
    WebDriverWait(logged_in, 10).until(lambda d: "/change/" not in d.current_url)

    assert Article.objects.get(pk=article.pk).url == "/learn/medicine/questions/after"
    logged_in.get(f"{live_server.url}/learn/medicine/questions/before")
    assert logged_in.current_url == f"{live_server.url}/learn/medicine/questions/after"
    assert logged_in.find_element(By.TAG_NAME, "h1").text == "Question before?"
