"""Scheduled publishing ("publish at", "unpublish at"), review before publish,
and the roles as the README gives them: Writers (write and edit articles,
submit them for review; not publish), Editors (also publish, rename and add
subjects), Importers (as before)."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.conf import settings
from django.db import migrations, models


ARTICLE_EDITING = [
    "view_article",
    "add_article",
    "change_article",
    "view_subject",
    "view_relatedlink",
    "add_relatedlink",
    "change_relatedlink",
    "delete_relatedlink",
]
ROLES = {
    "Writers": ARTICLE_EDITING,
    "Editors": [*ARTICLE_EDITING, "publish_article", "change_subject", "add_subject"],
}


def update_roles(apps, schema_editor):
    # As in 0006: permissions are made after the last migration; make them now.
    for app_label in ("auth", "contenttypes", "articles"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="articles", codename__in=codenames
            )
        )


def restore_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name="Writers").delete()
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        Permission = apps.get_model("auth", "Permission")
        editors.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="articles",
                codename__in=["change_subject", "add_subject"],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_fewer_article_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Review",
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
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("awaiting", "awaiting review"),
                            ("published", "published"),
                            ("sent_back", "sent back"),
                        ],
                        default="awaiting",
                        max_length=10,
                    ),
                ),
                ("submitted_at", models.DateTimeField()),
                (
                    "note",
                    models.TextField(
                        blank=True,
                        help_text="What the editor asks the reviewer.",
                        max_length=2000,
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "comment",
                    models.TextField(
                        blank=True,
                        help_text="The reviewer's reply: what to change before it is published.",
                        max_length=2000,
                    ),
                ),
            ],
            options={
                "ordering": ["-submitted_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="publish_at",
            field=models.DateTimeField(
                blank=True,
                help_text="A draft is published by itself at this time (the site's time zone). Empty: only by hand.",
                null=True,
                verbose_name="publish at",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="unpublish_at",
            field=models.DateTimeField(
                blank=True,
                help_text="A published article becomes a draft by itself at this time (the site's time zone). Empty: it stays published.",
                null=True,
                verbose_name="unpublish at",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("publish_at__isnull", False)),
                fields=["publish_at"],
                name="article_publish_at",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("unpublish_at__isnull", False)),
                fields=["unpublish_at"],
                name="article_unpublish_at",
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="article",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reviews",
                to="articles.article",
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="submitted_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                condition=models.Q(("state", "awaiting")),
                fields=["submitted_at"],
                name="review_awaiting",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "awaiting")),
                fields=("article",),
                name="one_awaiting_review_per_article",
            ),
        ),
        migrations.RunPython(update_roles, restore_roles),
    ]
