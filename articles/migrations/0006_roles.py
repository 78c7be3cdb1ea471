"""Roles: the groups "Editors" (edit and publish articles) and "Importers" (run
imports, see batches), with their permissions. Staff users get a role by being
put in a group in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Editors": [
        ("articles", "view_article"),
        ("articles", "add_article"),
        ("articles", "change_article"),
        ("articles", "publish_article"),
        ("articles", "view_subject"),
        ("articles", "view_relatedlink"),
        ("articles", "add_relatedlink"),
        ("articles", "change_relatedlink"),
        ("articles", "delete_relatedlink"),
    ],
    "Importers": [
        ("articles", "import_articles"),
        ("articles", "view_article"),
        ("articles", "view_subject"),
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are made after the last migration; these groups need them now.
    # create_permissions() skips an app without a models module, which the
    # migration's stand-in app configs never have: say there is one.
    for app_label in ("auth", "contenttypes", "articles"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_search_bulk_indexing"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="article",
            options={
                "ordering": ["-date", "title"],
                "permissions": [
                    ("publish_article", "Can publish and unpublish articles"),
                    ("import_articles", "Can import article files"),
                ],
            },
        ),
        migrations.RunPython(create_roles, remove_roles),
    ]
