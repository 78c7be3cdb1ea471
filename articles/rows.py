"""The rows of a plain SQL read, for the few reads every public page makes.

On SQLite the read runs on the driver's own connection, past Django's cursor
wrapper: that wrapper (the `%s` to `?` rewrite, the checks for async use and
thread sharing, its execute wrappers) costs some 25 µs a query, twice what
SQLite takes to answer the small reads of a page, and an article page makes
three or four of them. Errors are still Django's (`wrap_database_errors`),
and the connection is the one Django opened, in the same transaction.

Wherever a query is watched, the read takes Django's cursor as any other:
while queries are logged (DEBUG, `assertNumQueries`, `CaptureQueriesContext`)
or an execute wrapper is installed, so every count and trace sees these reads
too. So does PostgreSQL, whose driver setup (its time zone loaders) lives in
Django's cursor; and a connection not open yet, which Django opens.
"""

from __future__ import annotations

import functools
import re

from django.db import DEFAULT_DB_ALIAS, connections


def fetch_rows(sql: str, params: list | tuple) -> list[tuple]:
    """The rows `sql` (with `%s` placeholders) gives for `params`."""
    connection = connections[DEFAULT_DB_ALIAS]
    driver = connection.connection
    if (
        driver is None
        or connection.vendor != "sqlite"
        or connection.queries_logged
        or connection.execute_wrappers
    ):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with connection.wrap_database_errors:
        return driver.execute(_question_marks(sql), params).fetchall()


@functools.lru_cache(maxsize=64)
def _question_marks(sql: str) -> str:
    """`sql` with SQLite's placeholders, as Django's cursor rewrites it."""
    return re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%")
