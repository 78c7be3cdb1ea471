"""The admin: articles with their related links inline, in order; subjects."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from .models import Article, RelatedLink, Subject


@admin.register(Subject)
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


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    fk_name = "article"
    extra = 0
    max_num = 5
    ordering = ["position"]
    fields = [
        "position",
        "target_url",
        "target_title",
        "target_subject",
        "target_source_id",
        "resolved",
    ]
    readonly_fields = ["resolved"]

    @admin.display(description="Article exists")
    def resolved(self, link):
        return "yes" if link.target_id else "not yet"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "subject", "date", "source_id", "no_index", "updated_at"]
    list_filter = ["subject", "no_index", "date"]
    list_select_related = ["subject"]
    search_fields = ["title", "question", "url", "=source_id"]
    date_hierarchy = "date"
    autocomplete_fields = ["subject"]
    inlines = [RelatedLinkInline]
    readonly_fields = [
        "url", "source_path", "imported_at", "created_at", "updated_at", "extra_fields",
        "seo_extra_fields",
    ]  # fmt: skip
    fieldsets = [
        (
            "Content",
            {
                "fields": [
                    "title", "article_title", "question", "answer", "author", "date",
                    "post_on_text", "date_format",
                ]
            },
        ),
        ("Where it lives", {"fields": ["subject", "slug", "url", "subject_name"]}),
        (
            "SEO",
            {"fields": ["seo_title", "seo_description", "seo_keywords", "no_index"]},
        ),
        (
            "Source",
            {
                "classes": ["collapse"],
                "fields": [
                    "source_id", "file_name", "schema", "score", "body", "extra_fields",
                    "seo_extra_fields", "source_path", "imported_at", "created_at",
                    "updated_at",
                ],
            },
        ),
    ]  # fmt: skip

    def save_formset(self, request, form, formset, change):
        if formset.model is not RelatedLink:
            return super().save_formset(request, form, formset, change)
        # Saved row by row, reordered links would collide on their positions.
        formset.save(commit=False)
        kept = [
            link_form.instance
            for link_form in formset.forms
            if link_form.cleaned_data.get("target_url")
            and not link_form.cleaned_data.get("DELETE")
        ]
        form.instance.replace_related_links(kept)
