"""Roles, drafts and publishing in the admin: an editor, an importer and a
staff user without permissions, each through the admin's own views."""

from __future__ import annotations

import pytest
import reversion
from django.contrib.auth.models import Group, User
from reversion.models import Version

from articles.models import Article, Status

from ..factories import make_article, staff

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"


@pytest.fixture
def bare_staff(client):
    return staff(client, "sam")


def test_the_roles_are_made_by_a_migration_with_their_permissions():
    roles = {
        group.name: {p.codename for p in group.permissions.all()}
        for group in Group.objects.all()
    }

    assert {"change_article", "publish_article"} <= roles["Editors"]
    assert "import_articles" not in roles["Editors"]
    assert "import_articles" in roles["Importers"]
    assert "change_article" not in roles["Importers"]
    assert {"change_article", "add_article"} <= roles["Writers"]
    assert "publish_article" not in roles["Writers"]
    # The README: editors rename subjects (and add them); nobody deletes one.
    assert {"change_subject", "add_subject"} <= roles["Editors"]
    assert not {"change_subject", "add_subject"} & roles["Writers"]
    assert not any("delete_subject" in codenames for codenames in roles.values())


def test_an_editor_publishes_and_unpublishes_from_the_change_list(editor, client):
    article = make_article("q", status=Status.DRAFT)
    action = {"_selected_action": [article.pk], "index": 0}

    editor.post(CHANGELIST, {**action, "action": "publish"})
    client.logout()
    assert client.get(article.url).status_code == 200

    editor.force_login(User.objects.get(username="edna"))
    editor.post(CHANGELIST, {**action, "action": "unpublish"})
    client.logout()
    assert client.get(article.url).status_code == 404


def test_a_staff_user_without_publish_permission_has_no_publish_action(importer):
    page = importer.get(CHANGELIST)

    assert page.status_code == 200
    assert 'value="publish"' not in page.content.decode()


def test_a_staff_user_without_permissions_is_refused(bare_staff):
    article = make_article("q")

    assert bare_staff.get(CHANGELIST).status_code == 403
    assert bare_staff.get(f"{CHANGELIST}{article.pk}/change/").status_code == 403
    assert bare_staff.get(f"{CHANGELIST}{article.pk}/preview/").status_code == 403


def test_a_new_article_in_the_admin_starts_as_a_draft(editor):
    page = editor.get(f"{CHANGELIST}add/")

    assert page.context["adminform"].form.initial["status"] == Status.DRAFT


def test_readers_never_reach_a_draft_but_an_editor_previews_it(editor, client):
    draft = make_article("draft", status=Status.DRAFT, title="Draft title")

    preview = editor.get(f"{CHANGELIST}{draft.pk}/preview/")

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Preview: this article is draft and readers cannot see it." in page
    assert '<meta name="robots" content="noindex">' in page
    assert "no-store" in preview["Cache-Control"]
    client.logout()
    assert client.get(draft.url).status_code == 404
    assert "Draft title" not in client.get("/search/", {"q": "draft"}).content.decode()


def test_view_on_site_leads_to_the_page_or_to_the_drafts_preview(editor):
    published = make_article("shown")
    draft = make_article("hidden", status=Status.DRAFT)

    shown = editor.get(f"{CHANGELIST}{published.pk}/change/").content.decode()
    hidden = editor.get(f"{CHANGELIST}{draft.pk}/change/").content.decode()

    assert f'<a href="{published.url}" class="viewsitelink">' in shown
    preview = f"{CHANGELIST}{draft.pk}/preview/"
    assert f'<a href="{preview}" class="viewsitelink">' in hidden


def writer(client):
    """`client` logged in as an editor who may not publish (the "Writers" role)."""
    return staff(client, "wes", "Writers")


def test_an_editor_without_publish_permission_cannot_change_the_status(client):
    writer_client = writer(client)
    article = make_article("q", status=Status.DRAFT)

    page = writer_client.get(f"{CHANGELIST}{article.pk}/change/")

    assert "status" not in page.context["adminform"].form.fields
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def revisions_of(article, *states: dict) -> list[int]:
    """Save `article` with each of `states` in a revision; their version ids."""
    for values in states:
        with reversion.create_revision():
            Article.objects.filter(pk=article.pk).update(**values)
            article.refresh_from_db()
            article.save()
    return list(
        Version.objects.get_for_object(article)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def test_restoring_a_revision_cannot_publish_for_an_editor_who_may_not(client):
    article = make_article("q", status=Status.DRAFT)
    published, draft = revisions_of(
        article,
        {"status": Status.PUBLISHED, "answer": "Published text."},
        {"status": Status.DRAFT, "answer": "Draft text."},
    )
    writer_client = writer(client)
    restore = f"{CHANGELIST}{article.pk}/history/{published}/"

    refused = writer_client.get(restore, follow=True)
    writer_client.post(restore, {"answer": "Published text."})

    assert "needs the permission to publish" in refused.text
    article.refresh_from_db()
    assert (article.status, article.answer) == (Status.DRAFT, "Draft text.")
    # A revision of the same status restores as ever.
    assert (
        writer_client.get(f"{CHANGELIST}{article.pk}/history/{draft}/").status_code
        == 200
    )


def test_recovering_a_deleted_article_cannot_publish_it_for_an_editor_who_may_not(
    client,
):
    article = make_article("q")
    [published] = revisions_of(article, {"status": Status.PUBLISHED})
    article.delete()
    writer_client = writer(client)

    refused = writer_client.get(f"{CHANGELIST}recover/{published}/", follow=True)

    assert "needs the permission to publish" in refused.text
    assert not Article.objects.exists()


def test_the_live_preview_renders_an_answer_as_the_public_page_does(editor):
    response = editor.post(
        f"{CHANGELIST}render-answer/",
        {"answer": "**Bold** and $$x \\neq \\nabla y$$\n\n<script>alert(1)</script>"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Bold</strong>" in html
    assert 'class="math math-display"' in html and "x \\neq \\nabla y" in html
    assert "<script>" not in html


def test_the_change_form_loads_the_live_preview(editor):
    article = make_article("q")

    page = editor.get(f"{CHANGELIST}{article.pk}/change/").content.decode()

    assert "js/answer_preview." in page and "vendor/katex/katex.min." in page


def test_the_live_preview_is_refused_to_staff_who_cannot_edit(importer):
    response = importer.post(f"{CHANGELIST}render-answer/", {"answer": "x"})

    assert response.status_code == 403
