"""One version per thing the public pages show, instead of one for the whole
site: an edit retires only the cached pages that show what it changed.

Cached pages kept under the old single token are simply no longer matched."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_search_spelling"),
    ]

    operations = [
        migrations.DeleteModel(name="ContentVersion"),
        migrations.CreateModel(
            name="ShownVersion",
            fields=[
                (
                    "key",
                    models.CharField(max_length=40, primary_key=True, serialize=False),
                ),
                ("token", models.CharField(max_length=32)),
            ],
        ),
    ]
