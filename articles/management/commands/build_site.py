"""Write the public site as static files: `python manage.py build_site OUT_DIR`.

Every page at `<its URL>/index.html` (articles, subjects and their pages,
home, /learn/), the feeds, sitemap.xml, robots.txt, 404.html and the collected
static files, rendered by the site's own views for `--base-url`. A second
build writes only the files whose content changed and removes those no longer
part of the site. The work is done by `articles.static_site`; this command
parses and prints.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.static_site.building import build_site
from articles.static_site.output import OutputError


class Command(BaseCommand):
    help = "Write the public site to OUT_DIR as files a static host can serve."

    def add_arguments(self, parser):
        parser.add_argument(
            "out_dir",
            nargs="?",
            default=settings.STATIC_SITE_DIR,
            help="the folder to write to (default: STATIC_SITE_DIR)",
        )
        parser.add_argument(
            "--base-url",
            default=settings.STATIC_SITE_BASE_URL,
            help="where the built site is served, such as https://learn.example.org "
            "(default: STATIC_SITE_BASE_URL)",
        )
        parser.add_argument(
            "--search-url",
            default=settings.STATIC_SITE_SEARCH_URL,
            help="where the pages' search form sends readers, such as "
            "https://app.example.org/search/; empty: no search form "
            "(default: STATIC_SITE_SEARCH_URL)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes rendering pages (default: the cores, at most 4, "
            "for sites of 2,000 pages or more)",
        )

    def handle(self, *args, out_dir, base_url, search_url, workers, **options):
        if not out_dir:
            raise CommandError("Name OUT_DIR, or set STATIC_SITE_DIR")
        if not base_url.startswith(("http://", "https://")):
            raise CommandError(f"--base-url {base_url!r} is not an http(s) URL")
        try:
            report = build_site(
                out_dir, base_url=base_url, search_url=search_url, workers=workers
            )
        except OutputError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] > 1:
            for name in report.written:
                self.stdout.write(f"Wrote {name}")
        self.stdout.write(self.style.SUCCESS(str(report)))
