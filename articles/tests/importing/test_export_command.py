"""`manage.py export_articles`: every article back in the seed format, nothing lost."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, RelatedLink, Subject

from ..factories import FIXTURES, SEED_FILES, write_article

pytestmark = pytest.mark.django_db

QUIRKS = Path(__file__).parents[1] / "data" / "quirks"
SOURCES = [*SEED_FILES, *sorted(QUIRKS.iterdir())]


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
