"""Many rows in one statement run many times: the import's hot path.

`QuerySet.bulk_create` builds a model instance per row and compiles SQL with a
placeholder per value, in statements SQLite caps at 999 parameters, and
`bulk_update` builds a CASE per field and row, split the same way; for a batch
of thousands of articles that costs more than reading the files. `insert_rows`
and `update_rows` send one statement through the driver's `executemany`
instead, and `delete_rows` one DELETE, sending no signals. Values go through
their field's own conversion only where one is needed (dates, JSON), so what
lands in the database is what the ORM would have written.
"""

from __future__ import annotations

import contextlib
import functools
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, models

# The most values one DELETE names (SQLite's old limit on parameters is 999).
DELETE_BATCH = 900


@contextlib.contextmanager
def larger_page_cache() -> Iterator[None]:
    """On SQLite, give this connection a page cache of
    `settings.IMPORT_SQLITE_CACHE_MB` while the block runs, then its own again.

    Each new article goes into half a dozen indexes and the search index, at
    places all over them; once those outgrow SQLite's default cache of 2 MB,
    every insert reads their pages anew (a 100,000-file import took half as
    long again). Elsewhere nothing changes."""
    if connection.vendor != "sqlite" or not settings.IMPORT_SQLITE_CACHE_MB:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{settings.IMPORT_SQLITE_CACHE_MB * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` (field name -> value; a foreign key by its id) into `model`'s
    table. Every row names the same fields. One statement, run once per row."""
    if not rows:
        return
    names = list(rows[0])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    placeholders = ", ".join(["%s"] * len(names))
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    _execute_many(sql, _values(model, names, rows))


def insert_rows_returning_ids(
    model: type[models.Model], rows: list[dict[str, Any]]
) -> list[int]:
    """INSERT `rows` as `insert_rows` does, in multi-row statements that return
    the new rows' ids; the ids, in the order of `rows`. A statement per batch
    of rows (SQLite caps a statement's parameters).

    Ids come back sorted: one statement numbers its rows in the order they are
    listed (SQLite's rowid, PostgreSQL's sequence), whatever order RETURNING
    gives them in.
    """
    if not rows:
        return []
    names = list(rows[0])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    row_marks = "(" + ", ".join(["%s"] * len(names)) + ")"
    limit = connection.features.max_query_params or 65535
    batch = max(1, min(1000, limit // len(names)))
    values = _values(model, names, rows)
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), batch):
            part = values[start : start + batch]
            marks = ", ".join([row_marks] * len(part))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {marks} RETURNING {pk}",
                [value for row in part for value in row],
            )
            ids.extend(sorted(row[0] for row in cursor.fetchall()))
    return ids


def update_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """UPDATE the row of each of `rows` (its primary key under "id", then field
    name -> value) in `model`'s table. Every row names the same fields. One
    statement, run once per row; no signals."""
    if not rows:
        return
    names = [name for name in rows[0] if name != "id"]
    quote = connection.ops.quote_name
    sets = ", ".join(
        f"{quote(model._meta.get_field(name).column)} = %s" for name in names
    )
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s"
    values = _values(model, names, rows)
    ids = [row["id"] for row in rows]
    _execute_many(sql, [[*row, pk] for row, pk in zip(values, ids, strict=True)])


def delete_rows(model: type[models.Model], field: str, values: Sequence) -> None:
    """DELETE the rows of `model` whose `field` (a foreign key by its id) is one
    of `values`: a statement per DELETE_BATCH values; no signals."""
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(field).column)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(values), DELETE_BATCH):
            batch = list(values[start : start + DELETE_BATCH])
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", batch)


def _values(model, names: list[str], rows: list[dict[str, Any]]) -> list:
    """Each row's values for `names`, in order, as the driver wants them."""
    take = operator.itemgetter(*names)
    if len(names) == 1:
        return [(take(row),) for row in rows]
    converters = [
        (index, convert)
        for index, name in enumerate(names)
        if (convert := _converter(model._meta.get_field(name)))
    ]
    if not converters:
        return [take(row) for row in rows]
    values = []
    for row in rows:
        row_values = list(take(row))
        for index, convert in converters:
            row_values[index] = convert(row_values[index])
        values.append(row_values)
    return values


def _execute_many(sql: str, values: list) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How the driver wants this field's values, if not as they are."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return _json_adapter(field)
    if isinstance(field, models.DateTimeField):
        return _same_as_last(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return None


def _same_as_last(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`adapt`, remembering its last answer: a chunk's rows mostly share one
    time (the import's), which is then adapted once, not once a row."""
    last: list = [object(), None]

    def convert(value: Any) -> Any:
        if value is not last[0]:
            last[:] = [value, adapt(value)]
        return last[1]

    return convert


def _json_adapter(field: models.JSONField) -> Callable[[Any], Any]:
    adapt = functools.partial(connection.ops.adapt_json_value, encoder=field.encoder)
    cache: dict[tuple, Any] = {}

    def convert(value: Any) -> Any:
        # The key orders of a batch's files are mostly the same few lists.
        if not isinstance(value, list) or len(cache) > 1000:
            return adapt(value)
        key = tuple(value)
        if key not in cache:
            cache[key] = adapt(value)
        return cache[key]

    return convert
