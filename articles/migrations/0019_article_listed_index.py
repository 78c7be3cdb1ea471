"""The index of what a list shows of each article, by id (Article.Meta.indexes):
an article page reads its related articles from it alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0018_rendered_answers"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["id", "status", "subject", "url", "title", "date"],
                name="article_listed",
            ),
        ),
    ]
