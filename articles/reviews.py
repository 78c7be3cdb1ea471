"""Review before publish: an editor who may not publish submits a draft; one
who may publishes it or sends it back with a comment.

Each step is a `Review` row (models/reviews.py) and a revision in the
article's history with who did it and what they wrote. The permission checks
are the admin's (admin/review.py); these functions keep the rules that hold
whoever calls them: one open review per article, a decision taken once (two
reviewers clicking at once: one wins, the other is told), a comment for
sending back.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles.importing.revisions import write_revisions
from articles.models import Article, Review, Status
from articles.page_cache import articles_changed


class ReviewRefused(ValueError):
    """The step cannot be taken; the message says why, for the editor."""


def submit_for_review(article: Article, *, user, note: str = "") -> Review:
    """Ask for the draft `article` to be published. Raises ReviewRefused if it
    is published already or awaits review already. Five queries or so."""
    note = _text(note, "note")
    with transaction.atomic():
        # Locked: two submissions at once must not make two open reviews.
        article = Article.objects.select_for_update(of=("self",)).get(pk=article.pk)
        if article.status == Status.PUBLISHED:
            raise ReviewRefused(f"“{article}” is published already.")
        if Review.objects.awaiting().filter(article=article).exists():
            raise ReviewRefused(f"“{article}” already awaits review.")
        review = Review.objects.create(
            article=article,
            submitted_by=user,
            submitted_at=timezone.now(),
            note=note,
        )
        _record(article, "Submitted for review", note, user)
    return review


def publish_reviewed(review: Review, *, user) -> Review:
    """Publish the article under review, closing the review. Raises
    ReviewRefused if it was decided meanwhile."""
    with transaction.atomic():
        review = _claim(review, Review.State.PUBLISHED, user)
        # A new version: a form opened before the decision is stale now.
        Article.objects.filter(pk=review.article_id).update(
            status=Status.PUBLISHED,
            updated_at=review.decided_at,
            version=F("version") + 1,
        )
        # update() sends no signal: the pages that will show it retire here.
        articles_changed([review.article_id])
        _record(review.article, "Published after review", "", user)
    return review


def send_back(review: Review, *, user, comment: str) -> Review:
    """Return the article to its editor with `comment` (required), unpublished.
    Raises ReviewRefused without a comment or if the review was decided
    meanwhile."""
    comment = _text(comment, "comment")
    if not comment:
        raise ReviewRefused("Say what should change: the comment is required.")
    with transaction.atomic():
        review = _claim(review, Review.State.SENT_BACK, user, comment=comment)
        _record(review.article, "Sent back after review", comment, user)
    return review


def close_reviews_of(article_ids: list[int], *, user) -> int:
    """Close the open reviews of articles published otherwise (a bulk action,
    the status field, their schedule): they are no longer anyone's work. One
    UPDATE; returns how many."""
    return (
        Review.objects.awaiting()
        .filter(article__in=article_ids)
        .update(
            state=Review.State.PUBLISHED, decided_by=user, decided_at=timezone.now()
        )
    )


def _text(text: str, name: str) -> str:
    """An editor's words, trimmed; a NUL character (which no text column
    takes) or more than 2,000 characters refused, naming the field."""
    text = text.strip()
    if "\x00" in text:
        raise ReviewRefused(f"The {name} holds a NUL character: remove it.")
    if len(text) > 2000:
        raise ReviewRefused(f"The {name} is {len(text)} characters: 2,000 at most.")
    return text


def _claim(review: Review, state: str, user, **values) -> Review:
    """Decide an open review: one UPDATE, so of two reviewers only one does."""
    now = timezone.now()
    decided = Review.objects.filter(pk=review.pk, state=Review.State.AWAITING).update(
        state=state, decided_by=user, decided_at=now, **values
    )
    review.refresh_from_db()
    if not decided:
        by = f" by {review.decided_by}" if review.decided_by else ""
        raise ReviewRefused(
            f"This review was decided already{by}: {review.get_state_display()}."
        )
    return review


def _record(article: Article, step: str, words: str, user) -> None:
    """The step in the article's history, with what its taker wrote."""
    words = " ".join(words.split())
    write_revisions(
        [(article.pk, f"{step}: {words}" if words else f"{step}.")], user=user
    )
