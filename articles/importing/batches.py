"""Import batches: each run of the importer, kept with every file's outcome.

An admin upload is imported in two steps. `start_upload_batch` stages the
files (`uploads`) and runs `importer.import_files` as a dry run:
the batch is kept with each file's outcome, message and diff, and nothing
else is written. `apply_batch` then imports the staged files for real, with
the same `import_files`, and keeps what happened instead; `discard_batch`
drops them, as does the next upload once the dry run is IMPORT_DRY_RUN_DAYS
old. The command line has one step, `run_command_batch`; a command run
in which every file was unchanged is not kept, so re-running an import
still writes nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.models import ImportBatch, ImportedFile, Outcome

from .diffs import DIFFED_OUTCOMES, diffs_for
from .importer import import_files
from .outcomes import FileOutcome, ImportReport
from .uploads import remove_staged, stage_uploads, staging_folder

ROWS_PER_INSERT = 500


class BatchNotPending(ValueError):
    """The batch is not a dry run awaiting confirmation (any more)."""


def start_upload_batch(uploads: Iterable, *, user) -> ImportBatch:
    """Stage `uploads` and dry-run them: the batch, awaiting confirmation.

    Raises import_uploads.UploadRefused if the upload cannot be imported. Costs
    the dry run, a read of each updated or conflicting file, and an INSERT per
    ROWS_PER_INSERT files.
    """
    discard_stale_batches()
    staged = stage_uploads(uploads)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                user=user,
                source=ImportBatch.Source.ADMIN,
                state=ImportBatch.State.DRY_RUN,
                file_names=staged.names,
                notes=staged.left_out_note(),
                staging_token=staged.token,
            )
            report = _import_staged(batch, user, dry_run=True)
            save_outcomes(batch, report, diffs_for(report.outcomes, staged.folder))
    except BaseException:
        remove_staged(staged.token)
        raise
    return batch


def apply_batch(batch: ImportBatch, *, user) -> ImportBatch:
    """Import a dry run's staged files for real and keep what happened.

    The diff of an updated file is taken just before it is written; that of a
    conflict, after (the article was kept as it was). Raises BatchNotPending
    if the batch was confirmed or discarded already.
    """
    batch.refresh_from_db()
    if not batch.awaits_confirmation:
        raise BatchNotPending(_not_pending(batch))
    folder = staging_folder(batch.staging_token)
    if not folder.is_dir():
        raise BatchNotPending(f"{batch} has no staged files left to import.")
    _claim(batch, ImportBatch.State.APPLIED, applied_at=timezone.now())
    try:
        before = diffs_for(_outcomes(batch, Outcome.UPDATED), folder)
        report = _import_staged(batch, user, dry_run=False)
    except BaseException:
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportBatch.State.DRY_RUN, applied_at=None
        )
        raise
    conflicts = [o for o in report.outcomes if o.outcome == Outcome.CONFLICT]
    diffs = {**before, **diffs_for(conflicts, folder)}
    with transaction.atomic():
        batch.files.all().delete()
        save_outcomes(batch, report, diffs)
    remove_staged(batch.staging_token)
    batch.refresh_from_db()
    return batch


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


def _import_staged(batch: ImportBatch, user, *, dry_run: bool) -> ImportReport:
    folder = staging_folder(batch.staging_token)
    return import_files(
        [folder],
        dry_run=dry_run,
        keep_outcomes=True,
        relative_to=folder,
        user=user,
        comment=str(batch),
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
