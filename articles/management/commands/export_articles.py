"""Export every article as a file: `python manage.py export_articles OUT_DIR`.

Files are written in the seed format to OUT_DIR/<subject>/<slug>.md, the
layout of the original content repository. An article no one edited exports
to the same data as the file it was imported from. A file that already holds
its article is left alone (counted unchanged); `--prune` removes the files of
articles deleted since, and the subject folders that leaves empty.

No symbolic link under OUT_DIR is followed (OUT_DIR itself may be one): a
linked subject folder or file is refused with one line naming it, its
articles are skipped and the rest is exported; the exit status is then 1.
The work is done by `articles.exporter`; this command parses and prints.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from articles.exporter import ExportError, export_articles


class Command(BaseCommand):
    help = "Write every article to OUT_DIR/<subject>/<slug>.md in the seed format."

    def add_arguments(self, parser):
        parser.add_argument(
            "out_dir", help="the folder to write to (new or empty; may be a link)"
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="write into a folder that is not empty",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="also remove the files of deleted articles (implies --overwrite)",
        )

    def handle(self, *args, out_dir, overwrite, prune, **options):
        try:
            report = export_articles(out_dir, overwrite=overwrite, prune=prune)
        except ExportError as error:
            raise CommandError(str(error)) from None
        for path, reason in report.refused.items():
            self.stderr.write(f"Refused: {path} {reason}", style_func=self.style.ERROR)
        style = self.style.ERROR if report.refused else self.style.SUCCESS
        self.stdout.write(style(report.summary()))
        if report.refused:
            raise CommandError(
                f"{len(report.refused)} path(s) refused and left alone", returncode=1
            )
