"""Make every scheduled change that is due: `python manage.py publish_scheduled`.

The worker does this by itself at each scheduled time (`articles.publishing`);
this command is the same sweep without the queue, for a cron job that catches
up whatever a lost job or a stopped worker left due. Safe to run at any time:
what is not due is left alone, and what is done is not done twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from articles.publishing import apply_schedule


class Command(BaseCommand):
    help = "Publish and unpublish the articles whose scheduled time has come."

    def handle(self, *args, **options):
        run = apply_schedule()
        if options["verbosity"] >= 1:
            self.stdout.write(str(run))
