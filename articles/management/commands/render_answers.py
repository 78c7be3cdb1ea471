"""Render again the answers a former renderer made: `manage.py render_answers`.

Pages show each answer's HTML as stored when its article was written. After a
change to the renderer (`articles.rendering.RENDERER_VERSION` bumped) the
worker does this by itself once `migrate` has run (`articles.rendered_answers`);
this command does the same in the foreground, with its progress. Only rows
stamped with another version are rendered, a batch at a time, each batch its
own short transaction: safe to stop and run again, and a second run finds
nothing to do. `--dry-run` only counts them.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from articles.rendered_answers import (
    BATCH_SIZE,
    render_stale_answers,
    stale_answer_count,
)
from articles.rendering import RENDERER_VERSION


class Command(BaseCommand):
    help = "Render again every answer whose stored HTML an older renderer made."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help="answers rendered and written in one transaction "
            "(default: %(default)s)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count the stale answers only"
        )

    def handle(self, *args, batch_size, dry_run, verbosity, **options):
        if batch_size < 1:
            raise CommandError(f"--batch-size must be 1 or more, not {batch_size}")
        stale = stale_answer_count()
        if dry_run or not stale:
            self.stdout.write(
                f"{stale} answers to render again (renderer version "
                f"{RENDERER_VERSION})" + (" (dry run: nothing was written)" * dry_run)
            )
            return

        def progress(done: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {done:,} of {stale:,}")

        written = render_stale_answers(batch_size=batch_size, on_progress=progress)
        self.stdout.write(
            f"{written} answers rendered again (renderer version {RENDERER_VERSION})"
        )
