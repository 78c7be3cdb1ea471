"""Public URLs. Article URLs are the files' own: /learn/<subject>/questions/<slug>,
with or without a trailing slash."""

from django.urls import path, re_path

from articles.fileformat.limits import SLUG_PATTERN

from . import feeds, views
from .page_cache import cached_page

app_name = "articles"

SLUG = SLUG_PATTERN
SUBJECT = rf"^learn/(?P<subject_slug>{SLUG})"

urlpatterns = [
    # First: the page most requests are for, resolved on every request.
    re_path(
        rf"{SUBJECT}/questions/(?P<slug>{SLUG})/?$",
        views.article_detail,
        name="article",
    ),
    path("", views.home, name="home"),
    path("learn/", views.subject_index, name="subject_index"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.search_suggestions, name="search_suggestions"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("sitemap-<section>.xml", views.sitemap_section, name="sitemap_section"),
    path("feed/", cached_page(feeds.LatestArticlesFeed()), name="feed"),
    path("feed/atom/", cached_page(feeds.LatestArticlesAtomFeed()), name="atom"),
    re_path(rf"{SUBJECT}/$", views.subject_detail, name="subject"),
    re_path(rf"{SUBJECT}$", views.subject_detail),
    re_path(
        rf"{SUBJECT}/feed/$", cached_page(feeds.SubjectFeed()), name="subject_feed"
    ),
    re_path(
        rf"{SUBJECT}/feed/atom/$",
        cached_page(feeds.SubjectAtomFeed()),
        name="subject_atom",
    ),
]
