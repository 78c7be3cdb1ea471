"""Roles as the README gives them: an upload confirmed by an importer, who may
not publish, creates its new articles as drafts (an update keeps each
article's status); one confirmed by someone who may publish creates them
published. Editors rename and add subjects; writers and importers do not."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from articles.models import Article, Status, Subject

from ..factories import article_upload, staff, submit, write_article
from .test_imports import BATCHES, MEDICINE, UPLOAD, shown

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staging_dir")]

SUBJECTS = "/admin/articles/subject/"


def upload_and_confirm(client, *files) -> None:
    """Upload `files`, let the worker dry-run them, confirm, let it import."""
    submit(client, UPLOAD, {"files": list(files)})
    batch = client.get(BATCHES).context["cl"].result_list[0]
    page = shown(client.get(f"{BATCHES}{batch.pk}/change/"))
    client.last_batch_page = page
    submit(client, f"{BATCHES}{batch.pk}/confirm/")


def test_an_importers_upload_creates_drafts_and_keeps_each_updated_status(
    client, tmp_path
):
    staff(client, "ida", "Importers")
    write_article(tmp_path, "live.md", MEDICINE + "live", title="Live")
    write_article(tmp_path, "hidden.md", MEDICINE + "hidden", title="Hidden")
    call_command("import_articles", str(tmp_path), stdout=io.StringIO())
    Article.objects.filter(title="Hidden").update(status=Status.DRAFT)

    upload_and_confirm(
        client,
        article_upload("new.md", MEDICINE + "new"),
        article_upload("live.md", MEDICINE + "live", title="Live, updated"),
        article_upload("hidden.md", MEDICINE + "hidden", title="Hidden, updated"),
    )

    assert "the new articles will be drafts" in client.last_batch_page
    statuses = dict(Article.objects.values_list("title", "status"))
    assert statuses == {
        "What is a test?": Status.DRAFT,
        "Live, updated": Status.PUBLISHED,
        "Hidden, updated": Status.DRAFT,
    }
    client.logout()
    assert client.get(MEDICINE + "new").status_code == 404


def test_an_upload_confirmed_by_someone_who_may_publish_publishes_new_articles(
    client,
):
    staff(client, "ivy", "Importers", "Editors")

    upload_and_confirm(client, article_upload("new.md", MEDICINE + "new"))

    assert "will be drafts" not in client.last_batch_page
    assert Article.objects.get().status == Status.PUBLISHED


def test_an_editor_renames_a_subject_and_adds_one(client):
    subject = Subject.objects.create(slug="medicine", name="Medicine")
    editor = staff(client, "edna", "Editors")

    renamed = editor.post(f"{SUBJECTS}{subject.pk}/change/", {"name": "Medical"})
    added = editor.post(f"{SUBJECTS}add/", {"name": "Botany", "slug": "botany"})

    assert (renamed.status_code, added.status_code) == (302, 302)
    assert sorted(Subject.objects.values_list("slug", "name")) == [
        ("botany", "Botany"),
        ("medicine", "Medical"),
    ]
    # The slug is in every URL of its articles: set once, never renamed.
    editor.post(f"{SUBJECTS}{subject.pk}/change/", {"name": "Medical", "slug": "x"})
    assert Subject.objects.get(pk=subject.pk).slug == "medicine"


@pytest.mark.parametrize("role", ["Writers", "Importers"])
def test_writers_and_importers_may_not_rename_subjects(client, role):
    subject = Subject.objects.create(slug="medicine", name="Medicine")
    user = staff(client, "sam", role)

    response = user.post(f"{SUBJECTS}{subject.pk}/change/", {"name": "Medical"})

    assert response.status_code == 403
    assert Subject.objects.get().name == "Medicine"
