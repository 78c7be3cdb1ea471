"""Two editors, one article: a change form older than the article refuses to
overwrite it, and then offers the editor's changes again over the new version.

The form carries the version it was opened at (`Article.version`, one more at
every write: a save, an import, a restore, a bulk action) and, beside each
field, the value it was opened with (Django's hidden initial values). Saving
compares that version with the one committed, read locked in the saving
transaction, so two saves of one version arriving at once cannot both pass.
A stale save is refused: the form is shown again with the colleague's value
in each field the editor had left as it was, the editor's own everywhere
else, the new version's token, who changed the article since (its history,
`articles.history`) and what changed from the form's values to the new
version's; saving that form again is a deliberate choice, and goes through.
"""

from __future__ import annotations

import dataclasses
import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import (
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from reversion.models import Version

from articles.history import FieldChange, article_versions
from articles.models import Article, Editing
from articles.publishing import PUBLISHED_NOTE, UNPUBLISHED_NOTE

# How far back the history is read for who changed a stale form's article.
HISTORY_WINDOW = 50
LINKS_PREFIX = "related_links"
LINK_FIELDS = ("position", "target_url", "target_article")


class VersionField(forms.IntegerField):
    """The hidden version the form was opened at: never an edit of its own."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


def carry_opened_values(form: forms.BaseForm) -> None:
    """Have `form` post, beside each field, the value it was opened with: what
    a stale form's editor changed is then known without any history."""
    for name, field in form.fields.items():
        if isinstance(field, VersionField):
            continue
        # Posted without them (a page from before, a script), a field is
        # compared with the stored value instead, as Django does by default.
        initial_name = form[name].html_initial_name
        field.show_hidden_initial = not form.is_bound or initial_name in form.data


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
    since: list[Change] = dataclasses.field(default_factory=list)  # newest first
    changes: list[FieldChange] = dataclasses.field(default_factory=list)
    both_changed: list[str] = dataclasses.field(default_factory=list)  # labels

    @property
    def summary(self) -> str:
        """One sentence, for the form's error list."""
        by = ""
        if self.since:
            last = self.since[0]
            when = timezone.localtime(last.when)
            by = f" by {last.who} at {when:%Y-%m-%d %H:%M:%S %Z}"
        return (
            f"This article was changed{by} since you opened it: your changes were "
            "not saved. The form below shows them over the new version; check "
            "them, then save again."
        )


def check_version(form: forms.ModelForm) -> EditConflict | None:
    """Whether `form` (an article's change form, bound) is older than the
    article; if so, its data becomes the merged form described above and the
    conflict is returned. One query (the locked version); a few more, only
    when stale."""
    article: Article = form.instance
    seen = form.cleaned_data.get("seen_version")
    if article.pk is None or seen is None:
        return None
    # The instance's own version is the higher after a restore, which writes an
    # old revision's version back (see EditConflictsAdmin.get_object).
    current = max(article.locked_version() or 0, article.version)
    if seen == current:
        return None
    fresh = Article.objects.select_related("subject").get(pk=article.pk)
    conflict = EditConflict(seen, current, since=_changes_since(article.pk, seen))
    # In place where the admin made the data mutable: its inline formsets read
    # the same data, after this form, so they show the merged links too.
    if not getattr(form.data, "_mutable", False):
        form.data = form.data.copy()
    form.data[form.add_prefix("seen_version")] = str(current)
    _merge_fields(form, fresh, conflict)
    _merge_links(form.data, fresh, conflict)
    return conflict


def _changes_since(article_id: int, seen: int) -> list[Change]:
    """The revisions made after version `seen`, newest first. Two queries."""
    since = []
    for version in article_versions(article_id)[:HISTORY_WINDOW]:
        if (version.field_dict.get("version") or 0) <= seen:
            break
        since.append(_change(version))
    return since


def _change(version: Version) -> Change:
    revision = version.revision
    if revision.user:
        who = revision.user.get_username()
    elif revision.comment in (PUBLISHED_NOTE, UNPUBLISHED_NOTE):
        who = "the schedule"
    else:
        who = "an import"
    return Change(who, revision.date_created, revision.comment)


def _merge_fields(form, fresh: Article, conflict: EditConflict) -> None:
    """Each field the editor left as opened takes the new version's value; the
    form's opened values become the new version's, so that the next save
    compares with it. The fields the colleague changed go in `conflict`."""
    data = form.data
    for name, field in form.fields.items():
        model_field = _model_field(name)
        bound = form[name]
        if model_field is None or bound.html_initial_name not in data:
            continue
        now = model_field.value_from_object(fresh)
        was = field.hidden_widget().value_from_datadict(
            data, form.files, bound.html_initial_name
        )
        if not field.has_changed(now, was):
            continue  # the colleague did not change it
        label = str(field.label or name)
        conflict.changes.append(
            FieldChange(label, _text(field, was), _text(field, now, python=True))
        )
        if name in form.changed_data:  # the editor changed it too: theirs stays
            if field.has_changed(now, bound.data):
                conflict.both_changed.append(label)
        else:
            _put(data, bound.html_name, field, now)
        _put(data, bound.html_initial_name, field, now, hidden=True)


def _model_field(name: str):
    try:
        field = Article._meta.get_field(name)
    except FieldDoesNotExist:  # a form's own field, such as the version
        return None
    return field if field.concrete else None


def _text(field: forms.Field, value, *, python: bool = False) -> str:
    """A field's value as an editor reads it: a subject by its name."""
    if isinstance(field, forms.ModelChoiceField):
        try:
            value = value if python else field.to_python(value)
            if python and value is not None and not hasattr(value, "pk"):
                value = field.queryset.filter(pk=value).first()
        except ValidationError:
            pass
    return "" if value is None else str(value)


def _put(data: QueryDict, key: str, field: forms.Field, value, hidden=False) -> None:
    """Set `key` in `data` to `value` as a browser would post it."""
    widget = field.hidden_widget() if hidden else field.widget
    if isinstance(field, forms.BooleanField) and not hidden:
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
        return
    shown = widget.format_value(field.prepare_value(value))
    if isinstance(shown, list | tuple):  # a select's chosen values
        data.setlist(key, [str(item) for item in shown])
    else:
        data[key] = "" if shown is None else str(shown)


def _rows(data: QueryDict, *, opened: bool) -> list[tuple[str, ...]]:
    """The related links of the form: as it was opened (its initial rows'
    opened values) or as it is posted (every row not deleted)."""
    try:
        count = int(
            data.get(f"{LINKS_PREFIX}-{'INITIAL' if opened else 'TOTAL'}_FORMS")
        )
    except (TypeError, ValueError):
        return []
    rows = []
    for n in range(min(count, 100)):
        key = f"{'initial-' if opened else ''}{LINKS_PREFIX}-{n}-"
        values = tuple(data.get(f"{key}{name}", "") for name in LINK_FIELDS)
        deleted = not opened and data.get(f"{LINKS_PREFIX}-{n}-DELETE")
        if (values[1] or values[2]) and not deleted:
            rows.append(values)
    return sorted(rows)


def _merge_links(data: QueryDict, fresh: Article, conflict: EditConflict) -> None:
    """The new version's related links in `data` if the editor left theirs as
    opened; theirs kept otherwise. One query."""
    links = list(fresh.related_links.order_by("position"))
    now = sorted(
        (str(link.position), link.target_url, str(link.target_id or ""))
        for link in links
    )
    was, posted = _rows(data, opened=True), _rows(data, opened=False)
    if [row[:2] for row in now] == [row[:2] for row in was]:
        return
    conflict.changes.append(FieldChange("Related links", _lines(was), _lines(now)))
    if posted != was:
        conflict.both_changed.append("Related links")
        return
    for key in [key for key in data if f"{LINKS_PREFIX}-" in key]:
        if not key.endswith(("MIN_NUM_FORMS", "MAX_NUM_FORMS")):
            del data[key]
    data[f"{LINKS_PREFIX}-TOTAL_FORMS"] = str(len(links))
    data[f"{LINKS_PREFIX}-INITIAL_FORMS"] = str(len(links))
    for n, link in enumerate(links):
        row = f"{LINKS_PREFIX}-{n}-"
        values = [str(link.position), link.target_url, str(link.target_id or "")]
        data.update({f"{row}id": str(link.pk), f"{row}article": str(fresh.pk)})
        for name, value in zip(LINK_FIELDS, values, strict=True):
            data[f"{row}{name}"] = value
            data[f"initial-{row}{name}"] = value


def _lines(rows: list[tuple[str, ...]]) -> str:
    return "\n".join(f"{position}. {url}" for position, url, _ in rows)


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

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if "data" in kwargs:
            kwargs["data"] = request.POST  # the form's own, merged in place
        return kwargs

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
            if self.has_change_permission(request, obj):  # not who only looks
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
