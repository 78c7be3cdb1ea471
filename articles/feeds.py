"""RSS and Atom feeds of the latest questions: the whole site, and each subject."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Article, Subject

FEED_SIZE = 30


class LatestArticlesFeed(Feed):
    """The newest published questions of the whole site, as RSS. One query."""

    description_template = None

    def title(self, obj=None) -> str:
        return f"{settings.SITE_NAME}: latest questions"

    def link(self, obj=None) -> str:
        return reverse("articles:home")

    def description(self, obj=None) -> str:
        return "Short, clear answers to study questions."

    def items(self, obj=None):
        return _latest(Article.objects.published())

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.seo_description or item.question

    def item_link(self, item: Article) -> str:
        return item.url

    def item_pubdate(self, item: Article) -> datetime:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime:
        return item.updated_at

    def item_categories(self, item: Article) -> list[str]:
        return [item.subject.name]

    def item_author_name(self, item: Article) -> str:
        return item.author


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class SubjectFeed(LatestArticlesFeed):
    """The newest published questions of one subject, as RSS. Two queries."""

    def get_object(self, request, subject_slug: str) -> Subject:
        return get_object_or_404(Subject, slug=subject_slug)

    def title(self, obj: Subject) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj: Subject) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Subject) -> str:
        return f"The latest questions on {obj.name}."

    def items(self, obj: Subject):
        return _latest(Article.objects.published().filter(subject=obj))


class SubjectAtomFeed(SubjectFeed):
    feed_type = Atom1Feed
    subtitle = SubjectFeed.description


def _latest(articles):
    articles = articles.select_related("subject").without_answer()
    return articles.newest_first("title")[:FEED_SIZE]
