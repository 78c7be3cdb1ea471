"""Stored answer HTML kept current when the renderer changes.

Every write of an article stores its answer rendered (`Article.save`, the
import); pages only show it. When `articles.rendering.RENDERER_VERSION` is
bumped, the rows stamped with an older version are rendered again here, a
batch at a time, never at request time: by the worker's `render_stale_answers`
job, which `manage.py migrate` queues when it finds such rows (the deploy
that brings a new renderer runs it anyway), or in the foreground by
`manage.py render_answers`. Until its row is rendered again a page shows
the HTML it had, safe HTML of the older renderer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, transaction
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from articles.importing.bulk_writes import update_rows
from articles.models import Article
from articles.page_cache import articles_changed
from articles.rendering import rendered_answer

BATCH_SIZE = 500
logger = logging.getLogger(__name__)


def stale_answer_count() -> int:
    """How many articles hold HTML of another renderer version. One query."""
    return Article.objects.with_stale_answers().count()


def render_stale_answers(
    *,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Render again every answer stored by another renderer version, in batches
    of `batch_size`, each one short transaction on its rows, locked against a
    concurrent save (which renders the answer itself); `on_progress` is told
    the rows done after each. Returns how many rows were written. A few
    queries a batch: the read, the write, and those retiring the pages that
    show its articles (`articles_changed`: three, and one per subject)."""
    done = 0
    after = 0
    while True:
        with transaction.atomic():
            rows = list(
                Article.objects.with_stale_answers()
                .select_for_update()
                .filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", "answer")[:batch_size]
            )
            if not rows:
                return done
            update_rows(Article, [_rendered_row(pk, answer) for pk, answer in rows])
            articles_changed([pk for pk, _ in rows])
        after = rows[-1][0]
        done += len(rows)
        if on_progress:
            on_progress(done)


def _rendered_row(pk: int, answer: str) -> dict:
    html, has_math, version = rendered_answer(answer)
    return {
        "id": pk,
        "answer_html": html,
        "answer_has_math": has_math,
        "answer_html_version": version,
    }


@task()
def render_stale_answers_job() -> str:
    """The worker's job: every stale answer rendered again, its progress logged."""

    def log(done: int) -> None:
        logger.info("rendered %s answers again", f"{done:,}")

    written = render_stale_answers(on_progress=log)
    return f"{written} answers rendered again"


def queue_if_stale(*, using: str = "default", **_signal_arguments) -> bool:
    """Queue the worker's job if answers are stale and no such job waits or
    runs (connected to post_migrate). Two queries, an INSERT when it queues.
    Whether it queued one."""
    try:
        stale = Article.objects.using(using).with_stale_answers().exists()
        path = render_stale_answers_job.module_path
        waiting = DBTaskResult.objects.using(using).filter(
            task_path=path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        )
        if not stale or waiting.exists():
            return False
    except DatabaseError:
        # A database migrated part of the way (migrate --plan, a migration
        # target before the answers' columns): nothing to render yet.
        return False
    render_stale_answers_job.enqueue()
    logger.warning("Stale answers: queued the worker's job to render them again")
    return True
