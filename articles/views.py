"""Public pages: home, subjects, an article at its URL, search, robots.txt.

Every page a reader sees is served through `cached_page` (articles/page_cache.py)
and costs a fixed number of queries whatever the size of the site.
"""

from __future__ import annotations

import re

from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import InvalidPage, Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from articles.fileformat.limits import SLUG_PATTERN, article_url
from articles.search.terms import MAX_QUERY_CHARS

from . import page_reads
from .models import Article, Redirect, Status, Subject
from .page_cache import (
    SUBJECTS,
    cached_page,
    newest_key,
    page_number,
    shows,
    shows_at,
    subject_key,
)
from .page_cache.versions import MORE_FROM_SUBJECT
from .paths import absolute_urls, path_of
from .search import search_articles
from .sitemaps import SITEMAPS, needs_index
from .structured_data import Crumb, article_json_ld

PAGE_SIZE = 20
LATEST_COUNT = 10
SUGGESTION_COUNT = 6


def search_text(value: str) -> str | None:
    """What `q` searches for, as the search page reads it: runs of whitespace
    as one space, at most MAX_QUERY_CHARS characters; None if nothing is left."""
    return " ".join(value.split())[:MAX_QUERY_CHARS].rstrip() or None


def subject_slug(value: str) -> str | None:
    """`subject` as the search page reads it: a slug, or None (all subjects),
    as for a slug no subject has."""
    return value if re.fullmatch(SLUG_PATTERN, value) else None


PAGED = {"page": page_number}
SEARCH_PARAMETERS = {"q": search_text, "subject": subject_slug, "page": page_number}


@require_safe
@cached_page
def home(request):
    """Search, the subjects and the latest questions. Three queries."""
    subjects = list(Subject.objects.with_published_counts())
    return render(
        request,
        "articles/home.html",
        {
            "subjects": subjects,
            "question_count": sum(subject.article_count for subject in subjects),
            "latest": Article.objects.published().for_listing()[:LATEST_COUNT],
        },
    )


@require_safe
@cached_page
def subject_index(request):
    """Every subject with a published question, with its count. Two queries."""
    return render(
        request,
        "articles/subject_index.html",
        {
            "subjects": Subject.objects.with_published_counts(),
            "breadcrumbs": [_learn_crumb()],
            "canonical_url": request.build_absolute_uri(request.path),
        },
    )


@require_safe
@cached_page(reads=PAGED)
def subject_detail(request, subject_slug):
    """A subject's questions, newest first, a page at a time. Four queries."""
    subject = get_object_or_404(Subject, slug=subject_slug)
    shows(request, subject_key(subject.pk), SUBJECTS)
    articles = Article.objects.published().filter(subject=subject).for_listing()
    page = _page(request, articles)
    crumbs = [_learn_crumb(), Crumb(subject.name, subject.get_absolute_url())]
    canonical = subject.get_absolute_url()
    if page.number > 1:
        canonical += f"?page={page.number}"
    return render(
        request,
        "articles/subject_detail.html",
        {
            "subject": subject,
            "page": page,
            "breadcrumbs": crumbs,
            "canonical_url": request.build_absolute_uri(canonical),
        },
    )


@require_safe
@cached_page(versions_first=True)
def article_detail(request, subject_slug, slug):
    """The article at its file's URL. Three queries whatever its links, two
    once this process has read its subject's newest at their version, and no
    transaction: the first reads the versions of what the page shows with the
    article (`page_reads.published_article_at`). A URL the article had before
    answers 301 to its URL now, in one hop."""
    url = article_url(subject_slug, slug)
    found = page_reads.published_article_at(url)
    if found is None:
        moved_to = (
            Redirect.objects.filter(old_url=url, article__status=Status.PUBLISHED)
            .values_list("article__url", flat=True)
            .first()
        )
        if moved_to is None:
            raise Http404("No such article")
        return HttpResponsePermanentRedirect(moved_to)
    article, versions = found
    shows_at(request, versions)
    return render_article(
        request, article, newest_version=versions[newest_key(article.subject_id)]
    )


def render_article(
    request, article: Article, *, preview: bool = False, newest_version: str = ""
):
    """The article page. Two queries, and one for its subject's newest unless
    this process has them at `newest_version` already. A preview (of a draft,
    for staff) is marked as such, kept out of every cache and asks not to be
    indexed."""
    related = page_reads.related_articles(article)
    more = page_reads.newest_of_subject(
        article, leaving_out=related, count=MORE_FROM_SUBJECT, version=newest_version
    )
    absolute = absolute_urls(request)
    subject_url = article.subject.get_absolute_url()
    crumbs = [
        _learn_crumb(),
        Crumb(article.subject.name, subject_url),
        Crumb(article.title, article.url),
    ]
    context = {
        "article": article,
        "subject_url": subject_url,
        "related": related,
        "more_from_subject": more,
        "breadcrumbs": crumbs,
        "canonical_url": absolute(article.url),
        "json_ld": article_json_ld(article, crumbs, absolute),
        # Rendered and sanitized when the article was written (rendering.py).
        "answer_html": mark_safe(article.answer_html),
        "answer_has_math": article.answer_has_math,
        "preview": preview,
    }
    response = render(request, "articles/article_detail.html", context)
    if preview:
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
@cached_page(reads=SEARCH_PARAMETERS, shared_slots=True)
def search(request):
    """Published articles matching `q`, best first, a page at a time, within
    the subject whose slug is `subject` (an unknown slug filters nothing: the
    form then shows "All subjects"). Five queries for most pages, six for one
    where the whole words' matches give way to the last word's longer ones,
    and never more than seven (nine on PostgreSQL) whatever the number of
    hits; a search that finds nothing costs up to eight more to find a
    spelling that would ("Did you mean", articles/search/spelling.py).

    Cached like every page: a popular search is answered from the cache, and
    rare ones age out of it (PAGE_CACHE_SECONDS, the cache's own eviction).
    Searches share PAGE_CACHE_SEARCH_SLOTS entries, so no sweep of random
    queries can fill the cache (articles/page_cache.py, `page_key`).
    """
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    subjects = list(Subject.objects.only("slug", "name"))
    wanted = request.GET.get("subject", "")
    subject = next((each for each in subjects if each.slug == wanted), None)
    number = _page_number(request)
    offset = (max(number, 1) - 1) * PAGE_SIZE
    results = search_articles(query, subject=subject, offset=offset, limit=PAGE_SIZE)
    try:
        page = Paginator(range(results.total), PAGE_SIZE).page(number)
    except InvalidPage:
        raise Http404("No such page") from None
    page.object_list = results.hits
    context = {
        "query": query,
        "subject": subject,
        "subjects": subjects,
        "results": results,
        "page": page,
    }
    return render(request, "articles/search.html", context)


@require_safe
@cached_page(reads={"q": search_text}, shared_slots=True)
def search_suggestions(request):
    """What the search box offers as the reader types `q` (static/js/
    search_suggest.js): the first titles a search finds, as JSON, and the
    spelling to try when it finds none. A search's queries (search_articles),
    one more for the content version; none for a blank `q`."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    results = search_articles(query, limit=SUGGESTION_COUNT)
    titles = [
        {"title": hit.article.title, "url": hit.article.get_absolute_url()}
        for hit in results.hits
    ]
    return JsonResponse(
        {"query": query, "results": titles, "suggestion": results.suggestion}
    )


@require_safe
@cached_page
def robots_txt(request):
    """Crawl everything readers see, name the sitemap. No query."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('articles:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
@cached_page(reads={"p": page_number})
def sitemap(request):
    """sitemap.xml: the URLs themselves, or, past 50,000 of them, an index of
    sitemap files of 50,000 URLs each (the protocol's limit)."""
    if needs_index():
        return sitemap_views.index(
            request, SITEMAPS, sitemap_url_name="articles:sitemap_section"
        )
    return sitemap_views.sitemap(request, SITEMAPS)


@require_safe
@cached_page(reads={"p": page_number})
def sitemap_section(request, section):
    """One section of the sitemap index, a page (`?p=`) at a time."""
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


def _learn_crumb() -> Crumb:
    return Crumb("Learn", path_of("articles:subject_index"))


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    number = _page_number(request)
    if not 1 <= number <= max(paginator.num_pages, 1):
        raise Http404("No such page")
    return paginator.page(number)


def _page_number(request) -> int:
    """The `page` parameter as a number; 404 unless it is one."""
    number = request.GET.get("page", "1")
    # ASCII digits only, and few: int() refuses "²" and 5,000-digit numbers.
    if not (number.isascii() and number.isdigit() and len(number) < 7):
        raise Http404("No such page")
    return int(number)
