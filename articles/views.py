"""Public pages: home, subjects, an article at its URL, search."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .frontmatter import article_url
from .models import Article, Subject

PAGE_SIZE = 20


def home(request):
    return render(
        request,
        "articles/home.html",
        {
            "subjects": _subjects_with_counts(),
            "latest": Article.objects.published().for_listing()[:10],
        },
    )


def subject_index(request):
    return render(
        request, "articles/subject_index.html", {"subjects": _subjects_with_counts()}
    )


def subject_detail(request, subject_slug):
    subject = get_object_or_404(Subject, slug=subject_slug)
    articles = Article.objects.published().filter(subject=subject).for_listing()
    page = _page(request, articles)
    return render(
        request, "articles/subject_detail.html", {"subject": subject, "page": page}
    )


def article_detail(request, subject_slug, slug):
    article = get_object_or_404(
        Article.objects.published().select_related("subject"),
        url=article_url(subject_slug, slug),
    )
    context = {"article": article, "related": article.related_articles()}
    return render(request, "articles/article_detail.html", context)


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = Article.objects.none()
    if query:
        results = (
            Article.objects.published()
            .filter(
                Q(title__icontains=query)
                | Q(question__icontains=query)
                | Q(seo_keywords__icontains=query)
            )
            .for_listing()
        )
    page = _page(request, results)
    return render(request, "articles/search.html", {"query": query, "page": page})


def _subjects_with_counts():
    return Subject.objects.annotate(article_count=Count("articles")).filter(
        article_count__gt=0
    )


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= max(paginator.num_pages, 1):
        raise Http404("No such page")
    return paginator.page(int(number))
