"""Importing in the admin, in a real browser: an importer logs in, uploads a
zip, reads the dry run's report, confirms it, and finds the batch in the list
of import batches. Needs Debian's Chromium (scripts/system-deps)."""

from __future__ import annotations

import contextlib
import time
import zipfile

import pytest
from django.contrib.auth.models import User
from django.db import connection
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from articles.models import Article, ImportBatch, Status

from ..admin.test_import_jobs import start_worker
from ..factories import article_text, importers_group, run_jobs
from .chromium import Reader, axe_violations, format_violations, save_screenshots

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("staging_dir"),
]

MEDICINE = "/learn/medicine/questions/"


@pytest.fixture
def importer(browser, live_server) -> Reader:
    """The module's Chromium, logged in to the admin as an importer."""
    user = User.objects.create_user(
        "ida", password="a-long-test-password", is_staff=True
    )
    user.groups.add(importers_group())
    browser.delete_all_cookies()
    reader = Reader(browser, live_server.url)
    reader.open("/admin/login/")
    reader.find("#id_username").send_keys("ida")
    reader.find("#id_password").send_keys("a-long-test-password")
    reader.follow(reader.find("input[type=submit]"))
    return reader


@pytest.fixture
def batch_zip(tmp_path):
    path = tmp_path / "batch.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("medicine/a.md", article_text(MEDICINE + "a", title="A?"))
        archive.writestr("medicine/b.md", article_text(MEDICINE + "b", title="B?"))
        archive.writestr("medicine/broken.md", "---\ntitle: no closing line\n")
    return path


def work_while_away(reader: Reader) -> None:
    """Run the queued jobs, as the worker would, with the browser off the
    batch's page, then come back to it. (On SQLite the live server shares this
    process's one connection to the in-memory database: the page's reloads must
    not run while a job does.)"""
    page = reader.path
    reader.driver.get("about:blank")
    run_jobs()
    reader.open(page)


def wait_for_text(reader: Reader, text: str, seconds: float = 30) -> None:
    """Wait for the page to show `text`, as a batch's page does when it reloads
    itself."""
    WebDriverWait(reader.driver, seconds).until(
        lambda driver: text in driver.find_element(By.ID, "content-main").text
    )


def assert_accessible(reader: Reader) -> None:
    violations = axe_violations(reader.driver)
    assert violations == [], format_violations(violations)


def test_an_importer_uploads_a_zip_reads_the_dry_run_and_confirms_it(
    importer, batch_zip
):
    importer.follow(importer.driver.find_element(By.LINK_TEXT, "Import batches"))
    importer.follow(importer.find(".object-tools a[href$='/importbatch/upload/']"))
    assert importer.heading() == "Import article files"
    assert_accessible(importer)

    importer.find("input[type=file]").send_keys(str(batch_zip))
    importer.follow(importer.find("input[type=submit].default"))
    assert "Queued: waiting for a worker" in importer.find("#content-main").text
    save_screenshots(importer.driver, "admin-import-queued")
    work_while_away(importer)  # the worker takes the dry run

    report = importer.find("#content-main").text
    assert "This is a dry run: nothing has been written yet" in report
    assert "3 files: 2 created, 0 updated, 0 unchanged, 0 conflict, 1 refused" in report
    assert "batch.zip/medicine/broken.md" in report
    assert "the front matter is never closed" in report
    assert not Article.objects.exists()
    assert_accessible(importer)
    save_screenshots(importer.driver, "admin-import-dry-run")

    importer.follow(importer.find("input[value='Confirm and import']"))
    assert "Importing" in importer.find("#content-main").text
    assert importer.find("progress#import-progress-bar").get_attribute("max") == "3"
    work_while_away(importer)

    batch = ImportBatch.objects.get()
    wait_for_text(importer, f"Import batch #{batch.pk} was imported, but not every")
    assert sorted(Article.objects.values_list("title", flat=True)) == ["A?", "B?"]

    importer.follow(importer.driver.find_element(By.LINK_TEXT, "Import batches"))
    row = importer.driver.find_element(
        By.XPATH, f"//tr[.//a[text()='Import batch #{batch.pk}']]"
    )
    cells = {
        cell.get_attribute("class"): cell.text
        for cell in row.find_elements(By.CSS_SELECTOR, "td")
    }
    assert cells["field-who"] == "ida"
    assert cells["field-state_in_words"] == "applied"
    assert (cells["field-created"], cells["field-refused"]) == ("2", "1")
    assert cells["field-uploaded_files"] == "batch.zip"
    # The admin has no favicon: the browser's request for one is not the page's.
    errors = [e for e in importer.console_errors if "/favicon.ico" not in e]
    assert errors == [] and importer.dialogs == []


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker process needs the test database: runs in CI's PostgreSQL pass",
)
def test_an_importer_watches_the_workers_progress_bar_move_then_finds_the_articles(
    importer, tmp_path, staging_dir
):
    count = 6000
    path = tmp_path / "corpus.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(count):
            archive.writestr(f"q/{n:04}.md", article_text(f"{MEDICINE}q{n}"))
    importer.open("/admin/articles/importbatch/upload/")
    importer.find("input[type=file]").send_keys(str(path))
    importer.follow(importer.find("input[type=submit].default"))
    worker = start_worker(staging_dir, batch=False)
    try:
        seen = watch_progress(importer, "This is a dry run: nothing has been written")
        importer.follow(importer.find("input[value='Confirm and import']"))
        seen += watch_progress(importer, "was imported")
    finally:
        worker.terminate()
        worker.wait(timeout=60)

    # The bar moved: the page showed a part done, not only none and all.
    assert any(0 < done < count for done in seen), seen
    # An importer may not publish: the new articles wait as drafts, in the admin.
    assert Article.objects.filter(status=Status.DRAFT).count() == count
    importer.open(f"/admin/articles/article/?q={MEDICINE}q{count - 1}")
    assert "What is a test?" in importer.find("#result_list").text
    assert "1 article" in importer.find(".paginator").text


def watch_progress(reader: Reader, until: str, seconds: float = 240) -> list[int]:
    """The values the batch page's progress bar shows as it reloads itself,
    until the page shows `until`."""
    seen: list[int] = []
    deadline = time.monotonic() + seconds
    while until not in (page := page_text(reader)):
        assert time.monotonic() < deadline, f"the job did not end in time: {page}"
        with contextlib.suppress(WebDriverException):  # the page reloading
            for bar in reader.driver.find_elements(By.ID, "import-progress-bar"):
                seen.append(int(bar.get_attribute("value")))
        time.sleep(0.2)
    return seen


def page_text(reader: Reader) -> str:
    with contextlib.suppress(WebDriverException):  # the page reloading
        return reader.driver.find_element(By.ID, "content-main").text
    return ""
