"""Importing in the admin, in a real browser: an importer logs in, uploads a
zip, reads the dry run's report, confirms it, and finds the batch in the list
of import batches. Needs Debian's Chromium (scripts/system-deps)."""

from __future__ import annotations

import zipfile

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By

from articles.models import Article, ImportBatch

from ..factories import article_text, importers_group
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

    report = importer.find("#content-main").text
    assert "This is a dry run: nothing has been written yet" in report
    assert "3 files: 2 created, 0 updated, 0 unchanged, 0 conflict, 1 refused" in report
    assert "batch.zip/medicine/broken.md" in report
    assert "the front matter is never closed" in report
    assert not Article.objects.exists()
    assert_accessible(importer)
    save_screenshots(importer.driver, "admin-import-dry-run")

    importer.follow(importer.find("input[value='Confirm and import']"))

    batch = ImportBatch.objects.get()
    message = importer.find(".messagelist").text
    assert f"Import batch #{batch.pk} was imported, but not every file" in message
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
