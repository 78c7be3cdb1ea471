"""Two editors, one article: a change form older than the article refuses to
overwrite it, and then offers the editor's changes again over the new version.

The form carries the version it was opened at (`Article.version`, one more at
every write: a save, an import, a restore, a bulk action). Saving compares it
with the version committed, read locked in the saving transaction, so two saves
of one version arriving at once cannot both pass. A stale save is refused: the
form is shown again with the colleague's changes taken in where the editor had
left a field as it was, the editor's own values everywhere else, the new
version's token, and a note of who changed what since (the article's history,
`articles.history`); saving that form again is a deliberate choice, and goes
through.
"""

from __future__ import annotations

import dataclasses
import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from reversion.models import Version

from articles.history import FieldChange, article_versions, changes_between
from articles.models import Article, Editing

# How far back the history is read for a conflict: the revisions made since
# the form was opened, and the one it was opened at.
HISTORY_WINDOW = 50
LINKS_PREFIX = "related_links"


class VersionField(forms.IntegerField):
    """The hidden version the form was opened at: never an edit of its own."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


@dataclasses.dataclass
class Change:
    """One revision made since the form was opened: who, when, what it says."""

    who: str
    when: datetime.datetime
    comment: str


@dataclasses.dataclass
class EditConflict:
    """What an editor is told when their form is older than the article."""

    seen: int
    current: int
    since: list[Change]  # newest first
    changes: list[FieldChange]  # what the colleagues changed, field by field
    both_changed: list[str]  # labels of what both changed: the editor's kept

    @property
    def summary(self) -> str:
        """One sentence, for the form's error list."""
        if self.since:
            last = self.since[0]
            by = f" by {last.who} at {last.when:%Y-%m-%d %H:%M:%S %Z}"
        else:
            by = ""
        return (
            f"This article was changed{by} since you opened it: your changes were "
            "not saved. The form below shows them over the new version; check "
            "them, then save again."
        )


def check_version(form: forms.ModelForm) -> EditConflict | None:
    """Whether `form` (an article's change form, bound) is older than the
    article; if so, its data becomes the merged form described above and the
    conflict is returned. One query (the locked version); a few more, only
    when stale, for the history."""
    article: Article = form.instance
    seen = form.cleaned_data.get("seen_version")
    if article.pk is None or seen is None:
        return None
    # The instance's own version is the higher after a restore, which writes an
    # old revision's version back (see ArticleAdmin.get_object).
    current = max(article.locked_version() or 0, article.version)
    if seen == current:
        return None
    fresh = Article.objects.get(pk=article.pk)
    fresh.version = current
    base, since = _revisions_around(article.pk, seen)
    latest = since[0] if since else None
    changes = changes_between(base, latest) if base and latest else []
    conflict = EditConflict(seen, current, [_change(v) for v in since], changes, [])
    # In place where the admin made the data mutable: its inline formsets read
    # the same data, after this form, so they show the merged links too.
    if not getattr(form.data, "_mutable", False):
        form.data = form.data.copy()
    _merge(form, base, fresh, conflict)
    return conflict


def _revisions_around(article_id: int, seen: int) -> tuple[Version | None, list]:
    """The revision the form was opened at (the newest of a version up to
    `seen`; revisions older than versions count as such), and those made since,
    newest first. Two queries."""
    since = []
    for version in article_versions(article_id)[:HISTORY_WINDOW]:
        if (version.field_dict.get("version") or 0) <= seen:
            return version, since
        since.append(version)
    return None, since


def _change(version: Version) -> Change:
    revision = version.revision
    who = revision.user.get_username() if revision.user else "an import"
    return Change(who, revision.date_created, revision.comment)


def _merge(form, base: Version | None, fresh: Article, conflict) -> None:
    """Make the form's data the editor's, with the new version's token, and the
    new version's value in every field the editor left as it was when they
    opened the form (all kept as posted when that version is not in the
    history)."""
    data = form.data
    data[form.add_prefix("seen_version")] = str(conflict.current)
    if base is None:
        return
    opened = base.field_dict
    for name, field in form.fields.items():
        model_field = _model_field(name)
        if model_field is None or name not in form.initial:
            continue
        was, now = opened.get(model_field.attname), model_field.value_from_object(fresh)
        posted = field.widget.value_from_datadict(
            data, form.files, form.add_prefix(name)
        )
        if field.has_changed(was, posted):
            if field.has_changed(now, posted) and now != was:
                conflict.both_changed.append(str(field.label or name))
            continue
        _put(data, form.add_prefix(name), field, now)
    _merge_links(data, base, fresh, conflict)


def _model_field(name: str):
    try:
        field = Article._meta.get_field(name)
    except Exception:  # a form's own field, such as the version
        return None
    return field if field.concrete else None


def _put(data: QueryDict, key: str, field: forms.Field, value) -> None:
    """Set `key` in `data` to `value` as a browser would post it."""
    if isinstance(field, forms.BooleanField):
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
        return
    prepared = field.prepare_value(value)
    shown = field.widget.format_value(prepared)
    data[key] = "" if shown is None else str(shown)


def _posted_links(data: QueryDict) -> list[tuple[str, str, str]]:
    """The related links the form posts, as (number, URL, article id) text."""
    try:
        total = int(data.get(f"{LINKS_PREFIX}-TOTAL_FORMS", "0"))
    except ValueError:
        return []
    links = []
    for n in range(min(total, 100)):
        row = f"{LINKS_PREFIX}-{n}-"
        if data.get(f"{row}DELETE") or not (
            data.get(f"{row}target_url") or data.get(f"{row}target_article")
        ):
            continue
        links.append(
            (
                data.get(f"{row}position", ""),
                data.get(f"{row}target_url", ""),
                data.get(f"{row}target_article", ""),
            )
        )
    return sorted(links)


def _links_of(version: Version) -> list[tuple[str, str, str]]:
    """The article's related links as the version's revision kept them. One query."""
    kept = version.revision.version_set.filter(
        content_type__model="relatedlink", content_type__app_label="articles"
    )
    links = []
    for link in kept:
        fields = link.field_dict
        if str(fields.get("article_id")) == version.object_id:
            target = fields.get("target_id")
            links.append(
                (str(fields["position"]), fields["target_url"], str(target or ""))
            )
    return sorted(links)


def _merge_links(data: QueryDict, base: Version, fresh: Article, conflict) -> None:
    """The new version's related links in `data`, if the editor left theirs
    as they were when they opened the form. Two queries."""
    now = [
        (str(link.position), link.target_url, str(link.target_id or ""), link.pk)
        for link in fresh.related_links.order_by("position")
    ]
    was, posted = _links_of(base), _posted_links(data)
    if [link[:3] for link in now] == was:
        return
    if posted != was:
        conflict.both_changed.append("Related links")
        return
    for key in [key for key in data if key.startswith(f"{LINKS_PREFIX}-")]:
        if not key.endswith(("MIN_NUM_FORMS", "MAX_NUM_FORMS")):
            del data[key]
    data[f"{LINKS_PREFIX}-TOTAL_FORMS"] = str(len(now))
    data[f"{LINKS_PREFIX}-INITIAL_FORMS"] = str(len(now))
    for n, (position, url, target, pk) in enumerate(now):
        row = f"{LINKS_PREFIX}-{n}-"
        data.update(
            {
                f"{row}id": str(pk),
                f"{row}article": str(fresh.pk),
                f"{row}position": position,
                f"{row}target_url": url,
                f"{row}target_article": target,
            }
        )


class EditConflictsAdmin:
    """The article admin's side of two editors at once (a mixin, first in the
    bases): stale forms refused and merged (`check_version`, from the form),
    a save that changes nothing writing nothing, and who else has the form
    open (`Editing`), refreshed by static/js/editing_presence.js."""

    def get_urls(self):
        presence = path(
            "<path:object_id>/editing/",
            self.admin_site.admin_view(self.editing_view),
            name="articles_article_editing",
        )
        return [presence, *super().get_urls()]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            # Mutable, so that a stale form's data is merged once for the form
            # and its inlines (check_version).
            request.POST = request.POST.copy()
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        before = getattr(request, "version_before_restore", None)
        if article is not None and before is not None:
            # A restore wrote an old revision's version back: the form is
            # opened at, and saves over, the version the article had before.
            article.version = before
        return article

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed() and not _restoring(request):
            return  # the article's fields are as they were; its links may not be
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change and not form.has_changed() and not _restoring(request):
            if not any(formset.has_changed() for formset in formsets):
                # Nothing written: no revision, no log entry, no new version.
                request.nothing_changed = True
                for formset in formsets:
                    formset.save(commit=False)  # what the change message reads
                return
            # Only the links changed: the article is saved too, for its new
            # version and its revision (which holds the links).
            super().save_model(request, form.instance, form, change)
        super().save_related(request, form, formsets, change)

    def log_change(self, request, obj, message):
        if getattr(request, "nothing_changed", False):
            return None
        return super().log_change(request, obj, message)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "nothing_changed", False) and level == messages.SUCCESS:
            return  # not "was changed successfully": see response_change
        super().message_user(request, message, level, *args, **kwargs)

    def response_change(self, request, obj):
        if getattr(request, "nothing_changed", False):
            self.message_user(request, f"Nothing in “{obj}” changed: nothing saved.")
        if "_continue" not in request.POST:
            Editing.left(obj.pk, request.user)
        return super().response_change(request, obj)

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        """The form, saying who else has it open (and recording that this
        editor does: two queries, three on first opening) and, when it was
        refused as stale, who changed the article since and what."""
        if change and obj is not None:
            Editing.seen(obj.pk, request.user)
            context["also_editing"] = Editing.others(obj.pk, request.user)
            context["editing_url"] = reverse(
                "admin:articles_article_editing", args=[obj.pk]
            )
            context["editing_seconds"] = settings.EDITING_PRESENCE_SECONDS
        context["edit_conflict"] = getattr(
            context["adminform"].form, "edit_conflict", None
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @method_decorator(require_POST)
    def editing_view(self, request, object_id):
        """The form's script says the form is still open (or, with `left`,
        closed). One query or two; 204, 404 for an article that is not there."""
        article = get_object_or_404(Article.objects.only("pk"), pk=_int(object_id))
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        if request.POST.get("left"):
            Editing.left(article.pk, request.user)
        else:
            Editing.seen(article.pk, request.user)
        return HttpResponse(status=204)


def _restoring(request) -> bool:
    return getattr(request, "version_before_restore", None) is not None


def _int(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise Http404("No such article.")
    return int(text)
