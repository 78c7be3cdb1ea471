"""Export every article as a file: `python manage.py export_articles OUT_DIR`.

Files are written in the seed format to OUT_DIR/<subject>/<slug>.md, the
layout of the original content repository. An article no one edited exports
to the same data as the file it was imported from.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from articles.exporter import ExportError, export_articles


class Command(BaseCommand):
    help = "Write every article to OUT_DIR/<subject>/<slug>.md in the seed format."

    def add_arguments(self, parser):
        parser.add_argument("out_dir", help="the folder to write to (new or empty)")
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="write into a folder that is not empty",
        )

    def handle(self, *args, out_dir, overwrite, **options):
        try:
            written = export_articles(out_dir, overwrite=overwrite)
        except ExportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"{written} articles written to {out_dir}")
        )
