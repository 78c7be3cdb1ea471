"""Import batches: each run of the importer, kept with every file's outcome.

An admin upload is imported in two steps, each a background job run by a
worker (`check_upload`, `apply_upload`), never in the request.
`start_upload_batch` stages the files (`uploads`) and queues the dry run;
`check_batch` (the job) runs
`importer.import_files` as a dry run and keeps each file's outcome, message and
diff, and nothing else is written. `confirm_batch` queues `apply_batch` (the
job), which imports the staged files for real with the same `import_files` and
keeps what happened instead; `discard_batch` drops them, as does the next
upload once the dry run is IMPORT_DRY_RUN_DAYS old. A job reports its progress
on the batch after every chunk; one whose worker died is run again by
`run_again`, safely: chunks are transactions, and importing a batch twice gives
the same articles. The command line has one step, in the foreground,
`run_command_batch`; a command run in which every file was unchanged is not
kept, so re-running an import still writes nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db import DatabaseBackend

from articles.models import ImportBatch, ImportedFile, Outcome, Status

from .diffs import DIFFED_OUTCOMES, diffs_for
from .files import count_article_files
from .importer import import_files
from .outcomes import FileOutcome, ImportReport
from .uploads import remove_staged, stage_uploads, staging_folder

ROWS_PER_INSERT = 500


class BatchNotPending(ValueError):
    """The batch is not a dry run awaiting confirmation (any more)."""


def start_upload_batch(uploads: Iterable, *, user) -> ImportBatch:
    """Stage `uploads` and queue their dry run: the batch, queued.

    Raises uploads.UploadRefused if the upload cannot be imported. Costs the
    staging, a walk of the staged folder and two INSERTs (the batch, the job).
    """
    discard_stale_batches()
    staged = stage_uploads(uploads)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                user=user,
                source=ImportBatch.Source.ADMIN,
                state=ImportBatch.State.QUEUED,
                file_names=staged.names,
                notes=staged.left_out_note(),
                staging_token=staged.token,
                files_total=count_article_files([staged.folder]),
            )
            _queue(batch, user)
    except BaseException:
        remove_staged(staged.token)
        raise
    return batch


def confirm_batch(batch: ImportBatch, *, user) -> ImportBatch:
    """Queue the import of a dry run's staged files. Raises BatchNotPending if
    the batch was confirmed or discarded already, or its files are gone."""
    batch.refresh_from_db()
    if not batch.awaits_confirmation:
        raise BatchNotPending(_not_pending(batch))
    if not staging_folder(batch.staging_token).is_dir():
        raise BatchNotPending(f"{batch} has no staged files left to import.")
    with transaction.atomic():
        now = timezone.now()
        _claim(
            batch, ImportBatch.State.IMPORTING, confirmed_at=now, **_fresh_progress()
        )
        batch.refresh_from_db()
        _queue(batch, user)
    return batch


def run_again(batch: ImportBatch, *, user) -> ImportBatch:
    """Queue again the job of a batch whose worker died or whose job failed;
    safe, as a job's chunks are transactions. Raises BatchNotPending if the
    batch's job is not stopped."""
    batch.refresh_from_db()
    if not batch.may_run_again:
        raise BatchNotPending(f"{batch} is {batch.state_in_words}: nothing to rerun.")
    state = (
        ImportBatch.State.IMPORTING if batch.confirmed_at else ImportBatch.State.QUEUED
    )
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=state, error="", **_fresh_progress()
        )
        batch.refresh_from_db()
        _queue(batch, user)
    return batch


def _queue(batch: ImportBatch, user) -> None:
    """Queue the batch's next job (its dry run, or its import once confirmed).

    The database backend's queue is a table: the job's row commits, or rolls
    back, with the batch's. Any other backend is handed the job once the
    transaction commits, so that no worker looks for a batch not there yet."""
    job = apply_upload if batch.confirmed_at else check_upload
    user_id = user.pk if user else None
    if isinstance(job.get_backend(), DatabaseBackend):
        job.enqueue(batch.pk, user_id)
    else:
        transaction.on_commit(lambda: job.enqueue(batch.pk, user_id))


# The two jobs, run by a worker (`manage.py db_worker`): Django's tasks API (the
# django-tasks backport of Django 6's `django.tasks`), queued in the database by
# default, so any number of workers on any number of machines take jobs from
# one PostgreSQL; the TASKS setting may name another backend.


@task()
def check_upload(batch_id: int, user_id: int | None) -> str:
    """Dry-run an uploaded batch (`check_batch`); returns its state."""
    batch = ImportBatch.objects.get(pk=batch_id)
    return check_batch(batch, user=_user(user_id)).state


@task()
def apply_upload(batch_id: int, user_id: int | None) -> str:
    """Import a confirmed batch (`apply_batch`); returns its state."""
    batch = ImportBatch.objects.get(pk=batch_id)
    return apply_batch(batch, user=_user(user_id)).state


def _user(user_id: int | None):
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


def _fresh_progress() -> dict:
    return {"files_done": 0, "started_at": None, "progress_at": timezone.now()}


def check_batch(batch: ImportBatch, *, user) -> ImportBatch:
    """The dry run of a queued upload (a job): each file's outcome and diff
    kept, nothing else written. A batch whose every file was refused keeps its
    report, not its files."""
    if not _start(batch, ImportBatch.State.QUEUED, ImportBatch.State.CHECKING):
        return batch
    folder = staging_folder(batch.staging_token)
    try:
        report = _import_staged(batch, user, dry_run=True)
        with transaction.atomic():
            batch.files.all().delete()  # from a run its worker did not finish
            save_outcomes(batch, report, diffs_for(report.outcomes, folder))
    except Exception as error:
        _fail(batch, error)
        raise
    if report.counts[Outcome.REFUSED] == sum(report.counts.values()):
        note = "Every file was refused: nothing to import; its files were removed."
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportBatch.State.DISCARDED, notes=f"{batch.notes} {note}".strip()
        )
        remove_staged(batch.staging_token)
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.DRY_RUN)
    batch.refresh_from_db()
    return batch


def apply_batch(batch: ImportBatch, *, user) -> ImportBatch:
    """Import a confirmed dry run's staged files for real and keep what
    happened (a job).

    The diff of an updated file is taken just before it is written; that of a
    conflict, after (the article was kept as it was).
    """
    if not _start(batch, ImportBatch.State.IMPORTING, ImportBatch.State.IMPORTING):
        return batch
    folder = staging_folder(batch.staging_token)
    try:
        before = diffs_for(_outcomes(batch, Outcome.UPDATED), folder)
        report = _import_staged(batch, user, dry_run=False)
        conflicts = [o for o in report.outcomes if o.outcome == Outcome.CONFLICT]
        diffs = {**before, **diffs_for(conflicts, folder)}
        with transaction.atomic():
            batch.files.all().delete()
            save_outcomes(batch, report, diffs)
            ImportBatch.objects.filter(pk=batch.pk).update(
                state=ImportBatch.State.APPLIED, applied_at=timezone.now()
            )
    except Exception as error:
        _fail(batch, error)
        raise
    remove_staged(batch.staging_token)
    batch.refresh_from_db()
    return batch


def _start(batch: ImportBatch, expected: str, state: str) -> bool:
    """Mark the batch's job started, if the batch is still `expected`."""
    now = timezone.now()
    started = ImportBatch.objects.filter(pk=batch.pk, state=expected).update(
        state=state, started_at=now, progress_at=now, files_done=0
    )
    batch.refresh_from_db()
    return bool(started)


def _fail(batch: ImportBatch, error: Exception) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.FAILED, error=f"{type(error).__name__}: {error}"
    )


def discard_batch(batch: ImportBatch) -> ImportBatch:
    """Drop a dry run's staged files; its report stays, marked discarded."""
    _claim(batch, ImportBatch.State.DISCARDED)
    remove_staged(batch.staging_token)
    batch.refresh_from_db()
    return batch


def discard_stale_batches() -> list[ImportBatch]:
    """Discard the uploads' dry runs left unconfirmed for IMPORT_DRY_RUN_DAYS,
    so staged files do not pile up; their reports stay. One query, and three
    and a folder's removal for each batch discarded."""
    cutoff = timezone.now() - timedelta(days=settings.IMPORT_DRY_RUN_DAYS)
    stale = ImportBatch.objects.filter(
        state=ImportBatch.State.DRY_RUN,
        source=ImportBatch.Source.ADMIN,
        created_at__lt=cutoff,
    )
    discarded = []
    for batch in stale:
        with contextlib.suppress(BatchNotPending):  # confirmed meanwhile
            discarded.append(discard_batch(batch))
    return discarded


def _claim(batch: ImportBatch, state: str, **values) -> None:
    """Move a dry run awaiting confirmation to `state`; one UPDATE, so of two
    clicks on Confirm only one imports."""
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, state=ImportBatch.State.DRY_RUN, source=ImportBatch.Source.ADMIN
    ).update(state=state, **values)
    if not claimed:
        batch.refresh_from_db()
        raise BatchNotPending(_not_pending(batch))


def _not_pending(batch: ImportBatch) -> str:
    return f"{batch} is {batch.get_state_display()}: it no longer awaits confirmation."


def new_articles_status(user) -> str:
    """What an upload's new articles are: published only if the one who
    confirmed it may publish (not a user since removed); drafts otherwise, for
    an editor to publish. Updates keep each article's status."""
    if user is not None and user.has_perm("articles.publish_article"):
        return Status.PUBLISHED
    return Status.DRAFT


def _import_staged(batch: ImportBatch, user, *, dry_run: bool) -> ImportReport:
    folder = staging_folder(batch.staging_token)

    def progress(done: int) -> None:
        # One UPDATE a chunk, in its own transaction: the batch page reads it.
        ImportBatch.objects.filter(pk=batch.pk).update(
            files_done=done, progress_at=timezone.now()
        )

    return import_files(
        [folder],
        dry_run=dry_run,
        keep_outcomes=True,
        relative_to=folder,
        user=user,
        comment=str(batch),
        on_progress=progress,
        new_status=new_articles_status(user),
    )


def _outcomes(batch: ImportBatch, outcome: str) -> list[FileOutcome]:
    """The batch's kept files of one outcome, as the importer's outcomes."""
    files = batch.files.filter(outcome=outcome).values_list("name", "url")
    return [FileOutcome(name, outcome, url=url) for name, url in files]


def run_command_batch(
    paths: list[str | os.PathLike], *, dry_run: bool = False, **options
) -> ImportReport:
    """Import `paths` as the command line does, and record the batch unless
    every file was unchanged. `options` go to `import_files`. Keeps every
    file's outcome in memory until the end (a few hundred bytes a file)."""
    names = [str(path) for path in paths]
    comment = f"Command-line import of {', '.join(names)}"[:200]
    report = import_files(
        paths, dry_run=dry_run, keep_outcomes=True, comment=comment, **options
    )
    if report.counts[Outcome.UNCHANGED] == sum(report.counts.values()):
        return report  # nothing happened, nothing to record
    written = not (report.dry_run or report.rolled_back)
    state = ImportBatch.State.APPLIED if written else ImportBatch.State.DRY_RUN
    if report.rolled_back:
        state = ImportBatch.State.ROLLED_BACK
    # Once written, an updated article equals its file: only a conflict differs.
    diffed = {Outcome.CONFLICT} if written else {Outcome.CONFLICT, Outcome.UPDATED}
    diffs = diffs_for(o for o in report.outcomes if o.outcome in diffed)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source=ImportBatch.Source.COMMAND,
            state=state,
            file_names=names,
            applied_at=timezone.now() if written else None,
        )
        save_outcomes(batch, report, diffs)
    return report


def save_outcomes(
    batch: ImportBatch, report: ImportReport, diffs: dict[str, str]
) -> None:
    """Store the report's counts on the batch and a row per file (which needs
    `keep_outcomes`). An INSERT per ROWS_PER_INSERT files, and an UPDATE."""
    rows = (
        ImportedFile(
            batch=batch,
            name=outcome.path[-1000:],
            outcome=outcome.outcome,
            message=outcome.message,
            url=outcome.url[:300],
            # A diff taken before the import fits only if the outcome still has one.
            diff=diffs.get(outcome.path, "")
            if outcome.outcome in DIFFED_OUTCOMES
            else "",
        )
        for outcome in report.outcomes
    )
    ImportedFile.objects.bulk_create(rows, batch_size=ROWS_PER_INSERT)
    for name in Outcome.values:
        setattr(batch, name, report.counts[name])
    batch.save(update_fields=Outcome.values)
