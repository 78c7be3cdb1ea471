"""`fetch_rows`: the rows Django's cursor would give, Django's errors, and
every read counted wherever queries are watched (articles/rows.py)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from articles.models import Subject
from articles.rows import fetch_rows

pytestmark = pytest.mark.django_db

SQL = (
    "SELECT name, slug FROM articles_subject WHERE slug = %s OR name LIKE %s"
    " ORDER BY name"
)


def rows_by_django(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_the_rows_are_those_of_djangos_cursor():
    Subject.objects.create(name="Medicine", slug="medicine")
    Subject.objects.create(name="Health Studies", slug="health-studies")
    Subject.objects.create(name="100% Chemistry", slug="chemistry")
    params = ["medicine", "100%%%"]  # a % in a parameter stays a %

    rows = fetch_rows(SQL, params)

    assert [tuple(row) for row in rows] == [
        ("100% Chemistry", "chemistry"),
        ("Medicine", "medicine"),
    ]
    assert [tuple(row) for row in rows] == [
        tuple(row) for row in rows_by_django(SQL, params)
    ]


def test_a_watched_read_is_counted():
    with CaptureQueriesContext(connection) as queries:
        fetch_rows(SQL, ["medicine", "x"])

    assert len(queries) == 1
    assert "articles_subject" in queries[0]["sql"]


def test_an_error_is_djangos():
    with pytest.raises(DatabaseError, match="no_such_table|does not exist"):
        fetch_rows("SELECT 1 FROM no_such_table WHERE 1 = %s", [1])
