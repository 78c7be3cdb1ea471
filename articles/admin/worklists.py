"""The editors' worklists in the admin: what the related links still need.

- `missing_articles()`: URLs that related links name but no article has yet,
  with how many articles name each;
- `articles_with_few_links()`: articles with fewer than five related links;
- `suggestions_for(article, links)`: published articles like it, to link to in
  one click.

The lists are lazy querysets, counted and aggregated by the database, to be
read a page at a time: a page costs the same few queries however many rows.

Seeing a worklist needs the view or change permission on articles; adding a
link, the change permission. Every page is a few queries whatever the number
of articles and links (the tests count them).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from urllib.parse import urlencode

import reversion
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST, require_safe

from articles.fileformat.limits import MAX_RELATED, URL_PATTERN
from articles.models import Article, RelatedLink, Subject
from articles.search import similar_articles

PER_PAGE = 50
SUGGESTIONS = 10
# The most rows a list that cannot be counted cheaply counts.
LIST_CAP = 1000


def worklist_urls(admin_site) -> list:
    """The worklists' URLs, for ArticleAdmin.get_urls: under articles/article/."""

    def view(function):
        return admin_site.admin_view(functools.partial(function, admin_site=admin_site))

    name = "articles_article_worklist_"
    return [
        path("worklists/missing/", view(missing), name=f"{name}dangling"),
        path(
            "worklists/missing/articles/",
            view(missing_detail),
            name=f"{name}dangling_detail",
        ),
        path("worklists/few-links/", view(few_links), name=f"{name}few_links"),
        path(
            "<int:article_id>/suggestions/",
            view(suggestions),
            name=f"{name}suggestions",
        ),
        path(
            "<int:article_id>/suggestions/add/",
            view(add_suggestion),
            name=f"{name}add_link",
        ),
    ]


@require_safe
def missing(request, *, admin_site):
    """URLs that related links name and no article has, most-named first, a
    page at a time; `q` filters by part of the URL. Two queries."""
    _require(_articles(admin_site).has_view_or_change_permission(request))
    query = request.GET.get("q", "").strip()
    rows = missing_articles(query)
    context = {
        "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
        "query": query,
    }
    return _render(request, admin_site, "missing", "Missing related articles", context)


@require_safe
def missing_detail(request, *, admin_site):
    """The articles whose related links name `url`, where no article is yet,
    and a link to write it. Four queries."""
    _require(_articles(admin_site).has_view_or_change_permission(request))
    url = request.GET.get("url", "")
    articles = articles_naming(url)
    can_write = _articles(admin_site).has_add_permission(request)
    context = {
        "page": Paginator(articles, PER_PAGE).get_page(request.GET.get("page")),
        "url": url,
        # Only those who may write it are offered the new article's form.
        "new_article": _new_article(url) if can_write else None,
        "can_write": can_write,
    }
    title = f"Articles that link to {url}"
    return _render(request, admin_site, "missing_detail", title, context)


@require_safe
def few_links(request, *, admin_site):
    """Articles with fewer than five related links (or with none, if `links`
    is "none"), newest first, a page at a time; `subject` (an id) filters.
    Three queries."""
    _require(_articles(admin_site).has_view_or_change_permission(request))
    subjects = list(Subject.objects.only("name"))
    subject = next(
        (s for s in subjects if str(s.pk) == request.GET.get("subject")), None
    )
    without_links = request.GET.get("links") == "none"
    articles = articles_with_few_links(subject, without_links=without_links)
    context = {
        "page": _CappedPaginator(articles, PER_PAGE).get_page(request.GET.get("page")),
        "subjects": subjects,
        "subject": subject,
        "without_links": without_links,
    }
    title = "Articles with fewer than five related links"
    return _render(request, admin_site, "few_links", title, context)


@require_safe
def suggestions(request, article_id, *, admin_site):
    """The article's related links, and published articles like it to add.
    Two queries and those of `suggestions_for`."""
    _require(_articles(admin_site).has_view_or_change_permission(request))
    article = get_object_or_404(
        Article.objects.select_related("subject"), pk=article_id
    )
    links = list(article.related_links.select_related("target").order_by("position"))
    context = {
        "article": article,
        "links": links,
        "suggestions": suggestions_for(article, links),
        "full": len(links) >= MAX_RELATED,
        "can_add": _articles(admin_site).has_change_permission(request),
    }
    title = f"Suggestions for “{article.title}”"
    return _render(request, admin_site, "suggestions", title, context)


@require_POST
def add_suggestion(request, article_id, *, admin_site):
    """Add the published article `target` to the article's related links, at the
    first free position, as a revision of the article; back to its suggestions."""
    _require(_articles(admin_site).has_change_permission(request))
    article = get_object_or_404(
        Article.objects.select_related("subject"), pk=article_id
    )
    target_id = request.POST.get("target", "")
    if not target_id.isdigit():
        raise Http404("No such article")
    target = get_object_or_404(Article.objects.published(), pk=target_id)
    try:
        with reversion.create_revision():
            link = article.add_related_link(target)
            # The article's revision, with its links, is the history of the change.
            article.save(update_fields=["updated_at"])
            reversion.set_user(request.user)
            reversion.set_comment(
                f"Added related link to “{target.title}” from suggestions"
            )
    except ValueError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, f"Added “{target.title}” as related link {link.position}."
        )
    return redirect("admin:articles_article_worklist_suggestions", article.pk)


def _articles(admin_site):
    """The articles' ModelAdmin, whose permission checks the worklists share."""
    return admin_site.get_model_admin(Article)


def _require(permitted: bool) -> None:
    """Go on if permitted; else 403."""
    if not permitted:
        raise PermissionDenied


def _new_article(url: str) -> dict | None:
    """What the add form needs to write the article at `url`: its subject (if
    there is one by that slug), slug and title as a link gave it. Two queries."""
    match = URL_PATTERN.match(url)
    if match is None:
        return None
    subject = Subject.objects.filter(slug=match["subject"]).first()
    given = RelatedLink.objects.filter(target__isnull=True, target_url=url).aggregate(
        title=Max("target_title")
    )
    title = given["title"] or ""
    initial = {"slug": match["slug"], "title": title, "question": title}
    if subject is not None:
        initial["subject"] = subject.pk
    add_url = reverse("admin:articles_article_add") + "?" + urlencode(initial)
    return {"subject": subject, "subject_slug": match["subject"], "add_url": add_url}


class _CappedPaginator(Paginator):
    """Pages of the first LIST_CAP rows, for a list that would have to read
    every article's links to count them all; `more` says whether there are more
    rows. One query to count."""

    @cached_property
    def counted(self) -> int:
        # Any LIST_CAP + 1 rows will do: unordered, the first found.
        return self.object_list.order_by()[: LIST_CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, LIST_CAP)

    @property
    def more(self) -> bool:
        return self.counted > LIST_CAP


def _render(request, admin_site, template: str, title: str, context: dict):
    context = {
        **admin_site.each_context(request),
        "opts": Article._meta,
        "title": title,
        **context,
    }
    return TemplateResponse(
        request, f"admin/articles/worklists/{template}.html", context
    )


# The worklists' queries.


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
        .newest_first("-pk")
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
