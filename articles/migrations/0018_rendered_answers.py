"""Each answer's HTML stored on its row, with its math flag and the renderer's
version, so that pages never render Markdown; existing rows are rendered here,
a batch at a time (a few milliseconds an answer: about five minutes for
100,000 answers on one core).

SQLite would rebuild the article table to add NOT NULL columns, and the
search triggers of 0003, 0005 and 0011 would go with the old table: there
the columns are added in place instead, as 0015 adds its version.
"""

import sys

from django.db import migrations, models

from articles.rendering import rendered_answer

BATCH_SIZE = 500


def render_existing_answers(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    total = Article.objects.count()
    after, done = 0, 0
    while True:
        batch = list(
            Article.objects.filter(pk__gt=after)
            .order_by("pk")
            .only("pk", "answer")[:BATCH_SIZE]
        )
        if not batch:
            break
        for article in batch:
            rendered = rendered_answer(article.answer)
            article.answer_html = rendered.html
            article.answer_has_math = rendered.has_math
            article.answer_html_version = rendered.version
        Article.objects.bulk_update(
            batch, ["answer_html", "answer_has_math", "answer_html_version"]
        )
        after, done = batch[-1].pk, done + len(batch)
        if total > BATCH_SIZE:
            sys.stdout.write(f"\n  answers rendered: {done:,} of {total:,}")
            sys.stdout.flush()


SQLITE_COLUMNS = {
    "answer_html": "text NOT NULL DEFAULT ''",
    "answer_has_math": "bool NOT NULL DEFAULT 0",
    "answer_html_version": 'integer unsigned NOT NULL DEFAULT 0 CHECK ("answer_html_version" >= 0)',
}


def _fields():
    """The new fields, as the state's AddFields give them."""
    return {
        "answer_html": models.TextField(blank=True, editable=False),
        "answer_has_math": models.BooleanField(default=False, editable=False),
        "answer_html_version": models.PositiveIntegerField(default=0, editable=False),
    }


def _article_with(apps, name, field):
    """The historical Article, given a new field: these run beside the state's
    AddFields, whose state they do not see."""
    article = apps.get_model("articles", "Article")
    field.contribute_to_class(article, name)
    return article, field


def add_columns(apps, schema_editor):
    for name, field in _fields().items():
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(
                f'ALTER TABLE "articles_article" ADD COLUMN "{name}" {SQLITE_COLUMNS[name]}'
            )
        else:
            schema_editor.add_field(*_article_with(apps, name, field))


def remove_columns(apps, schema_editor):
    for name, field in _fields().items():
        if schema_editor.connection.vendor == "sqlite":
            # In place too (SQLite 3.35+): a rebuild would drop the search triggers.
            schema_editor.execute(
                f'ALTER TABLE "articles_article" DROP COLUMN "{name}"'
            )
        else:
            schema_editor.remove_field(*_article_with(apps, name, field))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0017_shown_versions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="article",
                    name="answer_has_math",
                    field=models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Whether the answer has math, so its page loads KaTeX.",
                    ),
                ),
                migrations.AddField(
                    model_name="article",
                    name="answer_html",
                    field=models.TextField(
                        blank=True,
                        editable=False,
                        help_text="The answer as readers see it, rendered from its Markdown when the article was written.",
                    ),
                ),
                migrations.AddField(
                    model_name="article",
                    name="answer_html_version",
                    field=models.PositiveIntegerField(
                        default=0,
                        editable=False,
                        help_text="The renderer's version (articles.rendering.RENDERER_VERSION) that made the stored HTML; 0: none did.",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(add_columns, remove_columns)],
        ),
        migrations.RunPython(render_existing_answers, migrations.RunPython.noop),
    ]
