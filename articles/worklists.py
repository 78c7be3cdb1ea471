"""Editors' worklists: what the related links still need.

- `missing_articles()`: URLs that related links name but no article has yet,
  with how many articles name each;
- `articles_with_few_links()`: articles with fewer than five related links;
- `suggestions_for(article, links)`: published articles like it, to link to.

The lists are lazy querysets, counted and aggregated by the database, to be
read a page at a time: a page costs the same few queries however many rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .frontmatter import MAX_RELATED
from .models import Article, RelatedLink, Subject
from .search import similar_articles

SUGGESTIONS = 10
# The most rows a list that cannot be counted cheaply counts.
LIST_CAP = 1000


def missing_articles(url_contains: str = "") -> QuerySet:
    """One row per URL that related links name and no article has yet (with
    `url_contains` in it, if given), most-named first: `target_url`,
    `articles` (how many articles name it, each once even if it names it
    twice), and a `title` and `subject` one of their files gives it."""
    links = RelatedLink.objects.filter(target__isnull=True)
    if url_contains:
        links = links.filter(target_url__icontains=url_contains)
    return (
        links.values("target_url")
        .annotate(
            articles=Count("article", distinct=True),
            title=Max("target_title"),
            subject=Max("target_subject"),
        )
        .order_by("-articles", "target_url")
    )


def articles_naming(url: str) -> QuerySet[Article]:
    """The articles with a related link to `url` that reaches no article, by title."""
    naming = RelatedLink.objects.filter(target__isnull=True, target_url=url)
    return (
        Article.objects.filter(pk__in=naming.values("article"))
        .select_related("subject")
        .order_by("title", "pk")
    )


def articles_with_few_links(
    subject: Subject | None = None, *, without_links: bool = False
) -> QuerySet[Article]:
    """Articles, drafts too, whose related links name fewer than MAX_RELATED
    different URLs (or none at all), whether or not there is an article at
    them yet; newest first. Each has `link_count` (different URLs),
    `resolved_count` (of those, how many reach an article) and
    `positions_used` (a URL named twice takes two).

    Links are counted article by article as the date index is read, so a page
    costs what its own rows cost, whatever the number of articles; counting
    every match would read every link, so count a slice (see LIST_CAP)."""
    articles = Article.objects.annotate(
        link_count=_per_article(Count("target_url", distinct=True)),
        resolved_count=_per_article(Count("target", distinct=True)),
        positions_used=_per_article(Count("pk")),
    )
    if without_links:
        # Not link_count=0: PostgreSQL would guess a handful of rows, and plan
        # (and compile) for reading every article.
        linked = RelatedLink.objects.filter(article=OuterRef("pk"))
        articles = articles.filter(~Exists(linked))
    else:
        articles = articles.filter(link_count__lt=MAX_RELATED)
    if subject is not None:
        articles = articles.filter(subject=subject)
    return (
        articles.select_related("subject")
        .only("title", "status", "date", "subject__name")
        .order_by("-date", "-pk")
    )


def _per_article(aggregate) -> Coalesce:
    """`aggregate` over the article's related links: a correlated subquery."""
    links = RelatedLink.objects.filter(article=OuterRef("pk")).order_by()
    per_article = links.values("article").annotate(value=aggregate).values("value")
    return Coalesce(Subquery(per_article), 0)


def suggestions_for(article: Article, links: Iterable[RelatedLink]) -> list[Article]:
    """Published articles most like `article` by the words of its title and
    question, its own subject's preferred; never itself, an article it links to
    (`links`, its related links), or a second copy of one article (the same
    article filed under several subjects has the same slug and title in each).
    See `similar_articles` for the cost."""
    linked = {link.target_id for link in links if link.target_id is not None}
    similar = similar_articles(
        f"{article.title}\n{article.question}",
        exclude={article.pk, *linked},
        subject_id=article.subject_id,
        limit=2 * SUGGESTIONS,  # room for copies
    )
    seen = {(article.url.rsplit("/", 1)[-1], article.title)}
    suggestions = []
    for other in similar:
        copy = (other.url.rsplit("/", 1)[-1], other.title)
        if copy not in seen:
            seen.add(copy)
            suggestions.append(other)
    return suggestions[:SUGGESTIONS]
