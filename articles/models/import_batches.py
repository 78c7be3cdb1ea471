"""Import batches: each run of the importer, from the admin or the command
line, and every file's outcome (`Outcome`). What is done with them is in
articles/importing/batches.py.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from articles.fileformat.limits import MAX_CHARS


class Outcome(models.TextChoices):
    """What an import did with one file; `importing.outcomes` decides which."""

    CREATED = "created", "created"
    UPDATED = "updated", "updated"
    UNCHANGED = "unchanged", "unchanged"
    CONFLICT = "conflict", "conflict"
    REFUSED = "refused", "refused"

    @property
    def is_problem(self) -> bool:
        """Whether the file did not go in cleanly: the import then exits 1."""
        return self in {Outcome.CONFLICT, Outcome.REFUSED}


class ImportBatch(models.Model):
    """One run of the importer, from the admin or the command line, and what
    came of it. An admin upload waits, staged, as a dry run until an importer
    confirms or discards it (articles/importing/batches.py)."""

    class Source(models.TextChoices):
        ADMIN = "admin", "admin upload"
        COMMAND = "command", "command line"

    class State(models.TextChoices):
        QUEUED = "queued", "queued: waiting for a worker"
        CHECKING = "checking", "checking (a dry run)"
        DRY_RUN = "dry_run", "dry run: nothing written"
        IMPORTING = "importing", "importing"
        APPLIED = "applied", "applied"
        ROLLED_BACK = "rolled_back", "rolled back (strict): nothing written"
        DISCARDED = "discarded", "discarded"
        FAILED = "failed", "failed"

    # The states in which a job is queued or running for the batch.
    WORKING = (State.QUEUED, State.CHECKING, State.IMPORTING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_batches",
        help_text="Who ran the import; empty for the command line.",
    )
    created_at = models.DateTimeField("when", auto_now_add=True)
    applied_at = models.DateTimeField(
        null=True, blank=True, help_text="When the files were written, if they were."
    )
    source = models.CharField(
        max_length=10, choices=Source.choices, help_text="Where the files came from."
    )
    state = models.CharField(
        max_length=12,
        choices=State.choices,
        default=State.DRY_RUN,
        help_text="A dry run wrote nothing; an admin upload's dry run waits to be "
        "confirmed or discarded.",
    )
    file_names = models.JSONField(
        default=list,
        blank=True,
        help_text="The files uploaded (or the paths given to the command).",
    )
    notes = models.TextField(
        blank=True, help_text="What the upload held besides article files, left out."
    )
    staging_token = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The folder under IMPORT_STAGING_DIR holding the staged files.",
    )
    # Each Outcome is counted in the field of its name.
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When an importer confirmed the dry run."
    )
    files_total = models.PositiveIntegerField(
        default=0, help_text="How many article files the upload holds."
    )
    files_done = models.PositiveIntegerField(
        default=0, help_text="How many of them the running job has been through."
    )
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the running job started."
    )
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="When the running job last reported."
    )
    error = models.TextField(blank=True, help_text="Why the job failed, if it did.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    conflict = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"
        # Seeing and running imports is the one permission articles.import_articles.
        default_permissions = ()

    def __str__(self) -> str:
        return f"Import batch #{self.pk}"

    @property
    def awaits_confirmation(self) -> bool:
        return self.state == self.State.DRY_RUN and self.source == self.Source.ADMIN

    @property
    def state_in_words(self) -> str:
        if self.awaits_confirmation:
            return "dry run, awaiting confirmation"
        if self.is_stalled:
            return f"{self.get_state_display()}, stopped: its worker is gone"
        return self.get_state_display()

    @property
    def is_working(self) -> bool:
        """Whether a job is queued or running for the batch."""
        return self.state in self.WORKING

    @property
    def is_stalled(self) -> bool:
        """Whether the running job has not reported for IMPORT_STALLED_MINUTES:
        its worker died. Running it again is safe."""
        if self.state not in (self.State.CHECKING, self.State.IMPORTING):
            return False
        limit = timedelta(minutes=settings.IMPORT_STALLED_MINUTES)
        return self.progress_at is None or timezone.now() - self.progress_at > limit

    @property
    def may_run_again(self) -> bool:
        return self.is_stalled or (
            self.state == self.State.FAILED and self.source == self.Source.ADMIN
        )

    @property
    def rate(self) -> float | None:
        """Files a second, since the running job started."""
        if not (self.started_at and self.progress_at and self.files_done):
            return None
        seconds = (self.progress_at - self.started_at).total_seconds()
        return self.files_done / seconds if seconds > 0 else None

    @property
    def seconds_left(self) -> int | None:
        rate = self.rate
        if rate is None:
            return None
        return round(max(self.files_total - self.files_done, 0) / rate)

    @property
    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in Outcome.values}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """Such as: 5 files: 2 created, 1 updated, 0 unchanged, 1 conflict, 1 refused"""
        counts = ", ".join(f"{count:,} {name}" for name, count in self.counts.items())
        return f"{self.total:,} files: {counts}"


class ImportedFile(models.Model):
    """One file of an import batch: its outcome, why, and what it changes."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="files"
    )
    name = models.CharField(
        max_length=1000, help_text="The file's path within the upload."
    )
    outcome = models.CharField(
        max_length=10,
        choices=Outcome.choices,
        help_text="created, updated, unchanged, conflict or refused.",
    )
    message = models.TextField(blank=True, help_text="Why, for a refusal or conflict.")
    url = models.CharField(
        "URL",
        max_length=MAX_CHARS["url"],
        blank=True,
        help_text="The article's URL, when the file had a valid one.",
    )
    diff = models.TextField(
        blank=True,
        help_text="What the file changes in the article as it was (updated or "
        "conflict), as a unified diff of the two written out as files.",
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["batch", "outcome"], name="importedfile_batch_outcome")
        ]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.outcome} {self.name}"
