"""Each answer rendered once, when its article is written: the row stores the
HTML, whether it needs KaTeX and the renderer's version; pages show what is
stored; a new renderer renders the stale rows again (command, worker job);
migration 0017 fills the rows an upgraded site already has."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from articles.exporter import export_articles
from articles.history import article_versions
from articles.importing.answers import AnswerRenderer
from articles.importing.files import find_article_files, read_files
from articles.importing.importer import import_files
from articles.models import Article, Status
from articles.page_cache import articles_changed
from articles.rendered_answers import queue_if_stale, render_stale_answers_job
from articles.rendering import RENDERER_VERSION, render_answer

from ..factories import change_form_data, make_article, write_article

pytestmark = pytest.mark.django_db

MEDICINE = "/learn/medicine/questions/"
MATH = "The area is $\\pi r^2$, **exactly**."
KATEX = "vendor/katex/katex.min"
MARKDOWN_COLUMN = re.compile(r'\."answer"')  # a."answer", not "answer_html"


def stored(article: Article) -> tuple[str, bool, int]:
    row = Article.objects.filter(pk=article.pk)
    return row.values_list("answer_html", "answer_has_math", "answer_html_version")[0]


def set_columns(article: Article, **values) -> None:
    """Change the row behind the ORM's back, as a direct SQL UPDATE would."""
    Article.objects.filter(pk=article.pk).update(**values)


def edit(client, article, **changes):
    url = f"/admin/articles/article/{article.pk}/change/"
    data = change_form_data(client.get(url))
    return client.post(url, {**data, **changes})


# --- Written once: a save, the admin, a restore, a bulk action --------------------


def test_a_saved_article_stores_its_answer_rendered_and_stamped():
    article = make_article("q", answer=MATH)

    assert stored(article) == (render_answer(MATH), True, RENDERER_VERSION)
    assert stored(make_article("plain", answer="No math.")) == (
        "<p>No math.</p>",
        False,
        RENDERER_VERSION,
    )


def test_a_save_of_some_fields_still_renders_the_answer():
    article = make_article("q", answer="First.")
    set_columns(article, answer_html="stale", answer_html_version=0)
    article.answer = "Second *answer*."

    article.save(update_fields=["updated_at"])

    assert stored(article) == (render_answer("Second *answer*."), False, 1)


def test_an_admin_save_stores_the_new_answer_rendered(editor, client):
    article = make_article("q", answer="Old answer.")

    assert (
        edit(editor, article, answer="New\r\n\r\n**answer** $x^2$").status_code == 302
    )

    assert stored(article) == (render_answer("New\n\n**answer** $x^2$"), True, 1)
    client.logout()
    page = client.get(article.url).content.decode()
    assert "<strong>answer</strong>" in page and KATEX in page


def test_a_restored_revision_stores_its_answer_rendered_again(editor):
    article = make_article("q", answer="The **good** answer.")
    edit(editor, article, author="An editor")
    good = article_versions(article.pk).get()
    edit(editor, article, answer="A worse answer with $y$.")
    assert stored(article)[1] is True

    history = f"/admin/articles/article/{article.pk}/history/{good.pk}/"
    editor.post(history, change_form_data(editor.get(history)))

    assert stored(article) == (render_answer("The **good** answer."), False, 1)


def test_revisions_keep_the_markdown_not_the_html(editor):
    article = make_article("q", answer="Kept.")
    edit(editor, article, answer="Kept *again*.")

    fields = article_versions(article.pk).get().field_dict
    assert fields["answer"] == "Kept *again*."
    assert not {"answer_html", "answer_has_math", "answer_html_version"} & set(fields)


def test_a_draft_published_in_bulk_shows_its_stored_answer(editor, client):
    article = make_article("q", status=Status.DRAFT, answer="Shown *as* stored.")
    action = {"_selected_action": [article.pk], "index": 0, "action": "publish"}

    editor.post("/admin/articles/article/", action)

    assert stored(article) == (render_answer("Shown *as* stored."), False, 1)
    client.logout()
    assert "Shown <em>as</em> stored." in client.get(article.url).content.decode()


# --- Served as stored ---------------------------------------------------------


def test_the_page_shows_the_stored_html_not_the_markdown(client):
    article = make_article("q", answer="The **stored** answer.")
    set_columns(article, answer="Changed behind its back: *new*.")

    page = client.get(article.url).content.decode()

    assert "The <strong>stored</strong> answer." in page
    assert "behind its back" not in page


def test_the_stored_math_flag_decides_whether_the_page_loads_katex(client):
    article = make_article("q", answer="No math here.")
    assert KATEX not in client.get(article.url).content.decode()

    set_columns(article, answer_has_math=True)
    articles_changed([article.pk])  # as a bulk write must

    assert KATEX in client.get(article.url).content.decode()


def test_the_article_page_does_not_read_the_markdown(client):
    article = make_article("q", answer="Markdown *source*.")

    with CaptureQueriesContext(connection) as queries:
        assert client.get(article.url).status_code == 200

    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert not MARKDOWN_COLUMN.search(sql)
    assert '"answer_html"' in sql


def test_feeds_read_no_answer(client):
    make_article("q", answer="Not in the feed.")

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/feed/").status_code == 200

    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert '"answer_html"' not in sql and not MARKDOWN_COLUMN.search(sql)


# --- The import -------------------------------------------------------------------


def import_batch(folder, **options):
    return import_files([folder], chunk_size=2, workers=2, **options)


def test_an_import_stores_each_answer_as_render_answer_gives_it(tmp_path):
    for n in range(5):  # three chunks: parsed (and rendered) in the workers
        answer = MATH if n % 2 else f"Answer {n}, *in italics*."
        write_article(tmp_path, f"q{n}.md", f"{MEDICINE}q{n}", answer=answer)

    assert import_batch(tmp_path).counts["created"] == 5

    for article in Article.objects.all():
        has_math = "$" in article.answer
        assert stored(article) == (render_answer(article.answer), has_math, 1)


def test_an_updated_file_stores_its_new_answer_rendered(tmp_path):
    write_article(tmp_path, "q.md", MEDICINE + "q", answer="First.")
    import_batch(tmp_path)
    write_article(tmp_path, "q.md", MEDICINE + "q", answer="Second, *changed*.")

    assert import_batch(tmp_path).counts["updated"] == 1

    article = Article.objects.get()
    assert stored(article) == ("<p>Second, <em>changed</em>.</p>", False, 1)


def test_the_import_renders_only_the_answers_of_files_not_imported_as_they_are(
    tmp_path,
):
    for n in range(3):
        write_article(tmp_path, f"q{n}.md", f"{MEDICINE}q{n}", answer=f"Answer {n}.")
    import_batch(tmp_path)
    write_article(tmp_path, "q1.md", MEDICINE + "q1", answer="Changed.")

    results = read_files(find_article_files([tmp_path]), AnswerRenderer.for_import())

    rendered = {r.path.rsplit("/", 1)[-1]: r.answer for r in results}
    assert rendered["q0.md"] is None and rendered["q2.md"] is None
    assert rendered["q1.md"].html == "<p>Changed.</p>"


def test_a_reimport_of_unchanged_files_writes_no_answer(tmp_path):
    write_article(tmp_path, "q.md", MEDICINE + "q", answer="Kept.")
    import_batch(tmp_path)
    set_columns(Article.objects.get(), answer_html="<p>as it was</p>")

    assert import_batch(tmp_path).counts["unchanged"] == 1

    assert stored(Article.objects.get())[0] == "<p>as it was</p>"


def test_a_dry_run_writes_no_html(tmp_path):
    write_article(tmp_path, "q.md", MEDICINE + "q", answer="Dry.")

    report = import_batch(tmp_path, dry_run=True)

    assert report.counts["created"] == 1 and not Article.objects.exists()


def test_html_in_a_file_is_neither_imported_nor_exported(tmp_path):
    extra = "answer_html: <script>alert(1)</script>\n"
    write_article(tmp_path / "in", "q.md", MEDICINE + "q", answer="Real.", extra=extra)
    import_batch(tmp_path / "in")

    assert stored(Article.objects.get())[0] == "<p>Real.</p>"
    export_articles(tmp_path / "out")
    text = (tmp_path / "out" / "medicine" / "q.md").read_text(encoding="utf-8")
    assert "answer_html:" in text and "<script>alert(1)</script>" in text  # its own
    assert "<p>Real.</p>" not in text


# --- A new renderer: the stale rows rendered again --------------------------------


def make_stale(*slugs: str) -> list[Article]:
    articles = [make_article(slug, answer=f"Answer of *{slug}*.") for slug in slugs]
    for article in articles:
        set_columns(article, answer_html="old", answer_html_version=0)
    return articles


def test_the_command_renders_exactly_the_stale_rows_again():
    stale = make_stale("a", "b", "c")
    current = make_article("current", answer="Current.")
    set_columns(current, answer_html="<p>left alone</p>")
    out = io.StringIO()

    call_command("render_answers", "--batch-size", "2", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines == [
        "  2 of 3",
        "  3 of 3",
        "3 answers rendered again (renderer version 1)",
    ]
    for article in stale:
        assert stored(article) == (render_answer(article.answer), False, 1)
    assert stored(current)[0] == "<p>left alone</p>"
    again = io.StringIO()
    call_command("render_answers", stdout=again)
    assert again.getvalue() == "0 answers to render again (renderer version 1)\n"


def test_a_dry_run_of_the_command_only_counts():
    (article,) = make_stale("a")
    out = io.StringIO()

    call_command("render_answers", "--dry-run", stdout=out)

    assert out.getvalue().startswith("1 answers to render again")
    assert stored(article)[0] == "old"


def test_a_bad_batch_size_is_an_error_naming_the_option():
    with pytest.raises(Exception, match="--batch-size must be 1 or more, not 0"):
        call_command("render_answers", "--batch-size", "0", stdout=io.StringIO())


def test_a_re_rendered_answer_retires_the_cached_page(client):
    (article,) = make_stale("a")
    assert "old" in client.get(article.url).content.decode()

    call_command("render_answers", stdout=io.StringIO())

    assert "Answer of <em>a</em>." in client.get(article.url).content.decode()


def test_migrate_queues_the_workers_job_once_when_answers_are_stale():
    jobs = DBTaskResult.objects.filter(task_path=render_stale_answers_job.module_path)
    make_article("fresh")
    assert queue_if_stale() is False and not jobs.exists()

    make_stale("a", "b")
    assert queue_if_stale() is True
    assert queue_if_stale() is False  # one is waiting already
    assert jobs.count() == 1


def test_the_workers_job_renders_the_stale_answers():
    stale = make_stale("a", "b")

    assert render_stale_answers_job.call() == "2 answers rendered again"

    assert all(stored(article)[2] == RENDERER_VERSION for article in stale)


# --- The migration ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_renders_the_answers_an_upgraded_site_has():
    before = [("articles", "0017_shown_versions")]
    after = [("articles", "0018_rendered_answers")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    subject = old_apps.get_model("articles", "Subject").objects.create(
        slug="medicine", name="Medicine"
    )
    OldArticle = old_apps.get_model("articles", "Article")
    for n, answer in enumerate(["*One*.", MATH]):
        OldArticle.objects.create(
            subject=subject,
            slug=f"q{n}",
            url=f"{MEDICINE}q{n}",
            title="Q",
            question="Q?",
            answer=answer,
        )

    executor = MigrationExecutor(connection)
    executor.migrate(after)

    rows = Article.objects.order_by("slug")
    assert [stored(article) for article in rows] == [
        ("<p><em>One</em>.</p>", False, 1),
        (render_answer(MATH), True, 1),
    ]
