"""Review before publish in the admin: an article's review page (submit it,
or publish it or send it back) and the "Awaiting review" worklist.

Anyone who may change articles submits a draft; only those with the publish
permission publish it or send it back. The steps themselves, and their
history, are articles/reviews.py's.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views.decorators.http import require_POST, require_safe

from articles.models import Article, Review, Status
from articles.reviews import ReviewRefused, publish_reviewed, send_back
from articles.reviews import submit_for_review as submit

from .worklists import PER_PAGE, _articles, _render, _require


def review_urls(admin_site) -> list:
    """The review pages' URLs, for ArticleAdmin.get_urls: under articles/article/."""

    def view(function):
        return admin_site.admin_view(functools.partial(function, admin_site=admin_site))

    name = "articles_article_review"
    return [
        path("worklists/review/", view(awaiting), name=f"{name}_awaiting"),
        path("<int:article_id>/review/", view(review_page), name=name),
        path(
            "<int:article_id>/review/submit/",
            view(submit_article),
            name=f"{name}_submit",
        ),
        path("<int:article_id>/review/decide/", view(decide), name=f"{name}_decide"),
    ]


@require_safe
def awaiting(request, *, admin_site):
    """Articles submitted for review, oldest first, a page at a time. Two
    queries (the count reads an index of the open reviews only)."""
    _require(_articles(admin_site).has_view_or_change_permission(request))
    reviews = Review.objects.awaiting().select_related(
        "article__subject", "submitted_by"
    )
    context = {
        "page": Paginator(reviews, PER_PAGE).get_page(request.GET.get("page")),
        "may_publish": _may_publish(request),
    }
    return _render(request, admin_site, "awaiting_review", "Awaiting review", context)


@require_safe
def review_page(request, article_id, *, admin_site):
    """The article's review: the open one with its note and, for those who may
    publish, the buttons to publish or send back; for the others, the form to
    submit it. Earlier rounds below, with their comments. Three queries."""
    _require(_articles(admin_site).has_view_or_change_permission(request))
    article = get_object_or_404(
        Article.objects.select_related("subject"), pk=article_id
    )
    reviews = list(
        article.reviews.select_related("submitted_by", "decided_by").order_by(
            "-submitted_at", "-pk"
        )[:20]
    )
    open_review = next((r for r in reviews if r.state == Review.State.AWAITING), None)
    may_change = _articles(admin_site).has_change_permission(request, article)
    context = {
        "article": article,
        "open_review": open_review,
        "earlier": [r for r in reviews if r is not open_review],
        "may_submit": may_change
        and open_review is None
        and article.status == Status.DRAFT,
        "may_decide": open_review is not None and _may_publish(request),
    }
    title = f"Review of “{article.title}”"
    return _render(request, admin_site, "review", title, context)


@require_POST
def submit_article(request, article_id, *, admin_site):
    """Submit the draft for review, with the editor's note; back to its review."""
    article = get_object_or_404(Article, pk=article_id)
    _require(_articles(admin_site).has_change_permission(request, article))
    note = request.POST.get("note", "")
    try:
        submit(article, user=request.user, note=note)
    except ReviewRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            f"“{article.title}” was submitted for review: those who may publish "
            "find it under Awaiting review.",
        )
    return redirect("admin:articles_article_review", article.pk)


@require_POST
def decide(request, article_id, *, admin_site):
    """Publish the article under review ("publish"), or send it back with a
    comment ("send_back"); back to the worklist, or to the review if refused."""
    _require(_may_publish(request))
    review = get_object_or_404(
        Review.objects.select_related("article"),
        article_id=article_id,
        state="awaiting",
    )
    comment = request.POST.get("comment", "")
    try:
        if "publish" in request.POST:
            publish_reviewed(review, user=request.user)
            done = "was published"
        else:
            send_back(review, user=request.user, comment=comment)
            done = "was sent back with your comment"
    except ReviewRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("admin:articles_article_review", article_id)
    messages.success(request, f"“{review.article.title}” {done}.")
    return redirect("admin:articles_article_review_awaiting")


def _may_publish(request) -> bool:
    return request.user.has_perm("articles.publish_article")
