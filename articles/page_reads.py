"""What an article page reads, in plain SQL: the article with its subject,
its related articles, and the newest of its subject.

Each is one query, as the ORM's querysets for them were (`Article.objects.
published().select_related("subject")`, the article's related links with
their targets, `for_listing`), for a tenth of their cost: building those querysets took
about a millisecond each, ten times what SQLite takes to answer them, on the
page every reader arriving from a search engine meets. They are read by
`articles.rows.fetch_rows`, past Django's cursor wrapper on SQLite. The article and the
subjects become model instances (`Model.from_db`), with the columns read here
and no other (another would cost a query); the articles a page lists become
`ListedArticle`s, which hold what a list shows, for a fifth of an instance's
cost (an article page lists up to sixteen).
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import date as Date

from django.db import DEFAULT_DB_ALIAS, connection

from .models import (
    LISTED_INDEX,
    NEWEST_FIRST_SQL,
    Article,
    RelatedLink,
    Status,
    Subject,
)
from .page_cache.versions import (
    NEWEST_SHOWN,
    SUBJECTS,
    article_key,
    article_key_sql,
    newest_key,
    newest_key_sql,
    token_sql,
)
from .rows import fetch_rows

# What the article page shows (templates/jinja2/articles/article_detail.html,
# structured_data.article_json_ld): not the answer's Markdown (the page shows
# the HTML stored from it), nor what only an export, the import or the
# scheduler reads. The others are deferred: reading one costs a query, which
# the page's count of queries (test_views) would show. Each column left out
# is one fewer to convert (SQLite gives dates and moments as text).
_PAGE_FIELDS = {
    "id",
    "subject_id",
    "slug",
    "url",
    "date",
    "title",
    "question",
    "answer_html",
    "answer_has_math",
    "author",
    "date_format",
    "post_on_text",
    "seo_title",
    "seo_description",
    "seo_keywords",
    "status",
    "no_index",
    "updated_at",
}
_ARTICLE_FIELDS = [
    field for field in Article._meta.concrete_fields if field.attname in _PAGE_FIELDS
]
_ARTICLE_NAMES = tuple(field.attname for field in _ARTICLE_FIELDS)


def _in_model_order(model, names: set[str]) -> tuple[str, ...]:
    """`names` in the order of the model's fields, as `from_db` takes values."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


_SUBJECT_FIELDS = _in_model_order(Subject, {"id", "slug", "name"})


@dataclasses.dataclass(slots=True)
class ListedArticle:
    """An article as a list on a page shows it: a link to its URL, with its
    title, date and subject. The templates read it as they read an Article."""

    id: int
    subject_id: int
    url: str
    title: str
    date: Date | None
    subject: Subject | None = None

    @property
    def pk(self) -> int:
        return self.id

    def get_absolute_url(self) -> str:
        return self.url


# The columns of a ListedArticle, in its order.
_LISTED_FIELDS = tuple(
    field.name for field in dataclasses.fields(ListedArticle) if field.name != "subject"
)


def _columns(table: str, names: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{table}.{quote(name)}" for name in names)


def _article_columns() -> tuple[str, ...]:
    return tuple(field.column for field in _ARTICLE_FIELDS)


_ARTICLE = Article._meta.db_table
_SUBJECT = Subject._meta.db_table
_LINK = RelatedLink._meta.db_table

_ARTICLE_AT_URL = f"""
SELECT {_columns("a", _article_columns())}, {_columns("s", _SUBJECT_FIELDS)},
  {token_sql(article_key_sql("a.id"))},
  {token_sql(newest_key_sql("a.subject_id"))},
  {token_sql(f"'{SUBJECTS}'")}
FROM {_ARTICLE} a JOIN {_SUBJECT} s ON s.id = a.subject_id
WHERE a.url = %s AND a.status = %s
"""

# SQLite looks an id up in the table, whatever index holds every column the
# query reads: told to, it reads the related articles from LISTED_INDEX alone
# (Article.Meta.indexes). PostgreSQL's planner weighs that index itself.
_LISTED_BY_ID = f"INDEXED BY {LISTED_INDEX}" if connection.vendor == "sqlite" else ""

_RELATED = f"""
SELECT {_columns("t", _LISTED_FIELDS)}, {_columns("s", _SUBJECT_FIELDS)}
FROM {_LINK} l
JOIN {_ARTICLE} t {_LISTED_BY_ID} ON t.id = l.target_id
JOIN {_SUBJECT} s ON s.id = t.subject_id
WHERE l.article_id = %s AND t.status = %s AND t.id <> %s
ORDER BY l.position
"""

_NEWEST_OF_SUBJECT = f"""
SELECT {_columns("a", _LISTED_FIELDS)}
FROM {_ARTICLE} a
WHERE a.subject_id = %s AND a.status = %s
ORDER BY {NEWEST_FIRST_SQL} LIMIT %s
"""


def published_article_at(url: str) -> tuple[Article, dict[str, str]] | None:
    """The published article at `url`, with its subject, and the versions of
    what its page shows (articles/page_cache/versions.py: the article, its
    subject's newest, the subjects' names), read in the same statement: every
    later read of the page sees the database as of then or later, so the page
    needs no snapshot to be kept with versions no newer than its content
    (`cached_page(versions_first=True)`). One query."""
    rows = fetch_rows(_ARTICLE_AT_URL, [url, Status.PUBLISHED])
    if not rows:
        return None
    row = rows[0]
    split = len(_ARTICLE_FIELDS)
    article = _instance(Article, _ARTICLE_NAMES, row[:split])
    subject_end = split + len(_SUBJECT_FIELDS)
    Article.subject.field.set_cached_value(article, _subject(row[split:subject_end]))
    keys = (article_key(article.pk), newest_key(article.subject_id), SUBJECTS)
    return article, dict(zip(keys, row[subject_end:], strict=True))


def related_articles(article: Article) -> list[ListedArticle]:
    """The published articles `article` links to, each once, in order, with
    their subjects. One query."""
    rows = fetch_rows(_RELATED, [article.pk, Status.PUBLISHED, article.pk])
    seen: dict[int, ListedArticle] = {}
    split = len(_LISTED_FIELDS)
    for row in rows:
        if row[0] not in seen:
            other = _listed(row[:split])
            other.subject = _subject(row[split:])
            seen[row[0]] = other
    return list(seen.values())


def newest_of_subject(
    article: Article,
    *,
    leaving_out: list[ListedArticle],
    count: int,
    version: str = "",
) -> list[ListedArticle]:
    """The `count` newest published articles of `article`'s subject, but for
    it and `leaving_out`, with that subject. One query, or none.

    `version` is the page cache's version of the subject's newest (`newest:`
    key), read in the same snapshot as the page: it moves whenever the
    NEWEST_SHOWN newest change (which, what or in what order: it digests
    their ids and versions, and every write of an article moves its version).
    With one, the rows are remembered by this process until it moves, so
    that the many article pages of one subject read them once, not each.
    """
    left_out = {article.pk, *(other.pk for other in leaving_out)}
    wanted = count + len(left_out)
    if version and wanted <= NEWEST_SHOWN:
        remembered = _REMEMBERED_NEWEST.get(article.subject_id)
        if remembered is None or remembered[0] != version:
            rows = _newest_rows(article.subject_id, NEWEST_SHOWN)
            remembered = _REMEMBERED_NEWEST[article.subject_id] = (version, rows)
        rows = remembered[1]
    else:
        rows = _newest_rows(article.subject_id, wanted)
    newest = [ListedArticle(*row) for row in rows if row[0] not in left_out][:count]
    for other in newest:
        other.subject = article.subject
    return newest


# Subject id -> (the version of its newest, their rows): one entry a subject.
_REMEMBERED_NEWEST: dict[int, tuple[str, list[list]]] = {}


def forget_remembered() -> None:
    """Forget the newest rows and the subjects remembered (for tests, whose rolled-back
    databases give ids and versions again to other content)."""
    _REMEMBERED_NEWEST.clear()
    _subject_as_read.cache_clear()


def _newest_rows(subject_id: int, limit: int) -> list[list]:
    rows = fetch_rows(_NEWEST_OF_SUBJECT, [subject_id, Status.PUBLISHED, limit])
    return [_converted(Article, _LISTED_FIELDS, row) for row in rows]


def _listed(row) -> ListedArticle:
    return ListedArticle(*_converted(Article, _LISTED_FIELDS, row))


def _subject(row) -> Subject:
    return _subject_as_read(tuple(row))


@functools.lru_cache(maxsize=1024)
def _subject_as_read(row: tuple) -> Subject:
    """The subject of a row (id, slug, name), one instance per row as read:
    a page lists up to six subjects, of some dozens the site has, and a
    renamed one is another row. Shared by every page that shows it, which
    only reads it (its name and path)."""
    return _instance(Subject, _SUBJECT_FIELDS, row)


def _instance(model, names: tuple[str, ...], row):
    """A model instance from a row of `names`' columns, each value converted
    as the ORM would (SQLite gives dates as text), of the database the rows
    are read from (`fetch_rows`)."""
    values = _converted(model, names, row)
    return model.from_db(DEFAULT_DB_ALIAS, _name_set(names), values)


@functools.cache
def _name_set(names: tuple[str, ...]) -> frozenset[str]:
    """`names` as `Model.from_db` asks each of the model's fields' names in
    them: a set, not a list to search through for each of 38 fields."""
    return frozenset(names)


def _converted(model, names: tuple[str, ...], row) -> list:
    """The row's values as the ORM would convert them (SQLite gives dates as
    text)."""
    values = list(row)
    for index, converters in _converters(model, names):
        for convert, expression in converters:
            values[index] = convert(values[index], expression, connection)
    return values


@functools.cache
def _converters(model, names: tuple[str, ...]) -> list:
    """The ORM's converters of each column that has any, by its index."""
    found = []
    fields = {field.attname: field for field in model._meta.concrete_fields}
    for index, name in enumerate(names):
        column = fields[name].get_col(model._meta.db_table)
        backend = connection.ops.get_db_converters(column)
        own = column.field.get_db_converters(connection)
        if converters := [(convert, column) for convert in backend + own]:
            found.append((index, converters))
    return found
