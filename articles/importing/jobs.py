"""The import's background jobs, run by a worker (`manage.py db_worker`).

Django's tasks API (the `django-tasks` backport of Django 6's `django.tasks`):
the queue is kept in the database by default, so any number of workers on
any number of machines can take jobs from one PostgreSQL; the TASKS setting
may name another backend. Each job is a thin call into `batches`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task

from articles.models import ImportBatch

from . import batches


@task()
def check_upload(batch_id: int, user_id: int | None) -> str:
    """Dry-run an uploaded batch; returns its state."""
    batch = batches.check_batch(_batch(batch_id), user=_user(user_id))
    return batch.state


@task()
def apply_upload(batch_id: int, user_id: int | None) -> str:
    """Import a confirmed batch; returns its state."""
    batch = batches.apply_batch(_batch(batch_id), user=_user(user_id))
    return batch.state


def _batch(batch_id: int) -> ImportBatch:
    return ImportBatch.objects.get(pk=batch_id)


def _user(user_id: int | None):
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()
