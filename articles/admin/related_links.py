"""Related links in the article's change form: up to five, in an explicit order,
each an article found by title (an autocomplete) or the URL of one not
imported yet."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError

from articles.fileformat.limits import MAX_RELATED, URL_PATTERN
from articles.models import Article, RelatedLink

from .edit_conflicts import carry_opened_values


def label(article: Article) -> str:
    """How an article is named in the choice: the same question is often filed
    under two subjects."""
    return f"{article.title} ({article.subject.name})"


class RelatedArticleSelect(AutocompleteSelect):
    """The admin's autocomplete, asking `RelatedArticleSearch` for articles.

    The article already chosen is shown from `chosen`, loaded with the links,
    instead of by a query of each link's own.
    """

    url_name = "%s:articles_article_related_autocomplete"
    chosen: Article | None = None

    def optgroups(self, name, value, attr=None):
        chosen = self.chosen
        if chosen is None or [str(v) for v in value if v] != [str(chosen.pk)]:
            return super().optgroups(name, value, attr)
        option = self.create_option(name, chosen.pk, label(chosen), True, 0)
        return [(None, [option], 0)]


class RelatedArticleSearch(AutocompleteJsonView):
    """Articles whose title has the words typed, newest first, each shown with
    its subject (the same question is often filed under two). Two queries."""

    def get_queryset(self):
        articles = self.model_admin.get_queryset(self.request).select_related("subject")
        for word in self.term.split()[:8]:
            articles = articles.filter(title__icontains=word)
        return articles.only("title", "subject__name").newest_first("title")

    def serialize_result(self, obj, to_field_name):
        return {"id": str(obj.pk), "text": label(obj)}


class RelatedLinkForm(forms.ModelForm):
    # Not the model's `target`, which the links' URLs decide (see
    # Article.replace_related_links): the editor's way to choose that URL.
    target_article = forms.ModelChoiceField(
        queryset=Article.objects.select_related("subject"),
        required=False,
        label="Article",
        help_text="Type words of its title.",
        widget=RelatedArticleSelect(RelatedLink._meta.get_field("target"), admin.site),
    )

    class Meta:
        model = RelatedLink
        fields = ["position", "target_article", "target_url"]
        labels = {"target_url": "or its URL"}
        help_texts = {"target_url": "For an article not imported yet."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_url"].required = False
        # What the editor changed, should another editor save first.
        carry_opened_values(self)
        self.fields["target_article"].initial = self.instance.target_id
        if self.instance.target_id:
            self.fields["target_article"].widget.chosen = self.instance.target

    def clean(self):
        cleaned = super().clean()
        target, url = cleaned.get("target_article"), cleaned.get("target_url")
        # Picked, not merely shown: a row whose link another editor's save
        # replaced has lost its target, not its editor's choice.
        if target is not None and "target_article" in self.changed_data:
            self.instance.point_at(target)
            cleaned["target_url"] = target.url
        elif url and not URL_PATTERN.match(url):
            self.add_error(
                "target_url",
                "An article's URL looks like /learn/subject/questions/slug.",
            )
        elif url and url != self.instance.target_url:
            self.retarget(url)
        elif not url and target is None and self.has_changed():
            self.add_error("target_article", "Pick an article, or give the URL of one.")
        if self.has_changed() and self.names_its_own_article(target, url):
            by_pick = target is not None and target.pk == self.instance.article_id
            field = "target_article" if by_pick else "target_url"
            self.add_error(field, "An article cannot be related to itself.")
        return cleaned

    def retarget(self, url: str) -> None:
        """The link now names `url`: it takes the title, subject and id of the
        article there, or, with none there yet, drops those of the article it
        named before (they would export as this URL's). One query."""
        article = Article.objects.select_related("subject").filter(url=url).first()
        if article is not None:
            self.instance.point_at(article)
            return
        link = self.instance
        link.target = None
        link.target_title, link.target_subject, link.target_source_id = "", "", None
        link.key_order = [
            key for key in link.key_order if key not in {"id", "title", "subject"}
        ]

    def _post_clean(self):
        super()._post_clean()
        # The hidden fields' errors would show nowhere: said on the row instead.
        for name in ("id", "article"):
            for error in self._errors.pop(name, []):
                self.add_error(
                    None,
                    f"This link's hidden “{name}” field: {error} Reload the page "
                    "to edit the article's links as they are now.",
                )

    def names_its_own_article(self, target, url: str | None) -> bool:
        """Whether the link points at the article being edited. Files may hold
        such links (pages leave them out), so only a row the editor changed is
        checked: an unchanged one never stops a save."""
        article = self.instance.article if self.instance.article_id else None
        if article is None:
            return False
        return (target is not None and target.pk == article.pk) or url == article.url


class LinkIdField(forms.ModelChoiceField):
    """A link row's hidden id. The article's save replaces its links (new ids),
    so a form opened before another editor's save names ids that are gone:
    such a row is taken as a new link, not refused with an error no one sees."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            return None

    def validate(self, value) -> None:
        pass


class RelatedLinkFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk = form.fields["id"]
        form.fields["id"] = LinkIdField(
            pk.queryset, initial=pk.initial, required=False, widget=pk.widget
        )

    def clean(self):
        # Ours first: the model's own check of unique positions says it worse.
        self.check_numbers()
        super().clean()

    def check_numbers(self) -> None:
        numbers: dict[int, int] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if data.get("DELETE") or not data.get("target_url"):
                continue
            position = data.get("position")
            numbers[position] = numbers.get(position, 0) + 1
        if sum(numbers.values()) > MAX_RELATED:
            raise ValidationError(
                f"Related articles: an article has at most {MAX_RELATED} related links."
            )
        taken = {number for number, count in numbers.items() if count > 1}
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            number = data.get("position")
            if number in taken and data.get("target_url") and not data.get("DELETE"):
                # On the field, so the editor sees which links to renumber.
                form.add_error(
                    "position",
                    f"Two related links are number {number}: give each its own "
                    f"number from 1 to {MAX_RELATED}.",
                )


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    form = RelatedLinkForm
    formset = RelatedLinkFormSet
    fk_name = "article"
    extra = 0
    max_num = MAX_RELATED
    ordering = ["position"]
    fields = ["position", "target_article", "target_url", "named_in_file", "resolved"]
    readonly_fields = ["named_in_file", "resolved"]
    verbose_name = "related article"
    verbose_name_plural = "Related articles (in order, at most five)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target__subject")

    @admin.display(description="As the file names it")
    def named_in_file(self, link):
        return link.target_title or "—"

    @admin.display(description="Article exists")
    def resolved(self, link):
        return "yes" if link.target_id else "not yet"

    class Media:
        js = ["js/related_order.js"]
        css = {"all": ["css/related_order.css"]}
