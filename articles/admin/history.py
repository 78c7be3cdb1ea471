"""An article's history in the admin: its revisions, what changed between two,
and restoring one (reversion's own restore form, with the article's redirects
kept right)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles.history import article_versions, changes_between
from articles.models import Article, Status

HISTORY_LIMIT = 200


class ArticleHistoryAdmin(VersionAdmin):
    """Revisions kept on every save (VersionAdmin), shown and compared here."""

    def get_urls(self):
        compare = path(
            "<path:object_id>/history/compare/",
            self.admin_site.admin_view(self.compare_view),
            name="articles_article_compare",
        )
        return [compare, *super().get_urls()]

    def _article_for_history(self, request, object_id) -> Article:
        article = get_object_or_404(Article, pk=id_or_404(Article, unquote(object_id)))
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def history_view(self, request, object_id, extra_context=None):
        """The article's revisions, newest first: who, when, what changed, with
        two to pick for a comparison and a link to restore each. Three queries."""
        article = self._article_for_history(request, object_id)
        versions = list(article_versions(article.pk)[: HISTORY_LIMIT + 1])
        previous = [*versions[1:], None][: len(versions)]  # none: no revisions
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": article,
            "title": f"History: {article}",
            # Each revision beside the one before it, for its "Changes" link.
            "rows": list(zip(versions, previous, strict=True))[:HISTORY_LIMIT],
            "more": len(versions) > HISTORY_LIMIT,
            "can_restore": self.has_change_permission(request, article),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/articles/article/history.html", context)

    def compare_view(self, request, object_id):
        """What changed between two revisions (?from=…&to=…, version ids; by
        default the newest and the one before it)."""
        article = self._article_for_history(request, object_id)
        versions = article_versions(article.pk)
        older, newer = _pick_versions(versions, request.GET)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": article,
            "title": f"Changes to “{article}”",
            "older": older,
            "newer": newer,
            "changes": changes_between(older, newer),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restore a revision (reversion's form). Restoring writes the old URL
        back without `Article.save()`'s eye on it, so the URL the article leaves
        is made to redirect here."""
        id_or_404(Article, unquote(object_id))
        id_or_404(Version, version_id)
        url_before, status_before = (
            Article.objects.filter(pk=unquote(object_id))
            .values_list("url", "status")
            .first()
        ) or (None, None)
        if self._would_change_status(request, version_id, status_before):
            return self._refuse_status_change(
                request, reverse("admin:articles_article_history", args=[object_id])
            )
        with transaction.atomic():
            # Read locked before the restore writes the old revision's version
            # back: the restored article is saved one version above this one.
            request.version_before_restore = (
                Article.objects.select_for_update()
                .filter(pk=unquote(object_id))
                .values_list("version", flat=True)
                .first()
            )
            response = super().revision_view(
                request, object_id, version_id, extra_context
            )
            if request.method == "POST" and response.status_code == 302:
                article = Article.objects.filter(pk=unquote(object_id)).first()
                if article:
                    article.moved_from(url_before)
        return response

    def recover_view(self, request, version_id, extra_context=None):
        """Bring back a deleted article (reversion's form); without the publish
        permission, only as the draft a new article of theirs would be."""
        id_or_404(Version, version_id)
        if self._would_change_status(request, version_id, Status.DRAFT):
            return self._refuse_status_change(
                request, reverse("admin:articles_article_recoverlist")
            )
        return super().recover_view(request, version_id, extra_context)

    def _would_change_status(self, request, version_id, status) -> bool:
        """Whether restoring the version would set a status other than `status`
        for a user who may not publish (the status is read-only to them, and
        reversion's restore writes it back before the form). One query, none
        for those who may publish."""
        if self.has_publish_permission(request):
            return False
        version = Version.objects.filter(pk=version_id).first()
        if version is None:
            return False  # reversion's own view answers 404
        return version.field_dict.get("status", status) != status

    def _refuse_status_change(self, request, back_to: str):
        messages.error(
            request,
            "This revision would change whether the article is published, which "
            "needs the permission to publish.",
        )
        return redirect(back_to)


def id_or_404(model, value) -> int:
    """`value` as an id of `model`, or 404: letters, or a number past what its
    column holds (which SQLite and PostgreSQL would answer with an error)."""
    value = str(value)
    if not (value.isascii() and value.isdigit()):
        raise Http404(f"No {model._meta.verbose_name} has the id {value!r}.")
    low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    if not low <= int(value) <= high:
        raise Http404(f"No {model._meta.verbose_name} has the id {value}.")
    return int(value)


def _pick_versions(versions, query):
    """The (older, newer) pair a comparison asks for. Two queries at most."""
    chosen = [query.get("from"), query.get("to")]
    if all(chosen):
        chosen = [str(id_or_404(Version, value)) for value in chosen]
        found = {str(v.pk): v for v in versions.filter(pk__in=chosen)}
        if len(found) != len(set(chosen)):
            raise Http404("No such revisions of this article.")
        pair = sorted(found.values(), key=lambda v: (v.revision.date_created, v.pk))
        return pair[0], pair[-1]
    latest = list(versions[:2])
    if not latest:
        raise Http404("This article has no revisions yet.")
    return latest[-1], latest[0]
