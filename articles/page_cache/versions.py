"""What each cached page shows, and the changes that retire it.

A page shows a few things, each named by a key with a version in the
database (`ShownVersion`):

- `article:<id>`: the article itself, and the related links on its page (an
  article's links name the titles, URLs and subjects of their targets, so a
  change to a target moves the key of every article that links to it);
- `newest:<subject id>`: the newest articles of the subject, which every
  article page of the subject lists ("More questions on …"). Its token is a
  digest of the NEWEST_SHOWN newest ids and their versions, so it moves only
  when that list or one of its members changes, whatever made the change;
- `subject:<subject id>`: the subject's listing pages (every article of it);
- `subjects`: the subjects' names and slugs, shown on every page of a subject;
- `site`: everything else. Pages that declare nothing show `site` (the home
  page, the subject index, search, the feeds, the sitemap): every change moves
  it, so they always retire.

`articles_changed` is called inside the transaction that changed the
articles, so the change and its new versions commit (or roll back) together.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

from django.db import connection
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import Signal

from articles.fileformat.limits import MAX_RELATED
from articles.models import (
    NEWEST_FIRST_SQL,
    Article,
    RelatedLink,
    ShownVersion,
    Status,
    Subject,
)
from articles.rows import fetch_rows

SITE = "site"
SUBJECTS = "subjects"
# An article page lists this many of its subject's newest articles, leaving
# out itself and those it links to (views.render_article).
MORE_FROM_SUBJECT = 5
# So the newest this many are all any article page can list.
NEWEST_SHOWN = MORE_FROM_SUBJECT + MAX_RELATED + 1


# The keys of one article or subject: the prefix, then its id.
_ARTICLE_PREFIX = "article:"
_NEWEST_PREFIX = "newest:"


def article_key(article_id: int) -> str:
    return f"{_ARTICLE_PREFIX}{article_id}"


def newest_key(subject_id: int) -> str:
    return f"{_NEWEST_PREFIX}{subject_id}"


def subject_key(subject_id: int) -> str:
    return f"subject:{subject_id}"


def article_key_sql(id_column: str) -> str:
    """`article_key` in SQL, for the article id in `id_column`."""
    return _key_sql(_ARTICLE_PREFIX, id_column)


def newest_key_sql(subject_id_column: str) -> str:
    """`newest_key` in SQL, for the subject id in `subject_id_column`."""
    return _key_sql(_NEWEST_PREFIX, subject_id_column)


def _key_sql(prefix: str, id_column: str) -> str:
    return f"'{prefix}' || CAST({id_column} AS TEXT)"


def token_sql(key_sql: str) -> str:
    """A column giving the token of the key the SQL expression `key_sql`
    gives ("" for a key never changed): for a page's query to read the
    versions of what the page shows in the same statement as its content."""
    quote = connection.ops.quote_name
    return (
        f"COALESCE((SELECT v.{quote('token')} FROM "
        f"{quote(ShownVersion._meta.db_table)} v "
        f"WHERE v.{quote('key')} = {key_sql}), '')"
    )


def current_tokens(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens of `keys` now, in their order ("" for a key never changed).
    One query, in plain SQL (articles/rows.py): it runs on every page served
    from the cache, and the ORM would cost more than the query."""
    found = dict(fetch_rows(_tokens_sql(len(keys)), keys))
    return tuple(found.get(key, "") for key in keys)


def _tokens_sql(count: int) -> str:
    sql = _TOKENS_SQL.get(count)
    if sql is None:
        sql = _TOKENS_SQL[count] = (
            "SELECT {key}, {token} FROM {table} WHERE {key} IN ({marks})".format(
                key=connection.ops.quote_name("key"),
                token=connection.ops.quote_name("token"),
                table=connection.ops.quote_name(ShownVersion._meta.db_table),
                marks=", ".join(["%s"] * count),
            )
        )
    return sql


_TOKENS_SQL: dict[int, str] = {}


def articles_changed(
    ids: Iterable[int],
    *,
    new_ids: Iterable[int] = (),
    subject_ids: Iterable[int] = (),
    linked_by_url: Iterable[str] = (),
) -> None:
    """Retire the pages that show these articles as they are now: their own
    pages and those of the articles that link to them, their subjects' listing
    pages, their subjects' article pages where the newest they list changed,
    and every `site` page.

    `new_ids`: articles just made, which no page showed yet (links naming
    their URLs are pointed at them later: `links_resolved`). `subject_ids`:
    subjects they were in before (a move), or were in (deleted articles).
    `linked_by_url`: URLs whose links are about to be pointed at these
    articles (a saved article's own). Three queries, and one per subject."""
    ids = list(ids)
    subjects = set(subject_ids)
    subjects.update(
        Article.objects.filter(pk__in=[*ids, *new_ids])
        .values_list("subject_id", flat=True)
        .distinct()
    )
    linked_by_url = list(linked_by_url)
    linking = _linking_to(ids, linked_by_url) if ids or linked_by_url else []
    _move(
        [article_key(pk) for pk in [*ids, *linking]]
        + [subject_key(pk) for pk in subjects]
        + [SITE],
        newest={subject_id: _newest_token(subject_id) for subject_id in subjects},
    )


def links_resolved(source_ids: Iterable[int]) -> None:
    """Retire the pages of articles whose links were just pointed at their
    targets (they list them now). One query."""
    _move([article_key(pk) for pk in set(source_ids)])


def subjects_changed(ids: Iterable[int]) -> None:
    """Retire every page that shows these subjects: their names are on every
    page of theirs. One query."""
    _move([subject_key(pk) for pk in ids] + [SUBJECTS, SITE])


def _linking_to(ids: list[int], urls: list[str] = ()) -> list[int]:
    """The articles whose links point at `ids`, or name one of `urls`."""
    links = RelatedLink.objects.filter(target_id__in=ids)
    if urls:
        links = links | RelatedLink.objects.filter(target_url__in=urls)
    return list(links.values_list("article_id", flat=True).distinct())


def _newest_token(subject_id: int) -> str:
    """A digest of the subject's newest published articles and their versions
    (every write moves an article's version). One query, in plain SQL: an
    import's chunk asks it of every subject the chunk wrote in."""
    with connection.cursor() as cursor:
        cursor.execute(_NEWEST_SQL, [subject_id, Status.PUBLISHED, NEWEST_SHOWN])
        listed = ",".join(f"{pk}.{version}" for pk, version in cursor.fetchall())
    return hashlib.blake2b(listed.encode(), digest_size=16).hexdigest()


_ARTICLES = connection.ops.quote_name(Article._meta.db_table)
_NEWEST_SQL = f"""
SELECT id, version FROM {_ARTICLES} WHERE subject_id = %s AND status = %s
ORDER BY {NEWEST_FIRST_SQL} LIMIT %s
"""


# Sent after every move of versions, in the changing transaction: whatever
# the public site shows has changed (the static site's rebuilds listen).
versions_moved = Signal()


def _move(keys: list[str], newest: dict[int, str] | None = None) -> None:
    """Give `keys` a new token, and the newest lists theirs. A query for each
    UPSERT_ROWS keys, in plain SQL (an import moves thousands). Sends
    `versions_moved`."""
    token = uuid.uuid4().hex
    rows = [(key, token) for key in dict.fromkeys(keys)]
    rows += [(newest_key(pk), digest) for pk, digest in (newest or {}).items()]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_ROWS):
            batch = rows[start : start + UPSERT_ROWS]
            cursor.execute(
                _upsert_sql(len(batch)), [value for row in batch for value in row]
            )
    versions_moved.send(sender=ShownVersion)


UPSERT_ROWS = 500


def _upsert_sql(count: int) -> str:
    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(ShownVersion._meta.db_table)} "
        f"({quote('key')}, {quote('token')}) VALUES "
        + ", ".join(["(%s, %s)"] * count)
        + f" ON CONFLICT ({quote('key')}) DO UPDATE SET {quote('token')} = "
        f"EXCLUDED.{quote('token')}"
    )


def connect_signals() -> None:
    """Saving or deleting an article or a subject retires the pages that show it.

    Related links are written with their article, which is saved with them (the
    admin's form and actions). Bulk writes send no signals: their callers call
    `articles_changed` themselves.
    """
    post_save.connect(_article_saved, sender=Article, dispatch_uid="pc-article")
    pre_delete.connect(_article_deleting, sender=Article, dispatch_uid="pd-article")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="xd-article")
    for signal in (post_save, post_delete):
        signal.connect(_subject_changed, sender=Subject, dispatch_uid=f"s-{signal}")


def _article_saved(instance: Article, created: bool, **_signal) -> None:
    # The subject it left, if it moved, is in the instance's memory of it.
    left = getattr(instance, "subject_before_save", None)
    articles_changed(
        [] if created else [instance.pk],
        new_ids=[instance.pk] if created else [],
        subject_ids=[left] if left else [],
        linked_by_url=[instance.url],
    )


def _article_deleting(instance: Article, **_signal) -> None:
    # Before the delete, while the links to it still name it.
    _move([article_key(pk) for pk in _linking_to([instance.pk])])


def _article_deleted(instance: Article, **_signal) -> None:
    articles_changed([instance.pk], subject_ids=[instance.subject_id])


def _subject_changed(instance: Subject, **_signal) -> None:
    subjects_changed([instance.pk])
