"""Let an import index a chunk of new articles in one statement (SQLite).

The insert trigger of 0003 indexes row by row: at 100,000 articles that took
as long again as the import itself, where one INSERT ... SELECT per chunk of a
thousand takes under half of it. The trigger now stands aside while the table
articles_search_deferred holds a row. The importer adds that row and removes it
inside the transaction that writes a chunk, then indexes the chunk's new rows
itself (articles/search.py, `indexing_in_bulk`); no other connection ever sees
the row, so every other insert is indexed by the trigger as before.

PostgreSQL: nothing to do; its generated columns index every row as written.
"""

from django.db import migrations

FTS = "articles_article_search"
COLUMNS = "title, question, answer, seo_keywords, subject_id"
NEW = ", ".join(f"new.{column}" for column in COLUMNS.split(", "))


def insert_trigger(when: str) -> str:
    return f"""
    CREATE TRIGGER {FTS}_insert
    AFTER INSERT ON articles_article WHEN {when}
    BEGIN
        INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, {NEW});
    END
    """


FORWARD = [
    "CREATE TABLE articles_search_deferred (id INTEGER PRIMARY KEY)",
    f"DROP TRIGGER {FTS}_insert",
    insert_trigger(
        "new.status = 'published' "
        "AND NOT EXISTS (SELECT 1 FROM articles_search_deferred)"
    ),
]
BACKWARD = [
    f"DROP TRIGGER {FTS}_insert",
    insert_trigger("new.status = 'published'"),
    "DROP TABLE articles_search_deferred",
]


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


def _run(schema_editor, statements):
    if schema_editor.connection.vendor == "sqlite":
        for statement in statements:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_content_version")]

    operations = [migrations.RunPython(forward, backward)]
