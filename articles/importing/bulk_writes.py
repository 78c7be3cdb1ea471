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

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

# The most values one DELETE names (SQLite's old limit on parameters is 999).
DELETE_BATCH = 900


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


def _values(model, names: list[str], rows: list[dict[str, Any]]) -> list[list]:
    """Each row's values for `names`, in order, as the driver wants them."""
    converters = [_converter(model._meta.get_field(name)) for name in names]
    return [
        [
            convert(row[name]) if convert else row[name]
            for name, convert in zip(names, converters, strict=True)
        ]
        for row in rows
    ]


def _execute_many(sql: str, values: list[list]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How the driver wants this field's values, if not as they are."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return _json_adapter(field)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return None


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
