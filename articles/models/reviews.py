"""Review before publish: an article submitted by an editor who may not
publish, waiting for one who may. Each review is one round: submitted, then
published or sent back with a comment. What is done with them is in
articles/reviews.py; the article's history keeps each step too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .content import Article


class ReviewQuerySet(models.QuerySet):
    def awaiting(self) -> ReviewQuerySet:
        """Reviews not decided yet, oldest first (an index serves it)."""
        return self.filter(state=Review.State.AWAITING).order_by("submitted_at", "pk")


class Review(models.Model):
    """One request to publish an article, and its answer."""

    class State(models.TextChoices):
        AWAITING = "awaiting", "awaiting review"
        PUBLISHED = "published", "published"
        SENT_BACK = "sent_back", "sent back"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="reviews"
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.AWAITING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField()
    note = models.TextField(
        blank=True, max_length=2000, help_text="What the editor asks the reviewer."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(
        blank=True,
        max_length=2000,
        help_text="The reviewer's reply: what to change before it is published.",
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            # One open request per article: submitting twice is one review.
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(state="awaiting"),
                name="one_awaiting_review_per_article",
            )
        ]
        indexes = [
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(state="awaiting"),
                name="review_awaiting",
            )
        ]

    def __str__(self) -> str:
        return f"Review of “{self.article}” ({self.get_state_display()})"
