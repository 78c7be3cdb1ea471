"""Review before publish in a real browser: a writer (an editor without the
publish permission) submits a draft for review from its form; an editor who
may publish finds it under "Awaiting review" and publishes it, and readers
see it. Needs Debian's Chromium (scripts/system-deps)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By

from articles.models import Article, Status

from ..factories import make_article, writers_group
from .chromium import (
    TEST_PASSWORD,
    axe_violations,
    console_errors,
    format_violations,
    log_in_to_admin,
    save_screenshots,
    wait_for_next_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = TEST_PASSWORD


def click(browser, by, value) -> None:
    wait_for_next_page(browser, browser.find_element(by, value).click)


def message(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, "ul.messagelist").text


def test_a_writer_submits_a_draft_and_an_editor_who_may_publish_approves_it(
    browser, live_server
):
    writer = User.objects.create_user("wes", password=PASSWORD, is_staff=True)
    writer.groups.add(writers_group())
    User.objects.create_superuser("edna", "edna@example.com", PASSWORD)
    draft = make_article("comets", title="What are comets?", status=Status.DRAFT)

    log_in_to_admin(browser, live_server.url, "wes")
    browser.get(f"{live_server.url}/admin/articles/article/{draft.pk}/change/")
    click(browser, By.CSS_SELECTOR, f".object-tools a[href$='/{draft.pk}/review/']")
    assert not browser.find_elements(By.ID, "review-decision")  # not the writer's
    browser.find_element(By.ID, "review-note-field").send_keys("Ready to go.")
    click(browser, By.CSS_SELECTOR, "#review-submit input[type=submit]")
    assert "was submitted for review" in message(browser)
    assert "Submitted by wes" in browser.find_element(By.ID, "open-review").text
    assert Article.objects.get(pk=draft.pk).status == Status.DRAFT

    log_in_to_admin(browser, live_server.url, "edna")
    browser.get(f"{live_server.url}/admin/articles/article/")
    click(browser, By.CSS_SELECTOR, ".object-tools a[href$='/worklists/review/']")
    row = browser.find_element(By.CSS_SELECTOR, "#awaiting-review tbody tr")
    assert "wes" in row.text and "Ready to go." in row.text
    save_screenshots(browser, "admin-awaiting-review")
    violations = axe_violations(browser)
    assert violations == [], format_violations(violations)
    click(browser, By.LINK_TEXT, "What are comets?")
    assert browser.find_element(By.ID, "review-note").text == "Ready to go."
    violations = axe_violations(browser)
    assert violations == [], format_violations(violations)
    click(browser, By.CSS_SELECTOR, "#review-decision input[name=publish]")

    assert "“What are comets?” was published." in message(browser)
    assert "No article awaits review." in browser.find_element(By.ID, "content").text
    assert Article.objects.get(pk=draft.pk).status == Status.PUBLISHED
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}{draft.url}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Question comets?"
    assert console_errors(browser) == []
