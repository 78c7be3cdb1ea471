"""Publishing on a schedule: an article's "publish at" and "unpublish at".

Saving a schedule queues one job for each time (`queue_schedule`): the
worker (`manage.py db_worker`) runs `publish_due` at that time, and it makes
every change that is due then, not only the one that queued it. So a job
queued for a time since changed or cleared finds nothing due and does nothing,
a worker that was down catches up with everything due when it starts again,
and `manage.py publish_scheduled` (from cron, say) does the same without a
queue. Each change retires the cached pages in its transaction, keeps a
revision in the article's history and clears the time it fulfilled.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db import DatabaseBackend

from articles.importing.revisions import write_revisions
from articles.models import Article, Status
from articles.page_cache import articles_changed
from articles.reviews import close_reviews_of

# The revisions the schedule keeps are commented so (and have no user).
PUBLISHED_NOTE = "Published as scheduled."
UNPUBLISHED_NOTE = "Unpublished (made a draft) as scheduled."


@dataclasses.dataclass
class ScheduleRun:
    """What one run of the schedule did: the ids of the articles it changed."""

    published: list[int] = dataclasses.field(default_factory=list)
    unpublished: list[int] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.published)} article(s) published, "
            f"{len(self.unpublished)} unpublished as scheduled"
        )


@task()
def publish_due() -> str:
    """The worker's job: make every scheduled change that is due now."""
    return str(apply_schedule())


def apply_schedule(now: datetime | None = None) -> ScheduleRun:
    """Publish and unpublish every article whose time has come by `now`
    (default: now), on rows locked against a concurrent save or a second
    worker. When both times of an article passed (a worker down through
    both), the later one decides. A query to find them (an index each), then
    four or five and the revisions' only when something is due."""
    now = now or timezone.now()
    run = ScheduleRun()
    with transaction.atomic():
        due = list(
            Article.objects.select_for_update(of=("self",))
            .filter(Q(publish_at__lte=now) | Q(unpublish_at__lte=now))
            .only("status", "publish_at", "unpublish_at")
        )
        if not due:
            return run
        for article in due:
            status = _status_after(article, now)
            if status != article.status:
                changed = (
                    run.published if status == Status.PUBLISHED else run.unpublished
                )
                changed.append(article.pk)
        _write(due, run, now)
    return run


def _status_after(article: Article, now: datetime) -> str:
    """The status the article's due times leave it with."""
    times = [
        (article.publish_at, Status.PUBLISHED),
        (article.unpublish_at, Status.DRAFT),
    ]
    passed = sorted((when, status) for when, status in times if when and when <= now)
    return passed[-1][1] if passed else article.status


def _write(due: list[Article], run: ScheduleRun, now: datetime) -> None:
    """Set the new statuses, clear the times that came, and keep a revision of
    each article whose status changed; the cached pages retire with it."""
    ids = [article.pk for article in due]
    # Every row written gets a new version: a form opened before is stale.
    newer = F("version") + 1
    if run.published:
        Article.objects.filter(pk__in=run.published).update(
            status=Status.PUBLISHED, updated_at=now
        )
    if run.unpublished:
        Article.objects.filter(pk__in=run.unpublished).update(
            status=Status.DRAFT, updated_at=now
        )
    Article.objects.filter(pk__in=ids).update(version=newer)
    Article.objects.filter(pk__in=ids, publish_at__lte=now).update(publish_at=None)
    Article.objects.filter(pk__in=ids, unpublish_at__lte=now).update(unpublish_at=None)
    # update() sends no signal: the pages that showed (or hid) them retire here.
    articles_changed(ids)
    close_reviews_of(run.published, user=None)
    notes = [(pk, PUBLISHED_NOTE) for pk in run.published]
    notes += [(pk, UNPUBLISHED_NOTE) for pk in run.unpublished]
    write_revisions(notes, user=None)


def queue_schedule(article: Article) -> None:
    """Queue the worker's job for each time the article is scheduled at (call
    it when a schedule is saved). A job for a time since changed does nothing,
    so earlier jobs need no cancelling. An INSERT a time; on a backend other
    than the database's, the jobs are handed over once the transaction
    commits."""
    for when in {article.publish_at, article.unpublish_at} - {None}:
        job = publish_due.using(run_after=when)
        if isinstance(job.get_backend(), DatabaseBackend):
            job.enqueue()
        else:
            transaction.on_commit(job.enqueue)


def schedule_in_words(article: Article) -> str:
    """ "Publishes 3 Dec 2026, 09:00", "Unpublishes …", both, or "" (in the
    site's time zone)."""
    parts = []
    if article.publish_at:
        parts.append(f"Publishes {_local(article.publish_at)}")
    if article.unpublish_at:
        parts.append(f"Unpublishes {_local(article.unpublish_at)}")
    return "; ".join(parts)


def _local(when: datetime) -> str:
    local = timezone.localtime(when)
    return local.strftime("%d %b %Y, %H:%M ") + local.tzname()
