"""A file without `date` or without `id` is still an article: both columns
take NULL, and articles are listed newest first with the undated last.

SQLite cannot drop a NOT NULL in place: Django rebuilds the table, and the
search triggers of 0003 and 0005 go with the old one. They are made again
after the rebuild, both ways (the first operation does it when migrating
back). The SQL is theirs, frozen here.

PostgreSQL puts NULL first in a descending order, so the listings order by
`date DESC NULLS LAST`; its two date indexes are made NULLS LAST as well, so
that they keep serving that order (an index `date DESC` cannot). SQLite puts
NULL last in a descending order already, and its CREATE INDEX takes no NULLS
clause: its indexes stay as Django makes them.
"""

from django.db import migrations, models

FTS = "articles_article_search"
COLUMNS = "title, question, answer, seo_keywords, subject_id"
NEW = ", ".join(f"new.{column}" for column in COLUMNS.split(", "))
OLD = ", ".join(f"old.{column}" for column in COLUMNS.split(", "))

# As 0005 gave it: the importer indexes its new rows itself (search/index.py).
DEFERRED_OR_PUBLISHED = (
    "new.status = 'published' "
    "AND NOT EXISTS (SELECT 1 FROM articles_search_deferred)"
)
SQLITE_TRIGGERS = [
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"""
    CREATE TRIGGER {FTS}_insert
    AFTER INSERT ON articles_article WHEN {DEFERRED_OR_PUBLISHED}
    BEGIN
        INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, {NEW});
    END
    """,
    f"""
    CREATE TRIGGER {FTS}_delete
    AFTER DELETE ON articles_article WHEN old.status = 'published'
    BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD});
    END
    """,
    f"""
    CREATE TRIGGER {FTS}_update
    AFTER UPDATE OF {COLUMNS}, status ON articles_article
    WHEN old.title IS NOT new.title OR old.question IS NOT new.question
        OR old.answer IS NOT new.answer OR old.seo_keywords IS NOT new.seo_keywords
        OR old.subject_id IS NOT new.subject_id OR old.status IS NOT new.status
    BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS})
        SELECT 'delete', old.id, {OLD} WHERE old.status = 'published';
        INSERT INTO {FTS}(rowid, {COLUMNS})
        SELECT new.id, {NEW} WHERE new.status = 'published';
    END
    """,
]


def postgresql_date_indexes(nulls: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS article_subject_date",
        "DROP INDEX IF EXISTS article_date_title",
        "CREATE INDEX article_subject_date ON articles_article "
        f"(subject_id, date DESC{nulls})",
        f"CREATE INDEX article_date_title ON articles_article (date DESC{nulls}, title)",
    ]


def _run(schema_editor, statements_by_vendor):
    for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def after_rebuild(apps, schema_editor):
    _run(
        schema_editor,
        {
            "sqlite": SQLITE_TRIGGERS,
            "postgresql": postgresql_date_indexes(" NULLS LAST"),
        },
    )


def before_going_back(apps, schema_editor):
    _run(schema_editor, {"postgresql": postgresql_date_indexes("")})


def after_going_back(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_TRIGGERS})


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0010_slugs_with_double_hyphens"),
    ]

    operations = [
        # Migrating back, this runs last: after the rebuild back to NOT NULL.
        migrations.RunPython(migrations.RunPython.noop, after_going_back),
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": [
                    models.OrderBy(models.F("date"), descending=True, nulls_last=True),
                    "title",
                ],
                "permissions": [
                    ("publish_article", "Can publish and unpublish articles"),
                    ("import_articles", "Can import article files"),
                ],
            },
        ),
        migrations.AlterField(
            model_name="article",
            name="date",
            field=models.DateField(
                blank=True,
                help_text="The date shown as 'Posted on'. Without one, readers see no date.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="source_id",
            field=models.BigIntegerField(
                blank=True,
                db_index=True,
                help_text="The file's own id, if it gives one. Not unique: an article "
                "filed under two subjects has the same id in both files.",
                null=True,
                verbose_name="id",
            ),
        ),
        migrations.RunPython(after_rebuild, before_going_back),
    ]
