"""`manage.py export_articles`: every article back in the seed format, nothing lost."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, RelatedLink, Subject

from ..factories import FIXTURES, SEED_FILES, article_text, write_article

pytestmark = pytest.mark.django_db

QUIRKS = Path(__file__).parents[1] / "data" / "quirks"
SOURCES = [*SEED_FILES, *sorted(QUIRKS.iterdir())]
ALL = len(SOURCES)  # articles the sources make
# Two of the sources' exports, each its subject's only article.
HEALTH = "health-studies/metastatic-liver-cancer-treatments.md"
PHYSICS = "physics/which-forces-and-why.md"


def front_matter_and_body(text: str) -> tuple[dict, str]:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    front, body = text.removeprefix("---\n").split("\n---\n", 1)
    return yaml.safe_load(front), body


def key_orders(data) -> list:
    if isinstance(data, dict):
        return [list(data), *[key_orders(value) for value in data.values()]]
    return []


def export(folder: Path) -> dict[str, str]:
    call_command("export_articles", str(folder), stdout=io.StringIO())
    return {
        str(path.relative_to(folder)): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*.md"))
    }


def import_sources():
    call_command("import_articles", *map(str, SOURCES), stdout=io.StringIO())


def test_an_unedited_article_exports_to_the_same_data_as_its_file(tmp_path):
    import_sources()

    exported = export(tmp_path)

    assert len(exported) == len(SOURCES)
    for source in SOURCES:
        data, body = front_matter_and_body(source.read_text(encoding="utf-8-sig"))
        name = data["url"].removeprefix("/learn/").replace("/questions/", "/") + ".md"
        out_data, out_body = front_matter_and_body(exported[name])
        assert out_data == data, source.name
        assert key_orders(out_data) == key_orders(data), source.name
        assert out_body == body, source.name


def test_the_seed_files_export_byte_for_byte(tmp_path):
    call_command("import_articles", str(FIXTURES), stdout=io.StringIO())

    exported = export(tmp_path)

    originals = sorted(path.read_text() for path in SEED_FILES)
    assert sorted(exported.values()) == originals


def test_export_import_export_gives_identical_files(tmp_path):
    import_sources()
    first = export(tmp_path / "first")
    RelatedLink.objects.all().delete()
    Article.objects.all().delete()
    Subject.objects.all().delete()

    call_command("import_articles", str(tmp_path / "first"), stdout=io.StringIO())
    second = export(tmp_path / "second")

    assert second == first


def test_a_file_without_an_id_or_a_date_exports_without_either(tmp_path):
    url = "/learn/medicine/questions/bare"
    source = write_article(tmp_path / "in", "a.md", url, omit=["id", "date"])
    call_command("import_articles", str(source), stdout=io.StringIO())

    exported = export(tmp_path / "out")["medicine/bare.md"]

    front = exported.split("\n---\n", 1)[0].split("\n")
    assert [line for line in front if line.startswith(("id:", "date:"))] == []
    assert front_matter_and_body(exported) == front_matter_and_body(source.read_text())


def test_an_edit_in_the_admin_is_what_gets_exported(tmp_path):
    call_command("import_articles", str(FIXTURES), stdout=io.StringIO())
    article = Article.objects.get(source_id=97053)
    article.answer = "First line.\n\nSecond line with $x \\neq y$."
    article.save()
    article.related_links.filter(position__gt=1).delete()

    exported = export(tmp_path)

    data, _ = front_matter_and_body(exported["medicine/" + article.slug + ".md"])
    assert data["answer"] == "First line.\\n\\nSecond line with $x \\neq y$."
    assert [key for key in data if key.startswith("related")] == ["related_article1"]


def test_export_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")

    with pytest.raises(CommandError, match="is not empty"):
        call_command("export_articles", str(tmp_path), stdout=io.StringIO())

    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def export_output(folder: Path, *options: str) -> str:
    """What the command prints, refusals and summary; it must succeed."""
    out = io.StringIO()
    call_command("export_articles", str(folder), *options, stdout=out, stderr=out)
    return out.getvalue()


def refused_export_output(folder: Path, *options: str) -> str:
    """What the command prints when it refuses a path (exit status 1)."""
    out = io.StringIO()
    with pytest.raises(CommandError, match="refused and left alone") as refusal:
        call_command("export_articles", str(folder), *options, stdout=out, stderr=out)
    assert refusal.value.returncode == 1
    return out.getvalue()


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_export_says_how_many_files_are_new_changed_and_unchanged(tmp_path):
    import_sources()
    assert export_output(tmp_path / "out") == (
        f"{ALL} articles written to {tmp_path / 'out'} "
        f"({ALL} new, 0 changed, 0 unchanged)\n"
    )
    article = Article.objects.get(url__endswith="/which-forces-and-why")
    article.title = "Which forces, and why?"
    article.save()
    (tmp_path / "out" / HEALTH).unlink()

    output = export_output(tmp_path / "out", "--overwrite")

    assert output == (
        f"{ALL} articles written to {tmp_path / 'out'} "
        f"(1 new, 1 changed, {ALL - 2} unchanged)\n"
    )
    assert "Which forces, and why?" in (tmp_path / "out" / PHYSICS).read_text()
    assert (tmp_path / "out" / HEALTH).is_file()


def test_a_second_export_of_an_unchanged_database_writes_nothing(tmp_path):
    import_sources()
    export(tmp_path)
    long_ago = 946_684_800  # 2000-01-01: any write would move it
    for path in tmp_path.rglob("*.md"):
        os.utime(path, (long_ago, long_ago))
    before = {path: path.stat() for path in tmp_path.rglob("*")}

    output = export_output(tmp_path, "--overwrite")

    assert f"(0 new, 0 changed, {ALL} unchanged)" in output
    after = {path: path.stat() for path in tmp_path.rglob("*")}
    assert after.keys() == before.keys()
    for path, status in after.items():
        assert status.st_ino == before[path].st_ino, path
        assert status.st_mtime == before[path].st_mtime, path


def test_overwrite_replaces_a_symlinked_file_never_its_target(tmp_path):
    import_sources()
    export(tmp_path / "out")
    target = tmp_path / "precious.md"
    target.write_text("not an export's to overwrite")
    link = tmp_path / "out" / HEALTH
    link.unlink()
    link.symlink_to(target)

    output = refused_export_output(tmp_path / "out", "--overwrite")

    assert f"Refused: {link} is a symbolic link (not followed)\n" in output
    assert f"{ALL - 1} articles written" in output
    assert "1 article skipped (refused paths)" in output
    assert target.read_text() == "not an export's to overwrite"
    assert link.is_symlink() and link.readlink() == target


def test_overwrite_never_writes_into_a_symlinked_subject_folder(tmp_path):
    import_sources()
    export(tmp_path / "out")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "which-forces-and-why.md").write_text("someone else's")
    subject = tmp_path / "out" / "physics"
    shutil.rmtree(subject)
    subject.symlink_to(elsewhere, target_is_directory=True)

    output = refused_export_output(tmp_path / "out", "--overwrite")

    assert f"Refused: {subject} is a symbolic link (not followed)\n" in output
    assert f"{ALL - 1} articles written" in output
    assert files_under(elsewhere) == ["which-forces-and-why.md"]
    assert (elsewhere / "which-forces-and-why.md").read_text() == "someone else's"
    assert subject.is_symlink()


def test_a_file_where_a_subject_folder_belongs_is_refused_not_replaced(tmp_path):
    import_sources()
    (tmp_path / "physics").write_text("a file, not a folder")

    output = refused_export_output(tmp_path, "--overwrite")

    assert f"Refused: {tmp_path / 'physics'} is not a folder\n" in output
    assert (tmp_path / "physics").read_text() == "a file, not a folder"
    assert f"{ALL - 1} articles written" in output


def test_out_dir_may_itself_be_a_link_to_a_folder(tmp_path):
    import_sources()
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)

    output = export_output(tmp_path / "link")

    assert f"{ALL} articles written" in output
    assert (tmp_path / "link").is_symlink()
    assert (real / PHYSICS).is_file()


def test_prune_removes_the_files_of_deleted_articles_and_nothing_else(tmp_path):
    import_sources()
    export(tmp_path)
    unrelated = {
        "README.md": "# The content repository",
        "medicine/README.md": "# Medicine",
        "medicine/notes.md": "an editor's notes, not an article",
        "medicine/draft.txt": "a draft",
        "drafts/which-forces-and-why.md": (tmp_path / PHYSICS).read_text(),
    }
    for name, text in unrelated.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    before = files_under(tmp_path)
    Article.objects.get(url__endswith="/which-forces-and-why").delete()

    output = export_output(tmp_path, "--prune")

    assert output == (
        f"{ALL - 1} articles written to {tmp_path} "
        f"(0 new, 0 changed, {ALL - 1} unchanged); "
        "1 file of deleted articles removed\n"
    )
    # physics/ held only the deleted article's file, so it goes too.
    assert files_under(tmp_path) == [
        name for name in before if name not in ("physics", PHYSICS)
    ]
    for name, text in unrelated.items():
        assert (tmp_path / name).read_text() == text, name


def test_prune_leaves_links_and_what_they_point_at_alone(tmp_path):
    import_sources()
    export(tmp_path / "out")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "health.md").write_text((tmp_path / "out" / HEALTH).read_text())
    chemistry_url = "/learn/chemistry/questions/what-is-a-bond"
    (outside / "what-is-a-bond.md").write_text(article_text(chemistry_url))
    (tmp_path / "out" / HEALTH).unlink()
    (tmp_path / "out" / HEALTH).symlink_to(outside / "health.md")
    (tmp_path / "out" / "chemistry").symlink_to(outside, target_is_directory=True)
    Article.objects.get(url__endswith="/metastatic-liver-cancer-treatments").delete()

    output = export_output(tmp_path / "out", "--prune")

    assert f"{ALL - 1} articles written" in output
    assert "0 files of deleted articles removed" in output
    assert (tmp_path / "out" / HEALTH).is_symlink()
    assert (tmp_path / "out" / "chemistry").is_symlink()
    assert files_under(outside) == ["health.md", "what-is-a-bond.md"]
