"""The admin's subjects: their names and how many articles each has; a slug is
set once, as it is in every URL of the subject's articles."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count


class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name", "slug"]
    readonly_fields = ["created_at"]

    def get_readonly_fields(self, request, obj=None):
        # The slug is in every URL of the subject's articles: it is set once.
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, subject):
        return subject.article_count
