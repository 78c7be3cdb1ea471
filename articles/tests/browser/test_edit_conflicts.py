"""Two editors in two browsers open one article and both save: the second is
told who changed what, keeps their text, and saves it over the first's
change; an open form keeps its presence fresh and ends it when left. Needs
Debian's Chromium (scripts/system-deps)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from articles.models import Article, Editing

from ..factories import make_article
from .chromium import (
    TEST_PASSWORD,
    console_errors,
    log_in_to_admin,
    save_screenshots,
    start_chromium,
    wait_for_next_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = TEST_PASSWORD


@pytest.fixture
def second_browser(tmp_path_factory):
    """Another Chromium, with a profile (and so a session) of its own."""
    driver = start_chromium(tmp_path_factory.mktemp("second-profile"))
    yield driver
    driver.quit()


def log_in(browser, live_server, name: str):
    User.objects.create_superuser(name, f"{name}@example.com", PASSWORD)
    log_in_to_admin(browser, live_server.url, name)
    return browser


def retype(browser, field_id: str, text: str) -> None:
    field = browser.find_element(By.ID, field_id)
    field.clear()
    field.send_keys(text)


def test_the_second_of_two_editors_sees_the_conflict_and_keeps_their_text(
    browser, second_browser, live_server
):
    article = make_article("q", title="The first title", question="The question?")
    url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    edna = log_in(browser, live_server, "edna")
    bob = log_in(second_browser, live_server, "bob")
    edna.get(url)
    bob.get(url)
    # Each is told the other has the form open (Bob by his page; Edna, who
    # opened first, once she reloads or saves).
    assert "Also open by edna" in bob.find_element(By.ID, "article_form").text

    retype(bob, "id_title", "Bob's title")
    wait_for_next_page(bob, bob.find_element(By.NAME, "_continue").click)
    retype(edna, "id_question", "Edna's question?")
    wait_for_next_page(edna, edna.find_element(By.NAME, "_continue").click)

    note = edna.find_element(By.CSS_SELECTOR, ".edit-conflict").text
    assert "Changed since you opened it" in note
    assert "bob" in note
    assert "The first title" in note and "Bob's title" in note
    errors = edna.find_element(By.CSS_SELECTOR, ".errorlist.nonfield").text
    assert "your changes were not saved" in errors
    assert "Also open by bob" in edna.find_element(By.ID, "article_form").text
    assert edna.find_element(By.ID, "id_question").get_attribute("value") == (
        "Edna's question?"
    )
    assert edna.find_element(By.ID, "id_title").get_attribute("value") == "Bob's title"
    assert Article.objects.get(pk=article.pk).question == "The question?"
    save_screenshots(edna, "admin-edit-conflict")

    wait_for_next_page(edna, edna.find_element(By.NAME, "_continue").click)

    saved = Article.objects.get(pk=article.pk)
    assert (saved.title, saved.question) == ("Bob's title", "Edna's question?")
    assert (
        "changed successfully"
        in edna.find_element(By.CSS_SELECTOR, ".messagelist").text
    )
    assert console_errors(edna) == [] and console_errors(bob) == []


def test_an_open_form_keeps_saying_so_and_says_when_it_is_left(
    browser, live_server, settings
):
    settings.EDITING_PRESENCE_SECONDS = 30  # the script then says so every 10 s
    article = make_article("q")
    url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    edna = log_in(browser, live_server, "edna")
    edna.get(url)
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    Editing.objects.filter(article=article).update(seen_at=long_ago)

    WebDriverWait(edna, 30, poll_frequency=0.5).until(
        lambda _: Editing.objects.current().filter(article=article).exists()
    )
    edna.get(f"{live_server.url}/admin/articles/article/")

    WebDriverWait(edna, 10, poll_frequency=0.2).until(
        lambda _: not Editing.objects.filter(article=article).exists()
    )
    assert console_errors(edna) == []
