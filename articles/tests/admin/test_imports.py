"""Importing in the admin, through the admin's own views: an importer uploads
files and zips, reads the dry run's report (each outcome, why a file was
refused, the diff of an update or a conflict), then confirms or discards it;
every batch, the command line's too, is listed with who, when and its counts.
Staff without the import permission get 403 on every one of these pages."""

from __future__ import annotations

import contextlib
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from articles.importing.importer import import_files
from articles.models import Article, ImportBatch, ImportedFile

from ..factories import (
    article_text,
    article_upload,
    run_jobs,
    staff,
    submit,
    write_article,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staging_dir")]

MEDICINE = "/learn/medicine/questions/"
BATCHES = "/admin/articles/importbatch/"
UPLOAD = BATCHES + "upload/"


@pytest.fixture
def other_staff(client):
    user = User.objects.create_user("sam", password="pw-for-tests", is_staff=True)
    client.force_login(user)
    return client


def zip_upload(name: str, entries: dict[str, str]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, text in entries.items():
            archive.writestr(entry, text)
    return SimpleUploadedFile(name, buffer.getvalue(), "application/zip")


def already_imported(folder: Path) -> None:
    """updated.md, unchanged.md and edited.md imported; edited.md's article
    then retitled by an editor."""
    write_article(folder, "updated.md", MEDICINE + "updated", title="Old title?")
    write_article(folder, "unchanged.md", MEDICINE + "unchanged")
    write_article(folder, "edited.md", MEDICINE + "edited", title="Original?")
    import_files([folder])
    article = Article.objects.get(url=MEDICINE + "edited")
    article.title = "Retitled by an editor?"
    article.save()


def upload_every_outcome(client, tmp_path):
    """Upload one file of each outcome, loose and in a zip; the response
    after the redirect (the dry run's report)."""
    already_imported(tmp_path)
    files = [
        article_upload("updated.md", MEDICINE + "updated", title="New title?"),
        article_upload("unchanged.md", MEDICINE + "unchanged"),
        article_upload("edited.md", MEDICINE + "edited", title="Changed in the file?"),
        zip_upload(
            "batch.zip",
            {
                "medicine/new.md": article_text(MEDICINE + "new"),
                "medicine/bad.md": article_text(MEDICINE + "bad", id=1).replace(
                    "\nid: 1\n", "\nid: one\n"
                ),
            },
        ),
    ]
    return submit(client, UPLOAD, {"files": files}, follow=True)


def shown(response) -> str:
    return response.content.decode()


def test_the_dry_run_report_shows_each_outcome_and_writes_nothing(importer, tmp_path):
    report = upload_every_outcome(importer, tmp_path)

    page = shown(report)
    assert report.status_code == 200
    assert "This is a dry run: nothing has been written yet" in page
    assert "5 files: 1 created, 1 updated, 1 unchanged, 1 conflict, 1 refused" in page
    assert "batch.zip/medicine/bad.md" in page
    assert "line 3: field &#x27;id&#x27;: must be a whole number" in page
    assert "the file changed, and so did the article in the admin" in page
    # The diffs: what the update and the conflict would change, line by line.
    assert "-    Old title?\n+    New title?" in page
    assert "-    Retitled by an editor?\n+    Changed in the file?" in page
    assert '<input type="submit" class="default" value="Confirm and import">' in page
    # Nothing written yet.
    assert not Article.objects.filter(url=MEDICINE + "new").exists()
    assert Article.objects.get(url=MEDICINE + "updated").title == "Old title?"
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.source, batch.user.username) == (
        "dry_run",
        "admin",
        "ida",
    )
    assert batch.file_names == ["updated.md", "unchanged.md", "edited.md", "batch.zip"]


def test_confirming_imports_the_staged_files_and_keeps_the_editors_change(
    importer, tmp_path, staging_dir
):
    upload_every_outcome(importer, tmp_path)
    batch = ImportBatch.objects.get()

    response = submit(importer, f"{BATCHES}{batch.pk}/confirm/", follow=True)

    page = shown(response)
    assert f"Import batch #{batch.pk} was imported, but not every file" in page
    assert Article.objects.get(url=MEDICINE + "new").source_path == (
        "batch.zip/medicine/new.md"
    )
    assert Article.objects.get(url=MEDICINE + "updated").title == "New title?"
    edited = Article.objects.get(url=MEDICINE + "edited")
    assert edited.title == "Retitled by an editor?"
    assert not Article.objects.filter(url=MEDICINE + "bad").exists()
    batch.refresh_from_db()
    assert batch.state == "applied" and batch.applied_at is not None
    assert batch.counts == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "conflict": 1,
        "refused": 1,
    }
    conflict = batch.files.get(outcome="conflict")
    assert conflict.name == "edited.md"
    assert "+    Changed in the file?" in conflict.diff
    assert "-    Old title?" in batch.files.get(outcome="updated").diff
    assert list(staging_dir.iterdir()) == []


def test_the_batch_list_shows_who_when_the_counts_and_the_files(importer, tmp_path):
    upload_every_outcome(importer, tmp_path)
    batch = ImportBatch.objects.get()
    submit(importer, f"{BATCHES}{batch.pk}/confirm/")

    listing = importer.get(BATCHES)

    assert listing.status_code == 200
    page = shown(listing)
    assert f"Import batch #{batch.pk}" in page
    assert '<td class="field-who">ida</td>' in page
    assert '<td class="field-state_in_words">applied</td>' in page
    assert '<td class="field-conflict">1</td>' in page
    assert (
        '<td class="field-uploaded_files">updated.md, unchanged.md, edited.md '
        "and 1 more</td>" in page
    )
    assert listing.context["cl"].result_count == 1
    assert "Import files" in page


def test_discarding_removes_the_staged_files_and_imports_nothing(
    importer, tmp_path, staging_dir
):
    upload_every_outcome(importer, tmp_path)
    batch = ImportBatch.objects.get()
    assert len(list(staging_dir.iterdir())) == 1

    response = importer.post(f"{BATCHES}{batch.pk}/discard/", follow=True)

    assert f"Import batch #{batch.pk} was discarded" in shown(response)
    assert list(staging_dir.iterdir()) == []
    assert not Article.objects.filter(url=MEDICINE + "new").exists()
    batch.refresh_from_db()
    assert batch.state == "discarded"
    # A discarded batch cannot be confirmed afterwards.
    again = submit(importer, f"{BATCHES}{batch.pk}/confirm/", follow=True)
    assert "it no longer awaits confirmation" in shown(again)
    assert not Article.objects.filter(url=MEDICINE + "new").exists()


def test_confirming_twice_imports_once(importer, tmp_path):
    submit(importer, UPLOAD, {"files": [article_upload("a.md", MEDICINE + "a")]})
    batch = ImportBatch.objects.get()
    submit(importer, f"{BATCHES}{batch.pk}/confirm/")

    again = submit(importer, f"{BATCHES}{batch.pk}/confirm/", follow=True)

    assert f"Import batch #{batch.pk} is applied: it no longer awaits" in shown(again)
    assert list(batch.files.values_list("outcome", flat=True)) == ["created"]


def test_confirming_decides_again_what_changed_since_the_dry_run(importer, tmp_path):
    files = tmp_path / "files"  # beside the staging folder, not above it
    write_article(files, "a.md", MEDICINE + "a", title="Old?")
    import_files([files])
    submit(
        importer,
        UPLOAD,
        {"files": [article_upload("a.md", MEDICINE + "a", title="New?")]},
    )
    batch = ImportBatch.objects.get()
    assert batch.files.get().outcome == "updated"
    # Meanwhile the same change arrives by the command line.
    write_article(files, "a.md", MEDICINE + "a", title="New?")
    import_files([files])

    submit(importer, f"{BATCHES}{batch.pk}/confirm/")

    file = batch.files.get()
    assert (file.outcome, file.diff) == ("unchanged", "")


def test_a_malicious_zip_is_refused_on_the_upload_page(importer, staging_dir):
    evil = zip_upload("evil.zip", {"../../etc/evil.md": article_text(MEDICINE + "e")})

    response = submit(importer, UPLOAD, {"files": [evil]})

    assert response.status_code == 200
    page = shown(response)
    assert "The upload could not be imported" in page
    assert "evil.zip: the entry “../../etc/evil.md” climbs out of its folder" in page
    assert not ImportBatch.objects.exists()
    assert list(staging_dir.iterdir()) == []


def test_an_upload_without_files_asks_for_them(importer):
    response = submit(importer, UPLOAD, {})

    assert "This field is required." in shown(response)
    assert not ImportBatch.objects.exists()


def test_the_files_of_a_big_batch_come_a_page_at_a_time_by_outcome(importer):
    entries = {f"q{n}.md": article_text(MEDICINE + f"q{n}") for n in range(105)}
    entries["broken.md"] = "---\ntitle: no closing line\n"
    submit(importer, UPLOAD, {"files": [zip_upload("many.zip", entries)]})
    batch = ImportBatch.objects.get()
    detail = f"{BATCHES}{batch.pk}/change/"

    first = importer.get(detail)
    second = importer.get(detail, {"page": 2})
    refused = importer.get(detail, {"outcome": "refused"})

    assert len(first.context["page"].object_list) == 100
    assert "Page 1 of 2." in shown(first)
    assert len(second.context["page"].object_list) == 6
    assert [f.name for f in refused.context["page"].object_list] == [
        "many.zip/broken.md"
    ]
    assert "the front matter is never closed" in shown(refused)


def test_batches_cannot_be_added_changed_or_deleted_through_forms(importer):
    submit(importer, UPLOAD, {"files": [article_upload("a.md", MEDICINE + "a")]})
    batch = ImportBatch.objects.get()

    assert importer.get(BATCHES + "add/").status_code == 403
    assert importer.get(f"{BATCHES}{batch.pk}/delete/").status_code == 403
    change = shown(importer.get(f"{BATCHES}{batch.pk}/change/"))
    assert 'name="_save"' not in change and 'name="_continue"' not in change


def test_a_dry_run_awaiting_confirmation_says_so_in_the_list(importer):
    submit(importer, UPLOAD, {"files": [article_upload("a.md", MEDICINE + "a")]})

    listing = shown(importer.get(BATCHES))

    assert (
        '<td class="field-state_in_words">dry run, awaiting confirmation</td>'
        in listing
    )


def test_a_get_cannot_confirm_a_batch(importer):
    submit(importer, UPLOAD, {"files": [article_upload("a.md", MEDICINE + "a")]})
    batch = ImportBatch.objects.get()

    assert importer.get(f"{BATCHES}{batch.pk}/confirm/").status_code == 405
    assert not Article.objects.exists()


def test_the_next_upload_discards_dry_runs_left_unconfirmed_for_a_week(
    importer, staging_dir
):
    for name in ["old", "recent"]:
        submit(
            importer, UPLOAD, {"files": [article_upload(f"{name}.md", MEDICINE + name)]}
        )
    old, recent = ImportBatch.objects.order_by("pk")
    report = shown(importer.get(f"{BATCHES}{recent.pk}/change/"))
    assert "Left unconfirmed for 7 days, they are discarded." in report
    for batch, days in [(old, 8), (recent, 6)]:
        ImportBatch.objects.filter(pk=batch.pk).update(
            created_at=timezone.now() - timedelta(days=days)
        )
    assert len(list(staging_dir.iterdir())) == 2

    submit(importer, UPLOAD, {"files": [article_upload("new.md", MEDICINE + "new")]})

    states = ImportBatch.objects.order_by("pk").values_list("file_names", "state")
    assert list(states) == [
        (["old.md"], "discarded"),
        (["recent.md"], "dry_run"),
        (["new.md"], "dry_run"),
    ]
    staged = {folder.name for folder in staging_dir.iterdir()}
    assert old.staging_token not in staged and recent.staging_token in staged
    assert len(staged) == 2
    assert old.files.get().outcome == "created"  # its report stays
    confirm = submit(importer, f"{BATCHES}{old.pk}/confirm/", follow=True)
    assert "it no longer awaits confirmation" in shown(confirm)
    assert not Article.objects.exists()


@pytest.fixture
def a_dry_run(tmp_path) -> ImportBatch:
    """A dry run uploaded by an importer, awaiting confirmation."""
    from articles.importing.batches import start_upload_batch

    user = User.objects.create_user("ida", is_staff=True)
    batch = start_upload_batch([article_upload("a.md", MEDICINE + "a")], user=user)
    run_jobs()
    batch.refresh_from_db()
    return batch


@pytest.mark.parametrize(
    "method, page",
    [
        ("get", "{batches}"),
        ("get", "{batches}upload/"),
        ("post", "{batches}upload/"),
        ("get", "{batches}{pk}/change/"),
        ("post", "{batches}{pk}/confirm/"),
        ("post", "{batches}{pk}/discard/"),
    ],
)
def test_staff_without_the_import_permission_get_403(
    other_staff, a_dry_run, method, page
):
    url = page.format(batches=BATCHES, pk=a_dry_run.pk)
    data = (
        {"files": [article_upload("b.md", MEDICINE + "b")]} if method == "post" else {}
    )

    response = getattr(other_staff, method)(url, data)

    assert response.status_code == 403
    assert not Article.objects.exists()
    assert ImportBatch.objects.get().state == "dry_run"


def test_staff_without_the_import_permission_do_not_see_batches_in_the_index(
    other_staff,
):
    index = other_staff.get("/admin/")

    assert BATCHES not in shown(index)


def test_an_importer_sees_batches_in_the_admin_index(importer):
    assert BATCHES in shown(importer.get("/admin/"))


def run_command(*args) -> str:
    """Run import_articles; what it wrote to stderr (a conflict exits with 1)."""
    err = io.StringIO()
    with contextlib.suppress(CommandError):
        call_command(
            "import_articles", *map(str, args), stdout=io.StringIO(), stderr=err
        )
    return err.getvalue()


def test_the_command_records_its_batch_with_the_conflict_and_its_diff(
    importer, tmp_path
):
    already_imported(tmp_path)
    write_article(tmp_path, "edited.md", MEDICINE + "edited", title="Changed?")

    err = run_command(tmp_path)

    assert "conflict" in err and "edited.md" in err
    assert Article.objects.get(url=MEDICINE + "edited").title == (
        "Retitled by an editor?"
    )
    batch = ImportBatch.objects.get()
    assert (batch.source, batch.user, batch.state) == ("command", None, "applied")
    assert batch.file_names == [str(tmp_path)]
    assert batch.summary() == (
        "3 files: 0 created, 0 updated, 2 unchanged, 1 conflict, 0 refused"
    )
    detail = shown(importer.get(f"{BATCHES}{batch.pk}/change/"))
    assert "Run from the command line" in detail
    assert "-    Retitled by an editor?\n+    Changed?" in detail
    listing = shown(importer.get(BATCHES))
    assert '<td class="field-who">command line</td>' in listing


def test_a_command_run_with_every_file_unchanged_records_no_batch(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "a")
    run_command(tmp_path)
    assert ImportBatch.objects.count() == 1

    run_command(tmp_path)

    assert ImportBatch.objects.count() == 1
    assert ImportedFile.objects.count() == 1


def test_the_article_list_links_to_the_import_for_importers_only(importer, client):
    assert "Import files" in importer.get("/admin/articles/article/").text

    staff(client, "edna", "Editors")
    page = client.get("/admin/articles/article/")
    assert page.status_code == 200
    assert "Import files" not in page.text
