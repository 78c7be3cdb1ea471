"""Keeping the search index in step with a bulk import.

Every write keeps the index in step by itself (SQLite triggers, PostgreSQL
generated columns; see migrations 0003 and 0005), and so the vocabulary that
"Did you mean" draws on (migration 0016: SQLite's fts5vocab tables read the
index itself; PostgreSQL's word table is added to by a statement trigger, one
statement for a whole chunk of the importer's rows). On SQLite the insert trigger
indexes one row at a time, which for a 100,000-file import costs as much again
as the rest of the import; `indexing_in_bulk` sets it aside for one chunk and
indexes the chunk's new rows in one statement instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from django.db import connection

# The SQLite FTS5 table of migration 0003, and its vocabulary (0013): a row
# per term, and one per instance of a term.
SEARCH_TABLE = "articles_article_search"
VOCABULARY_TABLE = "articles_article_search_vocabulary"
INSTANCES_TABLE = "articles_article_search_instances"
COLUMNS = "title, question, answer, seo_keywords, subject_id"


@contextlib.contextmanager
def indexing_in_bulk() -> Iterator[Callable[[list[int]], None]]:
    """Within the block, new articles are not indexed one by one; call the
    function it gives with the ids of the articles inserted in the block.

        with indexing_in_bulk() as index:
            insert_rows(Article, rows)
            index(new_ids)

    Must run inside a transaction: the row that sets the trigger aside is
    added and removed within it, so no other connection ever sees it. Two
    queries, and one to index, whatever the number of articles.
    """
    if connection.vendor != "sqlite":
        yield _nothing_to_do
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexing_in_bulk() needs a transaction")
    # No `finally`: on an error the transaction rolls back, the row with it.
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO articles_search_deferred (id) VALUES (1)")
    yield _index_published
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM articles_search_deferred")


def _index_published(ids: list[int]) -> None:
    if not ids:
        return
    with connection.cursor() as cursor:
        # A temporary table of ids: SQLite caps a statement's parameters.
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS search_new_ids (id INTEGER)")
        cursor.execute("DELETE FROM search_new_ids")
        cursor.executemany(
            "INSERT INTO search_new_ids (id) VALUES (%s)", [(i,) for i in ids]
        )
        cursor.execute(
            f"INSERT INTO {SEARCH_TABLE}(rowid, {COLUMNS}) "
            f"SELECT id, {COLUMNS} FROM articles_article "
            "WHERE status = 'published' AND id IN (SELECT id FROM search_new_ids)"
        )


def _nothing_to_do(ids: list[int]) -> None:
    pass
