"""The worker rebuilds the static site after every import and edit, when
STATIC_SITE_REBUILD is on: into STATIC_SITE_DIR, for STATIC_SITE_BASE_URL.

A change asks for a rebuild once its transaction commits (`request_rebuild`);
the request queues the `rebuild_static_site` job unless one is already
waiting. So a burst of changes (an editor's save of an article and its
links, a hundred saves in a minute) queues one job, and a request arriving
while a rebuild runs queues exactly one more, which sees what the running
one may have missed. A rebuild writes only what changed (building.py).

What asks: every change of what the public pages show, as the page cache
learns of it (`versions_moved`, sent in the changing transaction by every
write path: a save or delete, the admin's bulk publish and unpublish, a
review's publish, an import's chunks, scheduled publishing), and the
background jobs that change content in bulk, an upload's import and
scheduled publishing (`django_tasks`' task_finished signal), so neither the
admin nor importing needs to know about the static site. `manage.py
import_articles` asks after its run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_tasks import task
from django_tasks.signals import task_finished
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from articles.page_cache import versions_moved

from .building import build_site

# The background jobs after which the content may have changed.
CHANGING_JOBS = {
    "articles.importing.batches.apply_upload",
    "articles.publishing.publish_due",
}


@task()
def rebuild_static_site() -> str:
    """The worker's job: build the site into STATIC_SITE_DIR; says what it did."""
    report = build_site(
        settings.STATIC_SITE_DIR,
        base_url=settings.STATIC_SITE_BASE_URL,
        search_url=settings.STATIC_SITE_SEARCH_URL,
    )
    return str(report)


def request_rebuild(**_signal_arguments) -> None:
    """Queue a rebuild once the current transaction commits (at once outside
    one), unless one is waiting already. Nothing when STATIC_SITE_REBUILD is
    off. One query, and an INSERT when it queues."""
    if settings.STATIC_SITE_REBUILD:
        transaction.on_commit(_queue_unless_waiting)


def _queue_unless_waiting() -> None:
    job = rebuild_static_site
    if isinstance(job.get_backend(), DatabaseBackend):
        waiting = DBTaskResult.objects.ready().filter(task_path=job.module_path)
        if waiting.exists():
            return
    job.enqueue()


def _after_job(*, task_result, **_signal_arguments) -> None:
    if task_result.task.module_path in CHANGING_JOBS:
        request_rebuild()


def connect_signals() -> None:
    """Ask for a rebuild whenever what the public pages show changes, and
    after each job of CHANGING_JOBS."""
    versions_moved.connect(request_rebuild, dispatch_uid="static-site-versions")
    task_finished.connect(_after_job, dispatch_uid="static-site-after-job")
