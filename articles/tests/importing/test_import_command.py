"""`manage.py import_articles`: outcomes, refusals, dry and strict runs, conflicts."""

from __future__ import annotations

import datetime
import hashlib
import io
import shutil
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.fileformat.reading import parse_article
from articles.models import Article, Redirect, RelatedLink, Subject

from ..factories import FIXTURES, article_text, write_article

pytestmark = pytest.mark.django_db

MEDICINE = "/learn/medicine/questions/"


def run_import(*args, expect_failure=False):
    """Run the command; returns (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    if expect_failure:
        with pytest.raises(CommandError) as failure:
            call_command("import_articles", *map(str, args), stdout=out, stderr=err)
        assert failure.value.returncode == 1
    else:
        call_command("import_articles", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def writes_in(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]


def test_it_imports_the_seed_files_with_their_related_links():
    out, _ = run_import(FIXTURES)

    assert "2 files: 2 created, 0 updated, 0 unchanged, 0 conflict, 0 refused" in out
    article = Article.objects.get(
        url=MEDICINE
        + "what-treatment-options-are-available-for-metastatic-liver-cancer"
    )
    assert article.source_id == 97053
    assert article.subject.name == "Medicine"
    assert article.seo_keywords.startswith("metastatic liver cancer, treatment options")
    assert article.answer.startswith("Metastatic liver cancer, which occurs")
    assert "\n\n1. **Surgery**" in article.answer
    assert list(article.related_links.values_list("position", "target_id")) == [
        (1, None),
        (2, None),
        (3, None),
        (4, None),
        (5, None),
    ]
    assert RelatedLink.objects.count() == 10


def test_a_second_import_reports_all_unchanged_and_writes_nothing():
    run_import(FIXTURES)

    with CaptureQueriesContext(connection) as queries:
        out, _ = run_import(FIXTURES)

    assert "2 files: 0 created, 0 updated, 2 unchanged" in out
    assert writes_in(queries) == []


def test_a_changed_file_updates_its_article_and_its_links(tmp_path):
    url = MEDICINE + "what-is-a-test"
    write_article(tmp_path, "a.md", url, related=[MEDICINE + "one", MEDICINE + "two"])
    run_import(tmp_path)
    write_article(
        tmp_path,
        "a.md",
        url,
        title="What is a good test?",
        related=[MEDICINE + "three"],
    )

    out, _ = run_import(tmp_path)

    assert "1 updated" in out
    article = Article.objects.get(url=url)
    assert article.title == "What is a good test?"
    assert list(article.related_links.values_list("target_url", flat=True)) == [
        MEDICINE + "three"
    ]


def test_a_bad_file_is_refused_whole_and_the_others_still_import(tmp_path):
    write_article(tmp_path, "good.md", MEDICINE + "good")
    bad = tmp_path / "bad.md"
    bad.write_text(article_text(MEDICINE + "bad", id=1).replace("id: 1", "id: one"))

    out, err = run_import(tmp_path, expect_failure=True)

    assert f"refused   {bad}: line 3: field 'id': must be a whole number" in err
    assert "Traceback" not in err + out
    assert "2 files: 1 created, 0 updated, 0 unchanged, 0 conflict, 1 refused" in out
    assert list(Article.objects.values_list("slug", flat=True)) == ["good"]


def test_a_file_without_an_id_or_a_date_is_still_an_article(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "no-id", omit=["id"])
    write_article(tmp_path, "b.md", MEDICINE + "no-date", id=12, omit=["date"])
    write_article(tmp_path, "c.md", MEDICINE + "neither", omit=["id", "date"])

    out, _ = run_import(tmp_path)

    assert "3 files: 3 created, 0 updated, 0 unchanged, 0 conflict, 0 refused" in out
    assert sorted(Article.objects.values_list("slug", "source_id", "date")) == [
        ("neither", None, None),
        ("no-date", 12, None),
        ("no-id", None, datetime.date(2024, 12, 7)),
    ]
    again, _ = run_import(tmp_path)
    assert "3 files: 0 created, 0 updated, 3 unchanged" in again


def test_a_mistyped_date_is_refused_naming_the_field(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text(article_text(MEDICINE + "bad").replace("2024-12-07", "soon"))

    _, err = run_import(tmp_path, expect_failure=True)

    assert (
        f"refused   {bad}: line 4: field 'date': must be a date like 2024-12-07, "
        "not text 'soon'"
    ) in err
    assert not Article.objects.exists()


def test_a_file_without_an_id_never_moves_an_article(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "first-name", omit=["id"])
    write_article(tmp_path, "b.md", MEDICINE + "numbered", id=7)
    run_import(tmp_path)
    for name in ("a.md", "b.md"):
        (tmp_path / name).unlink()
    write_article(tmp_path, "c.md", MEDICINE + "second-name", omit=["id"])
    write_article(tmp_path, "d.md", MEDICINE + "third-name", omit=["id"])

    out, _ = run_import(tmp_path)

    assert "2 files: 2 created, 0 updated" in out
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "first-name",
        "numbered",
        "second-name",
        "third-name",
    ]
    assert not Redirect.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "latin1.md"
    bad.write_bytes(article_text(MEDICINE + "cafe", title="Caf\xe9?").encode("latin-1"))

    _, err = run_import(tmp_path, expect_failure=True)

    assert f"refused   {bad}: line 6: not UTF-8 text" in err
    assert not Article.objects.exists()


def test_two_files_claiming_one_url_are_both_refused_each_naming_the_other(
    tmp_path,
):
    first = write_article(tmp_path, "a.md", MEDICINE + "same", title="First?")
    write_article(tmp_path, "b.md", MEDICINE + "other")
    second = write_article(tmp_path, "c/d.md", MEDICINE + "same", title="Second?")

    out, err = run_import(tmp_path, expect_failure=True)

    for path, other in ((first, second), (second, first)):
        assert (
            f"refused   {path}: its url {MEDICINE}same is also claimed by {other} "
            "in this batch: neither is imported"
        ) in err
    assert "1 created" in out and "2 refused" in out
    assert list(Article.objects.values_list("slug", flat=True)) == ["other"]


def test_twin_urls_are_found_across_chunks_and_however_the_file_quotes_them(
    tmp_path,
):
    from articles.importing.importer import import_files

    write_article(tmp_path, "a.md", MEDICINE + "same")
    write_article(tmp_path, "b.md", MEDICINE + "other")
    quoted = article_text(MEDICINE + "same").replace(
        f"url: {MEDICINE}same", f"url: '{MEDICINE}same'"
    )
    (tmp_path / "c.md").write_text(quoted)

    report = import_files([tmp_path], chunk_size=1, keep_outcomes=True)

    refused = [o.path for o in report.outcomes if o.outcome == "refused"]
    assert refused == [str(tmp_path / "a.md"), str(tmp_path / "c.md")]
    assert not Article.objects.filter(slug="same").exists()


def test_twin_urls_are_found_by_the_parsing_processes_far_apart_in_a_batch(
    tmp_path,
):
    from articles.importing.files import PEEK_CHUNK, urls_claimed_twice

    paths = []
    for number in range(PEEK_CHUNK + 10):
        slug = "same" if number in (3, PEEK_CHUNK + 5) else f"q{number}"
        paths.append(str(write_article(tmp_path, f"{number:05}.md", MEDICINE + slug)))

    twins = urls_claimed_twice(paths, workers=2)

    assert twins == {MEDICINE + "same": [paths[3], paths[PEEK_CHUNK + 5]]}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache")
def test_an_import_has_a_larger_page_cache_on_sqlite_while_it_runs(tmp_path, settings):
    from articles.importing.importer import import_files

    settings.IMPORT_SQLITE_CACHE_MB = 64

    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    write_article(tmp_path, "a.md", MEDICINE + "a")
    during = []

    import_files([tmp_path], on_progress=lambda done: during.append(cache_size()))

    assert during == [-64 * 1024]
    assert cache_size() == before != -64 * 1024
    assert Article.objects.filter(slug="a").exists()


def test_the_same_id_under_two_subjects_makes_two_articles(tmp_path):
    write_article(tmp_path, "m.md", MEDICINE + "shared", id=7)
    write_article(
        tmp_path,
        "h.md",
        "/learn/health-studies/questions/shared",
        id=7,
        subject="Health Studies",
    )

    run_import(tmp_path)

    assert sorted(
        Article.objects.filter(source_id=7).values_list("url", flat=True)
    ) == [
        "/learn/health-studies/questions/shared",
        MEDICINE + "shared",
    ]


def test_two_spellings_of_a_subject_make_one_subject_with_one_name(tmp_path):
    cs = "/learn/computer-science/questions/"
    write_article(tmp_path, "a.md", cs + "a", subject="Computer science")
    write_article(tmp_path, "b.md", cs + "b", subject="Computer Science")

    run_import(tmp_path)

    subject = Subject.objects.get()
    assert (subject.slug, subject.name) == ("computer-science", "Computer Science")
    # Each file keeps its own spelling, for export.
    assert sorted(Article.objects.values_list("subject_name", flat=True)) == [
        "Computer Science",
        "Computer science",
    ]


def test_an_existing_subject_name_is_never_changed_by_an_import(tmp_path):
    Subject.objects.create(slug="medicine", name="Medicine & Health")
    write_article(tmp_path, "a.md", MEDICINE + "a", subject="Medicine")

    run_import(tmp_path)

    assert Subject.objects.get().name == "Medicine & Health"


def test_links_to_articles_not_imported_yet_resolve_when_they_arrive(tmp_path):
    write_article(tmp_path, "first/a.md", MEDICINE + "a", related=[MEDICINE + "b"])
    run_import(tmp_path / "first")
    link = RelatedLink.objects.get()
    assert link.target is None

    write_article(tmp_path, "second/b.md", MEDICINE + "b")
    run_import(tmp_path / "second")

    link.refresh_from_db()
    assert link.target == Article.objects.get(slug="b")


def test_a_file_listing_one_article_twice_keeps_both_entries(tmp_path):
    write_article(
        tmp_path, "a.md", MEDICINE + "a", related=[MEDICINE + "b", MEDICINE + "b"]
    )
    write_article(tmp_path, "b.md", MEDICINE + "b")

    run_import(tmp_path)

    links = Article.objects.get(slug="a").related_links.all()
    assert [(link.position, link.target.slug) for link in links] == [(1, "b"), (2, "b")]


def test_folders_are_searched_recursively_for_md_and_txt_files(tmp_path):
    write_article(tmp_path, "medicine/a.md", MEDICINE + "a")
    write_article(tmp_path, "medicine/deeper/b.txt", MEDICINE + "b")
    (tmp_path / "README.md").write_text("# About this batch\n")
    (tmp_path / "notes.json").write_text("{}")
    write_article(tmp_path, ".hidden/c.md", MEDICINE + "c")

    out, _ = run_import(tmp_path)

    assert "2 files: 2 created" in out
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["a", "b"]


def test_a_path_that_does_not_exist_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="nowhere: no such file or folder"):
        call_command("import_articles", str(tmp_path / "nowhere"), stdout=io.StringIO())


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "a", related=[MEDICINE + "b"])

    out, _ = run_import(tmp_path, "--dry-run", "-v", "2")

    assert f"created   {tmp_path / 'a.md'}" in out
    assert "1 files: 1 created" in out and "dry run: nothing was written" in out
    assert not Article.objects.exists()
    assert not RelatedLink.objects.exists()
    assert not Subject.objects.exists()


def test_strict_makes_a_batch_all_or_nothing(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "a")
    (tmp_path / "b.md").write_text("---\ntitle: no closing line\n")

    out, err = run_import(tmp_path, "--strict", expect_failure=True)

    assert "the front matter is never closed" in err
    assert "strict: the batch was rolled back" in out
    assert not Article.objects.exists()


def test_strict_writes_a_clean_batch(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "a")

    run_import(tmp_path, "--strict")

    assert Article.objects.count() == 1


def edit_in_admin(url, **changes):
    article = Article.objects.get(url=url)
    for name, value in changes.items():
        setattr(article, name, value)
    article.save()


def edited_then_changed_in_the_file(folder) -> tuple[str, Path]:
    """An imported article an editor retitled, whose file then changed its title."""
    url = MEDICINE + "a"
    path = write_article(folder, "a.md", url, title="Original?")
    run_import(folder)
    edit_in_admin(url, title="Edited by an editor?")
    write_article(folder, "a.md", url, title="Changed in the file?")
    return url, path


def test_an_edited_article_is_not_overwritten_by_a_changed_file(tmp_path):
    url, path = edited_then_changed_in_the_file(tmp_path)

    out, err = run_import(tmp_path, expect_failure=True)

    assert f"conflict  {path}: the file changed, and so did the article" in err
    assert "the edit was kept" in err
    assert "--force overwrites them" in err
    assert "1 conflict" in out
    assert Article.objects.get(url=url).title == "Edited by an editor?"


def test_force_overwrites_an_edited_article(tmp_path):
    url, _ = edited_then_changed_in_the_file(tmp_path)

    out, _ = run_import(tmp_path, "--force")

    assert "1 updated" in out
    assert Article.objects.get(url=url).title == "Changed in the file?"


def test_an_unchanged_file_leaves_an_editors_changes_alone(tmp_path):
    url = MEDICINE + "a"
    write_article(tmp_path, "a.md", url, related=[MEDICINE + "b"])
    run_import(tmp_path)
    Article.objects.get(url=url).related_links.all().delete()

    out, _ = run_import(tmp_path)

    assert "1 unchanged" in out
    assert not RelatedLink.objects.exists()


def test_an_edit_that_matches_the_new_file_is_no_conflict(tmp_path):
    url = MEDICINE + "a"
    write_article(tmp_path, "a.md", url, answer="Original.")
    run_import(tmp_path)
    edit_in_admin(url, answer="Fixed.")
    write_article(tmp_path, "a.md", url, answer="Fixed.")

    out, _ = run_import(tmp_path)

    assert "1 updated" in out and "0 conflict" in out


def test_a_chunk_costs_the_same_queries_whatever_its_size(tmp_path):
    from articles.importing.importer import import_files

    def queries_to_import(count, folder):
        # Each batch under a subject of its own, so both create one.
        questions = f"/learn/{folder.name}/questions/q"
        for n in range(count):
            next_one = questions + str((n + 1) % count)
            write_article(folder, f"{n}.md", questions + str(n), related=[next_one])
        ContentType.objects.clear_cache()  # both runs look the types up
        with CaptureQueriesContext(connection) as queries:
            import_files([folder], chunk_size=1000)
        return len(queries)

    # (Up to about 30 rows, where SQLite's limit on parameters splits an INSERT.)
    assert queries_to_import(3, tmp_path / "small") == queries_to_import(
        25, tmp_path / "large"
    )


def test_an_updating_chunk_costs_the_same_queries_whatever_its_size(tmp_path):
    from articles.importing.importer import import_files

    def queries_to_update(count, folder):
        questions = f"/learn/{folder.name}/questions/q"
        for date in ("2024-12-07", "2025-01-31"):
            for n in range(count):
                links = [questions + str((n + k) % count) for k in (1, 2, 3)]
                write_article(
                    folder, f"{n}.md", questions + str(n), related=links, date=date
                )
            ContentType.objects.clear_cache()  # both runs look the types up
            with CaptureQueriesContext(connection) as queries:
                report = import_files([folder], chunk_size=1000)
        assert report.counts["updated"] == count
        return len(queries)

    # No query per article or per link: not for the update, the links' delete
    # and insert, nor the cached pages' retirement.
    assert queries_to_update(3, tmp_path / "small") == queries_to_update(
        25, tmp_path / "large"
    )


def test_a_progress_bar_is_drawn_on_a_terminal(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    shutil.copytree(FIXTURES, tmp_path / "seeds")
    out = Terminal()
    call_command("import_articles", str(tmp_path / "seeds"), stdout=out)

    assert "[##############################] 2/2 files" in out.getvalue()


def test_parsing_in_worker_processes_gives_the_same_outcomes(tmp_path):
    from articles.importing.importer import import_files

    for n in range(6):
        write_article(
            tmp_path, f"{n}.md", MEDICINE + f"q{n}", related=[MEDICINE + "q0"]
        )
    write_article(tmp_path, "6.md", MEDICINE + "q1")  # q1 claimed twice: neither
    (tmp_path / "7.md").write_text("---\nid: [\n---\n")

    def outcomes(**options):
        seen = []
        import_files([tmp_path], chunk_size=2, on_outcome=seen.append, **options)
        return [(o.path, o.outcome, o.message) for o in seen]

    in_this_process = outcomes(workers=1, dry_run=True)
    in_workers = outcomes(workers=2)

    assert in_workers == in_this_process
    assert [outcome for _, outcome, _ in in_workers].count("created") == 5
    assert Article.objects.count() == 5
    assert RelatedLink.objects.filter(target__slug="q0").count() == 5


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    huge = tmp_path / "huge.md"
    huge.write_text(article_text(MEDICINE + "huge", answer="x" * (1024 * 1024)))

    _, err = run_import(tmp_path, expect_failure=True)

    assert f"refused   {huge}: the file is 1,049," in err
    assert "bytes; the limit is 1,048,576" in err
    assert not Article.objects.exists()


def test_it_imports_real_slugs_with_double_hyphens_and_links_to_them(tmp_path, client):
    inverse = MEDICINE + "how-does-an-inverse-relate-to-the-line-y--x"
    write_article(tmp_path, "a.md", inverse)
    write_article(tmp_path, "b.md", MEDICINE + "b", related=[inverse])

    out, _ = run_import(tmp_path)

    assert "2 created" in out
    link = RelatedLink.objects.get(article__url=MEDICINE + "b")
    assert link.target.url == inverse
    assert client.get(inverse).status_code == 200


def imported_under_version_1(folder, name: str) -> Article:
    """Import the file, then give its article the fingerprint that imports before
    fingerprint version 2 kept: a digest of the record's repr()."""
    run_import(folder)
    record = parse_article((folder / name).read_bytes())
    version_1 = hashlib.blake2b(repr(record).encode(), digest_size=16).hexdigest()
    Article.objects.filter(url=record.url).update(import_fingerprint=version_1)
    return Article.objects.get(url=record.url)


def test_a_file_imported_under_fingerprint_version_1_comes_back_unchanged(tmp_path):
    write_article(tmp_path, "a.md", MEDICINE + "a")
    imported_under_version_1(tmp_path, "a.md")

    with CaptureQueriesContext(connection) as queries:
        out, _ = run_import(tmp_path)

    assert "1 unchanged" in out
    assert writes_in(queries) == []


def test_an_edit_since_a_version_1_import_of_an_unchanged_file_is_no_conflict(
    tmp_path,
):
    write_article(tmp_path, "a.md", MEDICINE + "a")
    article = imported_under_version_1(tmp_path, "a.md")
    Article.objects.filter(pk=article.pk).update(title="An editor's title")

    out, _ = run_import(tmp_path)

    assert "1 unchanged" in out and "0 conflict" in out
    assert Article.objects.get(pk=article.pk).title == "An editor's title"


@pytest.mark.parametrize("edited", [False, True])
def test_a_changed_file_after_a_version_1_import_updates_unless_edited(
    tmp_path, edited
):
    write_article(tmp_path, "a.md", MEDICINE + "a")
    article = imported_under_version_1(tmp_path, "a.md")
    if edited:
        Article.objects.filter(pk=article.pk).update(title="An editor's title")
    write_article(tmp_path, "a.md", MEDICINE + "a", answer="A changed answer.")

    out, _ = run_import(tmp_path, expect_failure=edited)

    article.refresh_from_db()
    if edited:
        assert "1 conflict" in out and article.title == "An editor's title"
    else:
        assert "1 updated" in out and article.answer == "A changed answer."
        assert article.import_fingerprint.startswith("2:")
