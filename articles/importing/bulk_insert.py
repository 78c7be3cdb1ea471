"""Many rows in one INSERT statement run many times: the import's hot path.

`QuerySet.bulk_create` builds a model instance per row and compiles SQL with a
placeholder per value, in statements SQLite caps at 999 parameters; for a batch
of thousands of articles that costs more than reading the files. `insert_rows`
sends one statement through the driver's `executemany` instead. Values go
through their field's own conversion only where one is needed (dates, JSON), so
what lands in the database is what `bulk_create` would have written.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import connection, models


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` (field name -> value; a foreign key by its id) into `model`'s
    table. Every row names the same fields. One statement, run once per row."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in rows[0]]
    converters = [_converter(field) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    )
    names = list(rows[0])
    values = [
        [
            convert(row[name]) if convert else row[name]
            for name, convert in zip(names, converters, strict=True)
        ]
        for row in rows
    ]
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
