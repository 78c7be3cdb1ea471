"""The sitemap: home, /learn/, every subject and every published, indexable
article, with the date it last changed."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from .models import Article, Status, Subject


class PagesSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["articles:home", "articles:subject_index"]

    def location(self, item: str) -> str:
        return reverse(item)


class SubjectSitemap(Sitemap):
    """Subjects with published questions; lastmod is their newest change."""

    def items(self):
        published = Q(articles__status=Status.PUBLISHED)
        return (
            Subject.objects.annotate(
                lastmod=Max("articles__updated_at", filter=published)
            )
            .filter(lastmod__isnull=False)
            .order_by("slug")
        )

    def lastmod(self, item: Subject):
        return item.lastmod

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("lastmod"))["latest"]


class ArticleSitemap(Sitemap):
    """Published articles that do not ask to stay out of search engines."""

    def items(self):
        return (
            Article.objects.published()
            .filter(no_index=False)
            .only("url", "updated_at")
            .order_by("id")
        )

    def location(self, item: Article) -> str:
        return item.url

    def lastmod(self, item: Article):
        return item.updated_at

    def get_latest_lastmod(self):
        """The newest change, for the sitemap index: one query, not one per URL."""
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


SITEMAPS = {
    "pages": PagesSitemap,
    "subjects": SubjectSitemap,
    "articles": ArticleSitemap,
}


def needs_index() -> bool:
    """Whether the site has more URLs than one sitemap file may list (50,000),
    so that sitemap.xml must be an index of several. Two queries."""
    count = sum(sitemap().paginator.count for sitemap in SITEMAPS.values())
    return count > min(sitemap.limit for sitemap in SITEMAPS.values())
