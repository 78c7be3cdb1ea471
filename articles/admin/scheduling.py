"""Scheduled publishing in the admin: the change form's "publish at" and
"unpublish at" (checked here, queued for the worker by articles/publishing.py),
the change list's "Scheduled" column and filter. Times are entered and shown in
the site's time zone (TIME_ZONE)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone

from articles.models import Status
from articles.publishing import queue_schedule, schedule_in_words

SCHEDULE_FIELDS = ["publish_at", "unpublish_at"]


class ScheduleFields(forms.ModelForm):
    """The checks of a schedule an editor enters, for the article form: a time
    changed must be to come, and an article is unpublished after it is
    published."""

    def clean(self):
        cleaned = super().clean()
        now = timezone.now()
        for name in SCHEDULE_FIELDS:
            when = cleaned.get(name)
            if name in self.changed_data and when is not None and when <= now:
                local_now = timezone.localtime(now).strftime("%d %b %Y, %H:%M %Z")
                self.add_error(name, f"Give a time to come: it is {local_now} now.")
        status = cleaned.get("status", self.instance.status)
        publish_at, unpublish_at = (
            cleaned.get("publish_at"),
            cleaned.get("unpublish_at"),
        )
        if publish_at and status == Status.PUBLISHED and "publish_at" in self.fields:
            self.add_error(
                "publish_at",
                "The article is published already: clear “Publish at”, or make it "
                "a draft to be published then.",
            )
        if publish_at and unpublish_at and unpublish_at <= publish_at:
            self.add_error("unpublish_at", "Give a time after “Publish at”.")
        if unpublish_at and not publish_at and status == Status.DRAFT:
            self.add_error(
                "unpublish_at",
                "A draft is not on the site: give a “Publish at” before this "
                "time, or publish the article.",
            )
        return cleaned


def queue_if_rescheduled(article, form) -> None:
    """After a save: queue the worker's job for a schedule the form changed."""
    if set(SCHEDULE_FIELDS) & set(form.changed_data):
        queue_schedule(article)


class ScheduledFilter(admin.SimpleListFilter):
    """What is scheduled: to be published, to be unpublished, either. Reads
    the schedule's indexes only."""

    title = "schedule"
    parameter_name = "scheduled"

    def lookups(self, request, model_admin):
        return [
            ("any", "Anything scheduled"),
            ("publish", "To be published"),
            ("unpublish", "To be unpublished"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "publish":
            return queryset.filter(publish_at__isnull=False)
        if self.value() == "unpublish":
            return queryset.filter(unpublish_at__isnull=False)
        if self.value() == "any":
            return queryset.scheduled()
        return queryset


@admin.display(description="Scheduled", ordering="publish_at")
def schedule_column(article) -> str:
    """The change list's column: "Publishes 03 Dec 2026, 09:00 UTC", or —."""
    return schedule_in_words(article) or "—"
