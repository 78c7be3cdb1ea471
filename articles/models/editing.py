"""Who has an article's change form open: a presence record per editor and
article, refreshed while the form is open and gone soon after it closes.

It lives in the database, not the cache: in development each process has a
cache of its own, and every web process must see every editor's form.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class EditingQuerySet(models.QuerySet):
    def current(self) -> EditingQuerySet:
        """Forms still open: refreshed within EDITING_PRESENCE_SECONDS."""
        since = timezone.now() - timedelta(seconds=settings.EDITING_PRESENCE_SECONDS)
        return self.filter(seen_at__gte=since)


class Editing(models.Model):
    """An editor with an article's change form open, as of `seen_at`."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="editing"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    opened_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    objects = EditingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"], name="unique_editing_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} editing article {self.article_id}"

    @classmethod
    def others(cls, article_id: int, user) -> list[Editing]:
        """The other editors with the article's form open now, longest open
        first, each with their user. One query."""
        return list(
            cls.objects.current()
            .filter(article_id=article_id)
            .exclude(user=user)
            .select_related("user")
            .order_by("opened_at")
        )

    @classmethod
    def seen(cls, article_id: int, user) -> None:
        """`user` has the article's form open, now. One query while their form
        stays open (its record refreshed); three more when they open it again
        after it had expired, or for the first time."""
        now = timezone.now()
        expired = now - timedelta(seconds=settings.EDITING_PRESENCE_SECONDS)
        refreshed = cls.objects.filter(
            article_id=article_id, user=user, seen_at__gte=expired
        ).update(seen_at=now)
        if not refreshed:
            # Forms long closed without saying so go (one query more).
            cls.objects.filter(article_id=article_id, seen_at__lt=expired).delete()
            cls.objects.update_or_create(
                article_id=article_id,
                user=user,
                defaults={"opened_at": now, "seen_at": now},
            )

    @classmethod
    def left(cls, article_id: int, user) -> None:
        """`user` closed the article's form (saved it, or left the page). One query."""
        cls.objects.filter(article_id=article_id, user=user).delete()
