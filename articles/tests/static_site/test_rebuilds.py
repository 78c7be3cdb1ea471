"""With STATIC_SITE_REBUILD on, changes queue a rebuild of the static site on
the worker's queue, one per burst, and the job's run brings the files up to
date."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Status, Subject
from articles.publishing import publish_due
from articles.reviews import publish_reviewed, submit_for_review
from articles.static_site.rebuilds import rebuild_static_site

from ..factories import make_article, run_jobs, write_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def rebuilding(settings, tmp_path):
    settings.STATIC_SITE_REBUILD = True
    settings.STATIC_SITE_DIR = str(tmp_path / "site")
    settings.STATIC_SITE_BASE_URL = "https://learn.example.org"
    return tmp_path / "site"


def waiting_rebuilds() -> int:
    return DBTaskResult.objects.filter(
        task_path=rebuild_static_site.module_path, status="READY"
    ).count()


def test_a_burst_of_changes_queues_one_rebuild(
    rebuilding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            subject = Subject.objects.create(slug="biology", name="Biology")
            first = make_article("first", subject)
            make_article("second", subject)
    with django_capture_on_commit_callbacks(execute=True):
        first.title = "First, renamed"
        first.save()

    assert waiting_rebuilds() == 1


def test_the_rebuild_job_updates_the_files(
    rebuilding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article("a-question")
    run_jobs()
    page = rebuilding / "learn/medicine/questions/a-question/index.html"
    assert "Question a-question" in page.read_text(encoding="utf-8")

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Renamed question"
        article.save()
    assert waiting_rebuilds() == 1
    run_jobs()

    assert "Renamed question" in page.read_text(encoding="utf-8")
    assert waiting_rebuilds() == 0
    result = DBTaskResult.objects.filter(task_path=rebuild_static_site.module_path)
    assert "unchanged, 0 removed" in result.latest("enqueued_at").return_value


def test_a_scheduled_publish_is_rebuilt_after_its_job(
    rebuilding, django_capture_on_commit_callbacks
):
    article = make_article(
        "later",
        status=Status.DRAFT,
        publish_at=timezone.now() - timedelta(minutes=1),
    )
    DBTaskResult.objects.all().delete()  # the rebuild its creation asked for
    publish_due.enqueue()

    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    assert waiting_rebuilds() == 1
    run_jobs()

    assert (rebuilding / article.url.lstrip("/") / "index.html").is_file()


def test_an_import_from_the_command_line_queues_a_rebuild(
    rebuilding, tmp_path, django_capture_on_commit_callbacks
):
    write_article(tmp_path / "files", "a.md", "/learn/medicine/questions/a")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_articles", str(tmp_path / "files"), stdout=io.StringIO())

    assert waiting_rebuilds() == 1


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_a_bulk_action_of_the_admin_queues_a_rebuild(
    rebuilding, editor, action, django_capture_on_commit_callbacks
):
    status = Status.DRAFT if action == "publish" else Status.PUBLISHED
    article = make_article("a-question", status=status)
    DBTaskResult.objects.all().delete()  # the rebuild its creation asked for

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(
            "/admin/articles/article/",
            {"_selected_action": [article.pk], "index": 0, "action": action},
        )

    article.refresh_from_db()
    assert article.status == (Status.PUBLISHED if action == "publish" else Status.DRAFT)
    assert waiting_rebuilds() == 1


def test_a_publish_after_review_queues_a_rebuild(
    rebuilding, admin_user, django_capture_on_commit_callbacks
):
    article = make_article("a-question", status=Status.DRAFT)
    review = submit_for_review(article, user=admin_user)
    DBTaskResult.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        publish_reviewed(review, user=admin_user)

    run_jobs()
    assert (rebuilding / article.url.lstrip("/") / "index.html").is_file()


def test_nothing_is_queued_with_the_setting_off(
    settings, django_capture_on_commit_callbacks
):
    settings.STATIC_SITE_REBUILD = False
    with django_capture_on_commit_callbacks(execute=True):
        make_article("a-question")

    assert DBTaskResult.objects.count() == 0
