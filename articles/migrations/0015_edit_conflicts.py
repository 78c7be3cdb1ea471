"""Edit conflicts: every article has a version, one more at every change, and
who has an article's change form open is recorded (`Editing`).

SQLite would rebuild the article table to add a NOT NULL column, and the
search triggers of 0003, 0005 and 0011 would go with the old table: there
the column is added in place instead (a constant default is allowed), which
also spares rewriting every row.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SQLITE_ADD = (
    'ALTER TABLE "articles_article" ADD COLUMN "version" integer unsigned '
    'NOT NULL DEFAULT 1 CHECK ("version" >= 0)'
)


def _article_with_version(apps):
    """The historical Article, given its version field: these run beside the
    state's AddField, whose state they do not see."""
    article = apps.get_model("articles", "Article")
    field = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    field.contribute_to_class(article, "version")
    return article, field


def add_version(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_ADD)
    else:
        schema_editor.add_field(*_article_with_version(apps))


def remove_version(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        # In place too (SQLite 3.35+): a rebuild would drop the search triggers.
        schema_editor.execute('ALTER TABLE "articles_article" DROP COLUMN "version"')
    else:
        schema_editor.remove_field(*_article_with_version(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_publishing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="article",
                    name="version",
                    field=models.PositiveIntegerField(
                        db_default=1,
                        default=1,
                        editable=False,
                        help_text="One more at every change, whatever made it (an edit, an import, a restore, a bulk action): a form opened at an older version may not overwrite a newer one.",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(add_version, remove_version)],
        ),
        migrations.CreateModel(
            name="Editing",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("opened_at", models.DateTimeField()),
                ("seen_at", models.DateTimeField(db_index=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="editing",
                        to="articles.article",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "user"), name="unique_editing_per_user"
                    )
                ],
            },
        ),
    ]
