"""Import article files: `python manage.py import_articles PATH [PATH ...]`.

Files and folders (searched recursively for .md and .txt files). Each file ends
created, updated, unchanged, conflict or refused; a summary line counts them.
The exit status is 1 when any file was refused or in conflict. The work itself
is done by `articles.importing`; this command only parses arguments and prints.
Each run is kept as an import batch, browsable in the admin, unless every
file was unchanged (`articles.importing.batches`).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from articles.importing.batches import run_command_batch
from articles.importing.files import ImportPathError, count_article_files
from articles.models import Outcome
from articles.static_site.rebuilds import request_rebuild


class Command(BaseCommand):
    help = "Import article files (files or folders, recursively)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="article files or folders of them")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="report what would happen; write nothing",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="all or nothing: if any file is refused or in conflict, write none",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes parsing files (default: the cores, at most 4)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite articles edited in the admin since their last import",
        )

    def handle(
        self, *args, paths, dry_run, strict, force, workers, verbosity, **options
    ):
        progress = _Progress(self.stdout, verbosity) if self.stdout.isatty() else None
        try:
            total = count_article_files(paths)
            if progress:
                progress.total = total
            report = run_command_batch(
                paths,
                dry_run=dry_run,
                strict=strict,
                force=force,
                workers=workers,
                on_outcome=lambda outcome: self.show(outcome, verbosity, progress),
            )
        except ImportPathError as error:
            raise CommandError(str(error)) from None
        if progress:
            progress.finish()
        if not dry_run:
            request_rebuild()  # the static site, when STATIC_SITE_REBUILD is on
        style = self.style.ERROR if report.failed else self.style.SUCCESS
        self.stdout.write(style(report.summary()))
        if report.counts[Outcome.CONFLICT]:
            self.stderr.write(
                "Articles in conflict keep their edits; --force overwrites them "
                "with their files."
            )
        if report.failed:
            problems = len(report.problems)
            raise CommandError(
                f"{problems} file(s) refused or in conflict", returncode=1
            )

    def show(self, outcome, verbosity, progress) -> None:
        if Outcome(outcome.outcome).is_problem:
            if progress:
                progress.clear()
            self.stderr.write(str(outcome), style_func=self.style.ERROR)
        elif verbosity >= 2:
            if progress:
                progress.clear()
            self.stdout.write(str(outcome))
        if progress:
            progress.step()


class _Progress:
    """A one-line progress bar, drawn only on a terminal."""

    def __init__(self, stdout, verbosity):
        self.stdout = stdout
        self.total = 0
        self.done = 0
        self.shown = verbosity >= 1

    def step(self) -> None:
        self.done += 1
        if self.shown and (self.done % 100 == 0 or self.done == self.total):
            width = 30
            filled = width * self.done // max(self.total, 1)
            bar = "#" * filled + "." * (width - filled)
            self.stdout.write(
                f"\r[{bar}] {self.done:,}/{self.total:,} files", ending=""
            )
            self.stdout.flush()

    def clear(self) -> None:
        if self.shown and self.done:
            self.stdout.write("\r\033[K", ending="")

    def finish(self) -> None:
        if self.shown and self.done:
            self.stdout.write("")
