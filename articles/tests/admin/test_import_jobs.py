"""Admin imports as background jobs: an upload is only staged and queued, a
worker runs the dry run and the import, the batch page follows their progress,
and a batch whose worker died is run again safely."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.importing.importer import import_files
from articles.importing.uploads import staging_folder
from articles.models import Article, ImportBatch

from ..factories import article_text, article_upload, run_jobs, submit
from .test_imports import BATCHES, MEDICINE, UPLOAD, shown, zip_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staging_dir")]

PROJECT = Path(__file__).resolve().parents[3]


def batch_page(client, batch) -> str:
    return shown(client.get(f"{BATCHES}{batch.pk}/change/"))


def test_an_upload_is_only_staged_and_queued_and_its_page_says_so(importer):
    files = [article_upload(f"{n}.md", MEDICINE + f"q{n}") for n in range(3)]

    response = importer.post(UPLOAD, {"files": files})

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert (batch.state, batch.files_total, batch.files_done) == ("queued", 3, 0)
    assert DBTaskResult.objects.ready().count() == 1
    assert not batch.files.exists() and not Article.objects.exists()
    page = batch_page(importer, batch)
    assert "Queued: waiting for a worker" in page
    assert '<meta http-equiv="refresh" content="2">' in page


def test_the_worker_runs_the_dry_run_then_the_confirmed_import(importer):
    files = [article_upload(f"{n}.md", MEDICINE + f"q{n}") for n in range(3)]
    submit(importer, UPLOAD, {"files": files})
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.files_done, batch.created) == ("dry_run", 3, 3)
    assert "refresh" not in batch_page(importer, batch)

    importer.post(f"{BATCHES}{batch.pk}/confirm/")
    batch.refresh_from_db()
    assert batch.state == "importing" and not Article.objects.exists()
    assert "Importing" in batch_page(importer, batch)
    run_jobs()

    batch.refresh_from_db()
    assert (batch.state, batch.files_done, batch.created) == ("applied", 3, 3)
    assert Article.objects.count() == 3
    assert f"{batch} was imported: 3 files: 3 created" in batch_page(importer, batch)


def test_a_running_job_shows_its_progress_rate_and_time_left(importer):
    submit(importer, UPLOAD, {"files": [article_upload("a.md", MEDICINE + "a")]})
    batch = ImportBatch.objects.get()
    now = timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(
        state="checking",
        files_total=1000,
        files_done=250,
        started_at=now - timedelta(seconds=10),
        progress_at=now,
    )

    page = batch_page(importer, batch)

    assert "Checking the files (a dry run: nothing is written)" in page
    assert '<progress id="import-progress-bar" value="250" max="1000">' in page
    assert "250 of 1000 files" in page
    assert "25 files a second; about 30 s left." in page
    assert '<meta http-equiv="refresh" content="2">' in page


def test_a_batch_whose_worker_died_says_so_and_runs_again_to_the_same_articles(
    importer,
):
    files = [article_upload(f"{n}.md", MEDICINE + f"q{n}") for n in range(3)]
    submit(importer, UPLOAD, {"files": files})
    batch = ImportBatch.objects.get()
    importer.post(f"{BATCHES}{batch.pk}/confirm/")
    # A worker took the import, wrote its first file, and died: its job stays
    # claimed, the batch stops reporting.
    DBTaskResult.objects.ready().update(status="RUNNING")
    import_files([staging_folder(batch.staging_token) / "0.md"])
    long_ago = timezone.now() - timedelta(minutes=30)
    ImportBatch.objects.filter(pk=batch.pk).update(progress_at=long_ago)

    page = batch_page(importer, batch)
    assert "Stopped: the worker running this batch is gone" in page
    assert "Run it again" in page

    again = submit(importer, f"{BATCHES}{batch.pk}/run-again/", follow=True)

    assert f"{batch} is queued again." in shown(again)
    batch.refresh_from_db()
    assert (batch.state, batch.created, batch.unchanged) == ("applied", 2, 1)
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["q0", "q1", "q2"]


def test_a_batch_whose_every_file_was_refused_keeps_its_report_not_its_files(
    importer, staging_dir
):
    bad = article_text(MEDICINE + "bad").replace("title:", "title: [")

    submit(importer, UPLOAD, {"files": [zip_upload("bad.zip", {"bad.md": bad})]})

    batch = ImportBatch.objects.get()
    assert batch.state == "discarded" and batch.refused == 1
    assert "Every file was refused" in batch_page(importer, batch)
    assert list(staging_dir.iterdir()) == []


# The real worker process, started and killed. PostgreSQL only: on SQLite the
# tests' database is in memory, where no other process can reach it.
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a second process needs the test database: runs in CI's PostgreSQL pass",
)


def start_worker(staging_dir, *, batch: bool) -> subprocess.Popen:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "IMPORT_STAGING_DIR": str(staging_dir),
        "SECRET_KEY": "tests-only",
    }
    command = [sys.executable, "manage.py", "db_worker", "--interval", "0.1"]
    if batch:
        command.append("--batch")
    return subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.05)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_worker_process_imports_a_zip_and_a_killed_one_leaves_a_rerunnable_batch(
    importer, staging_dir
):
    count = 3000
    entries = {f"q/{n:04}.md": article_text(MEDICINE + f"q{n}") for n in range(count)}
    submit_zip = {"files": [zip_upload("corpus.zip", entries)]}
    importer.post(UPLOAD, submit_zip)
    batch = ImportBatch.objects.get()
    assert batch.state == "queued"

    worker = start_worker(staging_dir, batch=True)
    assert worker.wait(timeout=300) == 0, worker.stderr.read().decode()[-2000:]
    batch.refresh_from_db()
    assert (batch.state, batch.created, batch.files_done) == ("dry_run", count, count)

    importer.post(f"{BATCHES}{batch.pk}/confirm/")
    worker = start_worker(staging_dir, batch=False)
    try:
        wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).files_done >= 1000)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=60)
    batch.refresh_from_db()
    written = Article.objects.count()
    assert batch.state == "importing" and 1000 <= written < count

    ImportBatch.objects.filter(pk=batch.pk).update(
        progress_at=timezone.now() - timedelta(minutes=30)
    )
    assert "Stopped: the worker running this batch is gone" in batch_page(
        importer, batch
    )
    importer.post(f"{BATCHES}{batch.pk}/run-again/")
    worker = start_worker(staging_dir, batch=True)
    assert worker.wait(timeout=300) == 0, worker.stderr.read().decode()[-2000:]

    batch.refresh_from_db()
    assert batch.state == "applied"
    assert Article.objects.count() == count
    assert (batch.created, batch.unchanged) == (count - written, written)
