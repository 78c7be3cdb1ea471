"""Articles lose two indexes that no query needs: `slug` alone (and its LIKE
twin on PostgreSQL) and `subject_id` alone. The unique (subject, slug) and the
(subject, date) indexes serve every query by subject; each index was one more
B-tree write for every article an import creates.

Django would rebuild the whole table on SQLite for this (and drop the search
triggers with it): the indexes are dropped by name instead, on both databases.
"""

from django.core.validators import RegexValidator
from django.db import migrations, models

# Django's names for them, the same on both databases.
SLUG = "articles_article_slug_cc61df93"
SUBJECT = "articles_article_subject_id_947932c7"


def drop_indexes(apps, schema_editor):
    for name in (SLUG, f"{SLUG}_like", SUBJECT):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def make_indexes_again(apps, schema_editor):
    execute = schema_editor.execute
    execute(f"CREATE INDEX IF NOT EXISTS {SLUG} ON articles_article (slug)")
    if schema_editor.connection.vendor == "postgresql":
        execute(
            f"CREATE INDEX IF NOT EXISTS {SLUG}_like "
            "ON articles_article (slug varchar_pattern_ops)"
        )
    execute(f"CREATE INDEX IF NOT EXISTS {SUBJECT} ON articles_article (subject_id)")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_import_jobs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="slug",
                    field=models.SlugField(
                        db_index=False,
                        help_text="The last part of the URL: lower-case letters, "
                        "digits and hyphens.",
                        max_length=200,
                        validators=[
                            RegexValidator(
                                "\\A[a-z0-9]+(?:-+[a-z0-9]+)*\\Z",
                                "Use lower-case letters and digits, with hyphens "
                                "between words, such as what-is-a-cell.",
                            )
                        ],
                    ),
                ),
                migrations.AlterField(
                    model_name="article",
                    name="subject",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="articles",
                        to="articles.subject",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_indexes, make_indexes_again),
            ],
        ),
    ]
