"""The admin's articles: fieldsets in the page's order, the live preview of the
answer, bulk publishing, with their related links inline, in order."""

from __future__ import annotations

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from articles import views
from articles.fileformat.limits import MAX_CHARS, article_url
from articles.importing.revisions import write_revisions
from articles.models import Article, Redirect, RelatedLink, Status
from articles.page_cache import articles_changed
from articles.rendering import render_answer
from articles.reviews import close_reviews_of

from .edit_conflicts import (
    EditConflictsAdmin,
    VersionField,
    carry_opened_values,
    check_version,
)
from .exact_fields import ExactTextField, ExactTextForm
from .history import ArticleHistoryAdmin
from .related_links import RelatedArticleSearch, RelatedLinkInline
from .review import review_urls
from .scheduling import (
    SCHEDULE_FIELDS,
    ScheduledFilter,
    ScheduleFields,
    queue_if_rescheduled,
    schedule_column,
)
from .worklists import worklist_urls


class ArticleForm(ScheduleFields, ExactTextForm):
    seen_version = VersionField(required=False)
    take_over_redirect = forms.BooleanField(
        required=False,
        label="Take over a redirected URL",
        help_text="If this URL now redirects to another article, give it to this "
        "one instead (that redirect ends).",
    )

    class Meta:
        model = Article
        fields = "__all__"
        # Kept to the character when not edited (see exact_fields).
        field_classes = {
            field.name: ExactTextField
            for field in Article._meta.concrete_fields
            if type(field) in (models.CharField, models.TextField) and field.editable
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The version the form is opened at: a save from it may not overwrite
        # a newer one (see edit_conflicts).
        self.fields["seen_version"].initial = self.instance.version
        carry_opened_values(self)
        self.edit_conflict = None
        if "answer" in self.fields:
            # Where the live preview (static/js/answer_preview.js) asks for the
            # rendered answer, whichever admin page shows the form.
            preview_url = reverse("admin:articles_article_render_answer")
            self.fields["answer"].widget.attrs["data-preview-url"] = preview_url

    def clean(self):
        cleaned = super().clean()
        subject, slug = cleaned.get("subject"), cleaned.get("slug")
        if subject is None or not slug:
            return cleaned
        url = article_url(subject.slug, slug)
        redirect = (
            Redirect.objects.filter(old_url=url)
            .exclude(article=self.instance.pk)
            .select_related("article")
            .first()
        )
        if redirect and not cleaned.get("take_over_redirect"):
            self.add_error(
                "slug",
                f"{url} redirects to “{redirect.article.title}” "
                f"({redirect.article.url}). Tick “Take over a redirected URL” "
                "to give the URL to this article instead.",
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # Last, once the rest is checked: the version is read locked until the
        # save's transaction ends.
        if self.instance.pk is not None and not self.errors:
            self.edit_conflict = check_version(self)
            if self.edit_conflict:
                self.add_error(None, self.edit_conflict.summary)


class ArticleChangeList(ChangeList):
    """The change list reads the columns it shows, not each article's text."""

    COLUMNS = [
        "title",
        "subject__name",
        "subject__slug",
        "status",
        "publish_at",
        "unpublish_at",
        "date",
        "source_id",
        "no_index",
        "updated_at",
        "url",
        "slug",
    ]

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).only(*self.COLUMNS)


class ArticleAdmin(EditConflictsAdmin, ArticleHistoryAdmin):
    form = ArticleForm
    list_display = [
        "title",
        "subject",
        "status",
        schedule_column,
        "date",
        "source_id",
        "no_index",
        "updated_at",
    ]
    list_filter = ["status", ScheduledFilter, "subject", "no_index", "date"]
    actions = ["publish", "unpublish"]
    list_select_related = ["subject"]
    search_fields = ["title", "question", "url", "=source_id"]
    # No date_hierarchy: its year links cost a scan of every article per page
    # (0.25 s at 100k on SQLite); the date filter does the same job.
    # And one count per page, not two: "3 of 100,000" is not worth a scan.
    show_full_result_count = False
    autocomplete_fields = ["subject"]
    inlines = [RelatedLinkInline]
    readonly_fields = [
        "url",
        "source_path",
        "imported_at",
        "created_at",
        "updated_at",
        "extra_fields",
        "seo_extra_fields",
    ]
    fieldsets = [
        ("Publishing", {"fields": ["status", *SCHEDULE_FIELDS]}),
        (
            "Content",
            {
                "fields": [
                    "title",
                    "article_title",
                    "question",
                    "answer",
                    "author",
                    "date",
                    "post_on_text",
                    "date_format",
                ]
            },
        ),
        (
            "Where it lives",
            {
                "fields": [
                    "subject",
                    "slug",
                    "take_over_redirect",
                    "url",
                    "subject_name",
                ]
            },
        ),
        (
            "SEO",
            {"fields": ["seo_title", "seo_description", "seo_keywords", "no_index"]},
        ),
        (
            "Source",
            {
                "classes": ["collapse"],
                "fields": [
                    "source_id",
                    "file_name",
                    "schema",
                    "score",
                    "body",
                    "extra_fields",
                    "seo_extra_fields",
                    "source_path",
                    "imported_at",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

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
        articles_changed([form.instance.pk])
        if reversion.is_active():
            # The revision took the links as they were when the article was
            # saved, before these replaced them: take the article again.
            reversion.add_to_revision(form.instance)

    def get_readonly_fields(self, request, obj=None):
        # Only those who may publish decide what readers see.
        if self.has_publish_permission(request):
            return self.readonly_fields
        return [*self.readonly_fields, "status", *SCHEDULE_FIELDS]

    def get_changeform_initial_data(self, request):
        # A new article starts as a draft, to be previewed, then published.
        return {"status": Status.DRAFT, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if not change and not self.has_publish_permission(request):
            obj.status = Status.DRAFT
        super().save_model(request, obj, form, change)
        queue_if_rescheduled(obj, form)
        if "status" in form.changed_data and obj.status == Status.PUBLISHED:
            close_reviews_of([obj.pk], user=request.user)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("articles.publish_article")

    @admin.action(description="Publish the selected articles", permissions=["publish"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED, "published")

    @admin.action(
        description="Unpublish (make drafts of) the selected articles",
        permissions=["publish"],
    )
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Status.DRAFT, "made drafts")

    def _set_status(self, request, queryset, status, done) -> None:
        with transaction.atomic():
            changing = queryset.exclude(status=status)
            ids = list(changing.values_list("pk", flat=True))
            # A version more: forms opened before may not overwrite the status.
            count = changing.update(status=status, version=F("version") + 1)
            # update() sends no signal: retire the pages that show them here.
            articles_changed(ids)
            comment = f"{done.capitalize()} (status: {status})."
            write_revisions(((pk, comment) for pk in ids), user=request.user)
            if status == Status.PUBLISHED:
                close_reviews_of(ids, user=request.user)
        self.message_user(request, f"{count} article(s) {done}.", messages.SUCCESS)

    def view_on_site(self, article):
        """Published: the page readers see. A draft: its preview."""
        if article.status == Status.PUBLISHED:
            return article.get_absolute_url()
        return reverse("admin:articles_article_preview", args=[article.pk])

    def get_urls(self):
        preview = path(
            "<int:article_id>/preview/",
            self.admin_site.admin_view(self.preview),
            name="articles_article_preview",
        )
        render_answer_url = path(
            "render-answer/",
            self.admin_site.admin_view(self.answer_preview),
            name="articles_article_render_answer",
        )
        related_search = path(
            "related-autocomplete/",
            self.admin_site.admin_view(
                RelatedArticleSearch.as_view(admin_site=self.admin_site)
            ),
            name="articles_article_related_autocomplete",
        )
        return [
            preview,
            render_answer_url,
            related_search,
            *worklist_urls(self.admin_site),
            *review_urls(self.admin_site),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def answer_preview(self, request):
        """The answer being typed, as the public page will show it: the live
        preview beside the answer field (static/js/answer_preview.js)."""
        if not (
            self.has_add_permission(request) or self.has_change_permission(request)
        ):
            raise PermissionDenied
        html = render_answer(request.POST.get("answer", "")[: MAX_CHARS["answer"]])
        return HttpResponse(html, content_type="text/html; charset=utf-8")

    class Media:
        css = {"all": ["vendor/katex/katex.min.css", "css/answer_preview.css"]}
        js = ["vendor/katex/katex.min.js", "js/math.js", "js/answer_preview.js"]

    def preview(self, request, article_id):
        """The article as readers would see it, drafts included: for staff who
        may view it; never cached, never indexed."""
        article = get_object_or_404(
            Article.objects.select_related("subject"), pk=article_id
        )
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return views.render_article(request, article, preview=True)
