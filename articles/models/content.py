"""The content: subjects, articles, the ordered related links between articles,
the redirects from URLs articles have left, and the versions of what the
public pages show, which retire cached pages.
"""

from __future__ import annotations

from datetime import datetime, time

import reversion
from django.conf import settings
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import Truncator

from articles.fileformat.dates import format_date
from articles.fileformat.limits import MAX_CHARS, MAX_RELATED, SLUG_PATTERN, article_url
from articles.paths import path_of
from articles.rendering import RENDERER_VERSION, RenderedAnswer, rendered_answer


class SubjectQuerySet(models.QuerySet):
    def with_published_counts(self) -> SubjectQuerySet:
        """Subjects that have published questions, each with how many
        (`article_count`). One query."""
        published = models.Q(articles__status=Status.PUBLISHED)
        return self.annotate(
            article_count=models.Count("articles", filter=published)
        ).filter(article_count__gt=0)


class Subject(models.Model):
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="The subject's part of its articles' URLs: /learn/SLUG/questions/…",
    )
    name = models.CharField(
        max_length=MAX_CHARS["subject"],
        help_text="Shown to readers. Set by the first import; imports never change it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return path_of("articles:subject", self.slug)


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


# Newest first, undated last: PostgreSQL would put NULL first in a descending
# order (SQLite puts it last). On PostgreSQL migration 0011 makes the date
# indexes NULLS LAST too, so that they keep serving this order.
NEWEST_FIRST = models.F("date").desc(nulls_last=True)
# The same order, then by title, as SQL (the page reads and the page cache's
# digest of a subject's newest articles must list them alike).
NEWEST_FIRST_SQL = "date DESC NULLS LAST, title"
# The index of what a list shows of each article (Article.Meta.indexes).
LISTED_INDEX = "article_listed"


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        """Articles readers may see: never a draft."""
        return self.filter(status=Status.PUBLISHED)

    def with_links(self) -> ArticleQuerySet:
        """With each article's related links, in order: one query more (a
        chunk's, with iterator())."""
        in_order = RelatedLink.objects.order_by("position")
        return self.prefetch_related(models.Prefetch("related_links", in_order))

    def newest_first(self, *then: str) -> ArticleQuerySet:
        """Newest first, undated last, then ordered by `then`."""
        return self.order_by(NEWEST_FIRST, *then)

    def due_to_publish(self, now: datetime) -> ArticleQuerySet:
        """Drafts whose "publish at" has come by `now` (an index serves it)."""
        return self.filter(status=Status.DRAFT, publish_at__lte=now)

    def due_to_unpublish(self, now: datetime) -> ArticleQuerySet:
        """Published articles whose "unpublish at" has come by `now`."""
        return self.filter(status=Status.PUBLISHED, unpublish_at__lte=now)

    def scheduled(self) -> ArticleQuerySet:
        """Articles with a publish or unpublish time still to come."""
        return self.filter(
            models.Q(publish_at__isnull=False) | models.Q(unpublish_at__isnull=False)
        )

    def without_answer(self) -> ArticleQuerySet:
        """Without the answer, as Markdown or as HTML, nor what only an export
        reads: for what shows articles but not their answers (the feeds)."""
        return self.defer(*SOURCE_ONLY_FIELDS, "answer_html")

    def with_stale_answers(self) -> ArticleQuerySet:
        """Articles whose stored answer HTML another renderer version made (or
        none made): `manage.py render_answers` renders them again."""
        return self.exclude(answer_html_version=RENDERER_VERSION)

    def for_listing(self) -> ArticleQuerySet:
        """Newest first, with what a list of links needs and no more."""
        return (
            self.select_related("subject")
            .only("url", "title", "date", "subject__name", "subject__slug")
            .newest_first("title")
        )


# What an article's page never reads: the answer's Markdown (the page shows the
# HTML stored from it) and what only an export needs.
SOURCE_ONLY_FIELDS = (
    "answer",
    "body",
    "key_order",
    "seo_key_order",
    "extra_fields",
    "seo_extra_fields",
)
# The answer as stored rendered: made from `answer` at every write, never kept
# in revisions (a restore renders the answer it brings back), never exported.
RENDERED_FIELDS = ("answer_html", "answer_has_math", "answer_html_version")


@reversion.register(follow=["related_links"], exclude=RENDERED_FIELDS)
class Article(models.Model):
    # No index of their own for subject and slug: the unique (subject, slug)
    # and the (subject, date) indexes serve every query by subject, no query
    # is by slug alone, and each index is one more write per imported article.
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="articles", db_index=False
    )
    slug = models.SlugField(
        max_length=200,
        db_index=False,
        validators=[
            RegexValidator(
                rf"\A{SLUG_PATTERN}\Z",
                "Use lower-case letters and digits, with hyphens between words, "
                "such as what-is-a-cell.",
            )
        ],
        help_text="The last part of the URL: lower-case letters, digits and hyphens.",
    )
    url = models.CharField(
        max_length=MAX_CHARS["url"],
        unique=True,
        editable=False,
        help_text="/learn/SUBJECT/questions/SLUG: the article's identity.",
    )
    source_id = models.BigIntegerField(
        "id",
        null=True,
        blank=True,
        db_index=True,
        help_text="The file's own id, if it gives one. Not unique: an article "
        "filed under two subjects has the same id in both files.",
    )
    date = models.DateField(
        null=True,
        blank=True,
        help_text="The date shown as 'Posted on'. Without one, readers see no date.",
    )
    title = models.CharField(max_length=MAX_CHARS["title"])
    article_title = models.CharField(
        max_length=MAX_CHARS["article_title"],
        blank=True,
        help_text="The heading of the article, if other than the title.",
    )
    question = models.TextField(max_length=MAX_CHARS["question"])
    answer = models.TextField(
        max_length=MAX_CHARS["answer"],
        help_text="Markdown. Math between $$ … $$ is LaTeX.",
    )
    answer_html = models.TextField(
        blank=True,
        editable=False,
        help_text="The answer as readers see it, rendered from its Markdown when "
        "the article was written.",
    )
    answer_has_math = models.BooleanField(
        default=False,
        editable=False,
        help_text="Whether the answer has math, so its page loads KaTeX.",
    )
    answer_html_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="The renderer's version (articles.rendering.RENDERER_VERSION) "
        "that made the stored HTML; 0: none did.",
    )
    author = models.CharField(max_length=MAX_CHARS["author"], blank=True)
    subject_name = models.CharField(
        max_length=MAX_CHARS["subject"],
        blank=True,
        help_text="The subject as this article's file spells it; readers see the "
        "subject's own name.",
    )
    date_format = models.CharField(
        max_length=MAX_CHARS["date_format"],
        blank=True,
        help_text="How the date is shown, in the files' notation: MMM DD, YYYY.",
    )
    post_on_text = models.CharField(
        max_length=MAX_CHARS["post_on_text"],
        blank=True,
        help_text="The words before the date, such as 'Posted on'.",
    )
    seo_title = models.CharField(
        "SEO title",
        max_length=MAX_CHARS["seo.title"],
        blank=True,
        help_text="The page's title, shown in browser tabs and search results.",
    )
    seo_description = models.TextField(
        "SEO description",
        max_length=MAX_CHARS["seo.page_description"],
        blank=True,
        help_text="The meta description search engines show under the title.",
    )
    seo_keywords = models.TextField(
        "SEO keywords",
        max_length=MAX_CHARS["seo.page_keywords"],
        blank=True,
        help_text="Comma-separated keywords for the meta keywords tag.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.PUBLISHED,
        db_default=Status.PUBLISHED,
        help_text="Readers see published articles only: a draft is not on the site, "
        "in search, feeds or the sitemap.",
    )
    publish_at = models.DateTimeField(
        "publish at",
        null=True,
        blank=True,
        help_text="A draft is published by itself at this time (the site's time "
        "zone). Empty: only by hand.",
    )
    unpublish_at = models.DateTimeField(
        "unpublish at",
        null=True,
        blank=True,
        help_text="A published article becomes a draft by itself at this time "
        "(the site's time zone). Empty: it stays published.",
    )
    score = models.FloatField(
        null=True, blank=True, help_text="The file's score, if any."
    )
    no_index = models.BooleanField(
        default=False, help_text="Ask search engines not to index this page."
    )
    file_name = models.CharField(
        max_length=MAX_CHARS["file_name"],
        blank=True,
        help_text="The file name the source gives, such as my-question.md.",
    )
    schema = models.CharField(
        max_length=MAX_CHARS["_schema"], blank=True, help_text="The file's _schema."
    )
    body = models.TextField(
        blank=True,
        default="\n&nbsp;",
        help_text="What the file has after its front matter.",
    )
    key_order = models.JSONField(
        default=list, blank=True, help_text="The file's fields, in the file's order."
    )
    seo_key_order = models.JSONField(default=list, blank=True)
    extra_fields = models.TextField(
        blank=True,
        help_text="Fields of the file no one listed, as YAML, kept for export.",
    )
    seo_extra_fields = models.TextField(blank=True)
    import_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="A digest of the article as its file gave it at the last import.",
    )
    source_path = models.CharField(
        max_length=1000,
        blank=True,
        editable=False,
        help_text="The file the last import read this article from.",
    )
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1,
        db_default=1,
        editable=False,
        help_text="One more at every change, whatever made it (an edit, an import, "
        "a restore, a bulk action): a form opened at an older version may not "
        "overwrite a newer one.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = [NEWEST_FIRST, "title"]
        indexes = [
            models.Index(fields=["subject", "-date"], name="article_subject_date"),
            models.Index(fields=["-date", "title"], name="article_date_title"),
            # What a list shows of an article (page_reads.ListedArticle), by
            # its id: an article page's related articles are read from this
            # index alone. Their rows would cost more: the status and subject
            # are stored after the answer's text, which on SQLite sends the
            # read through the row's overflow pages.
            models.Index(
                fields=["id", "status", "subject", "url", "title", "date"],
                name=LISTED_INDEX,
            ),
            # Only the few scheduled articles: the worker's sweep and the change
            # list's filter read these, never a scan of every article.
            models.Index(
                fields=["publish_at"],
                condition=models.Q(publish_at__isnull=False),
                name="article_publish_at",
            ),
            models.Index(
                fields=["unpublish_at"],
                condition=models.Q(unpublish_at__isnull=False),
                name="article_unpublish_at",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "slug"],
                name="unique_article_slug_per_subject",
                violation_error_message="This URL is taken: another article of "
                "this subject has the same slug.",
            )
        ]
        permissions = [
            ("publish_article", "Can publish and unpublish articles"),
            ("import_articles", "Can import article files"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        """Save, keeping what points at the article right: links that named its
        URL before it existed, a redirect from its old URL if it moved, and the
        spelling of its subject if it moved to another one. The version goes
        one up from the one committed (read locked, so two saves at once never
        write the same version). The answer is rendered and its HTML stored
        (a few milliseconds)."""
        with transaction.atomic():
            old_url, old_subject, old_spelling, old_version = (
                Article.objects.select_for_update()
                .filter(pk=self.pk)
                .values_list("url", "subject_id", "subject_name", "version")
                .first()
                if self.pk
                else None
            ) or (None, None, None, None)
            self.url = article_url(self.subject.slug, self.slug)
            if old_subject not in (None, self.subject_id) and (
                self.subject_name == old_spelling
            ):
                # Moved, its file's spelling untouched: that spelling named the
                # old subject ("subject: Medicine" under /learn/biology/).
                self.subject_name = self.subject.name
            self.subject_name = self.subject_name or self.subject.name
            if old_version is not None:
                # The instance's own when higher: a restore has just written an
                # old revision's version back, and the admin kept the one before.
                self.version = max(old_version, self.version) + 1
            # Browsers send a textarea's line breaks as CRLF; the format has one kind.
            self.answer = self.answer.replace("\r\n", "\n")
            self.store_rendered(rendered_answer(self.answer))
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    "url",
                    "subject_name",
                    "answer",
                    *RENDERED_FIELDS,
                    "version",
                }
            # The subject it leaves, if it moves, for the page cache to retire
            # that subject's pages too (its post_save handler reads it).
            self.subject_before_save = (
                old_subject if old_subject not in (None, self.subject_id) else None
            )
            super().save(*args, **kwargs)
            # Links that named this URL before the article existed now reach it.
            RelatedLink.objects.filter(target__isnull=True, target_url=self.url).update(
                target=self
            )
            self.moved_from(old_url)

    def store_rendered(self, rendered: RenderedAnswer) -> None:
        """Keep the answer's HTML, math flag and renderer version (unsaved)."""
        self.answer_html = rendered.html
        self.answer_has_math = rendered.has_math
        self.answer_html_version = rendered.version

    def locked_version(self) -> int | None:
        """The article's version as committed now (None if it was deleted), its
        row locked until the transaction ends: of two saves of the same version
        arriving at once, the second waits here for the first to commit, then
        finds the version moved on. Call it inside the saving transaction (on
        SQLite that transaction holds the write lock already). One query."""
        return (
            Article.objects.select_for_update()
            .filter(pk=self.pk)
            .values_list("version", flat=True)
            .first()
        )

    def moved_from(self, old_url: str | None) -> None:
        """Keep redirects right for the article at its URL now: `old_url`, a URL
        it had (if other), answers 301 to it, and its own URL redirects nowhere.
        Two queries at most."""
        moves = [(old_url, self.pk)] if old_url and old_url != self.url else []
        Redirect.save_moves(moves, now_at=[self.url])

    def replace_related_links(self, links: list[RelatedLink]) -> None:
        """Make `links` this article's related links, each pointed at the article
        at its URL if there is one. A few queries whatever their number."""
        targets = Article.objects.in_bulk(
            [link.target_url for link in links], field_name="url"
        )
        for link in links:
            link.pk = None
            link.article = self
            link.target = targets.get(link.target_url)
        with transaction.atomic():
            self.related_links.all().delete()
            RelatedLink.objects.bulk_create(links)

    def add_related_link(self, target: Article) -> RelatedLink:
        """Link to `target` at the first free position (1 to 5), with its URL,
        title, subject and id as a file would give them. Raises ValueError, in
        words for an editor, if no position is free or the link is there
        already. Three queries."""
        if target.pk == self.pk:
            raise ValueError(f"“{self.title}” cannot be related to itself.")
        with transaction.atomic():
            # Locked: two editors adding at once must not take the same position.
            Article.objects.select_for_update().only("pk").get(pk=self.pk)
            links = list(
                self.related_links.values_list("position", "target", "target_url")
            )
            if any(pk == target.pk or url == target.url for _, pk, url in links):
                raise ValueError(f"“{self.title}” already links to “{target.title}”.")
            positions = range(1, MAX_RELATED + 1)
            free = sorted(set(positions) - {position for position, _, _ in links})
            if not free:
                raise ValueError(
                    f"“{self.title}” already has five related links: remove one "
                    "in its form first."
                )
            link = RelatedLink(article=self, position=free[0])
            link.point_at(target)
            link.save()
            return link

    def get_absolute_url(self) -> str:
        return self.url

    @property
    def posted_at(self) -> datetime | None:
        """The posted date as a moment: its midnight in the site's time zone
        (TIME_ZONE), for JSON-LD and the feeds; None without a date."""
        if self.date is None:
            return None
        return datetime.combine(
            self.date, time(), tzinfo=timezone.get_default_timezone()
        )

    @property
    def published_at(self) -> datetime:
        """When feeds say the article came out: its posted date, or without
        one when it was imported (or made, for an article made in the admin)."""
        return self.posted_at or self.imported_at or self.created_at

    @property
    def posted_on(self) -> str:
        """The date as the file asks it shown: `Dec 07, 2024` for MMM DD, YYYY;
        "" without a date."""
        if self.date is None:
            return ""
        return format_date(self.date, self.date_format or "MMM DD, YYYY")

    @property
    def meta_title(self) -> str:
        """The page's <title>: the question, then the SEO title, which in the
        files names only the site and subject ("QuickTakes | Medicine")."""
        if not self.seo_title:
            return f"{self.title} | {settings.SITE_NAME}"
        if self.title in self.seo_title:
            return self.seo_title
        return f"{self.title} | {self.seo_title}"

    @property
    def meta_description(self) -> str:
        return self.seo_description or Truncator(self.question).chars(160)


@reversion.register()
class RelatedLink(models.Model):
    """One `related_articleN` of a file; `target` is set once that article exists."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="related_links"
    )
    position = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RELATED)],
        help_text="1 to 5: the N of related_articleN.",
    )
    target_url = models.CharField(
        "URL",
        max_length=MAX_CHARS["url"],
        help_text="The related article's URL. It may name an article not imported yet.",
    )
    target = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="inbound_links",
        help_text="The article at that URL, once there is one.",
    )
    target_source_id = models.BigIntegerField("id", null=True, blank=True)
    target_title = models.CharField(
        "title",
        max_length=MAX_CHARS["title"],
        blank=True,
        help_text="The title as the file gives it; readers see the article's own.",
    )
    target_subject = models.CharField(
        "subject", max_length=MAX_CHARS["subject"], blank=True
    )
    key_order = models.JSONField(default=list, blank=True)
    extra_fields = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "position"], name="unique_related_position"
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1, position__lte=MAX_RELATED),
                name="related_position_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.target_url}"

    def point_at(self, article: Article) -> None:
        """Make `article` the link's target, named as a file would name it: its
        URL, title, subject and id. No query if its subject is loaded."""
        self.target = article
        self.target_url = article.url
        self.target_title = article.title
        self.target_subject = article.subject_name or article.subject.name
        self.target_source_id = article.source_id


class Redirect(models.Model):
    """A URL an article had: it answers 301 to the article's URL now.

    It names the article, not its next URL, so a chain of moves is always one
    hop. Made when an article's URL changes; removed when an article takes
    the URL again.
    """

    old_url = models.CharField(max_length=MAX_CHARS["url"], unique=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="redirects"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_url} -> {self.article.url}"

    @classmethod
    def save_moves(cls, moves: list[tuple[str, int]], *, now_at: list[str]) -> None:
        """Each (old URL, article id) of `moves` answers 301 to that article; no
        URL of `now_at`, where articles live now, redirects anywhere. Two
        queries, one without moves."""
        cls.objects.filter(old_url__in=[*now_at, *(url for url, _ in moves)]).delete()
        if moves:
            cls.objects.bulk_create(
                [cls(old_url=url, article_id=pk) for url, pk in moves]
            )


class ShownVersion(models.Model):
    """The version of one thing the public pages show; its token changes when
    that thing changes as readers would see it.

    A cached page is kept with the tokens of what it shows, read in the same
    snapshot as its content (articles/page_cache), and is current while they
    are. The keys (`article:<id>`, `subject:<id>`, `newest:<id>`, `subjects`,
    `site`) are page_cache's to name. A key with no row has never changed:
    its token is "". The rows live in the database, not the cache, so a change
    and its new tokens commit together, and an import run from a shell retires
    the pages cached by the web server's processes.
    """

    key = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.key} at {self.token}"
