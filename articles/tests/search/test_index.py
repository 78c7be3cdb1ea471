"""An import indexes its new articles for search a chunk at a time; every
other write is indexed as it happens."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from articles.importing.importer import import_files
from articles.search import search_articles
from articles.search.index import indexing_in_bulk

from ..factories import make_article, write_article

pytestmark = pytest.mark.django_db(transaction=True)


def titles(query: str) -> list[str]:
    return [hit.article.title for hit in search_articles(query).hits]


def import_folder(folder, **options):
    call_command("import_articles", str(folder), stdout=io.StringIO(), **options)


def test_every_article_of_a_batch_larger_than_a_chunk_is_found(tmp_path):
    for n in range(25):
        write_article(
            tmp_path,
            f"q{n}.md",
            f"/learn/medicine/questions/q{n}",
            title=f"Zygote question {n}",
        )

    report = import_files([tmp_path], chunk_size=10, workers=1)

    assert report.counts["created"] == 25

    assert search_articles("zygote").total == 25


def test_after_an_import_articles_saved_elsewhere_are_indexed_again(tmp_path):
    write_article(tmp_path, "a.md", "/learn/medicine/questions/a", title="Zygote")
    import_folder(tmp_path)

    make_article("later", title="Blastocyst later")

    assert titles("blastocyst") == ["Blastocyst later"]


def test_a_dry_run_leaves_nothing_in_the_index(tmp_path):
    write_article(tmp_path, "a.md", "/learn/medicine/questions/a", title="Zygote")

    import_folder(tmp_path, dry_run=True)
    make_article("later", title="Zygote later")

    assert titles("zygote") == ["Zygote later"]


def test_setting_the_trigger_aside_needs_a_transaction():
    if connection.vendor != "sqlite":
        # PostgreSQL's generated columns need no help: nothing to set aside.
        with indexing_in_bulk() as index:
            index([1])
        assert titles("anything") == []
        return
    with pytest.raises(RuntimeError, match="needs a transaction"):
        with indexing_in_bulk():
            pass


def test_articles_inserted_in_bulk_are_found_only_once_indexed():
    make_article("first", title="Zygote first")
    if connection.vendor != "sqlite":
        assert titles("zygote") == ["Zygote first"]
        return
    with transaction.atomic(), indexing_in_bulk() as index:
        article = make_article("second", title="Zygote second")
        assert titles("zygote") == ["Zygote first"]
        index([article.pk])
        assert sorted(titles("zygote")) == ["Zygote first", "Zygote second"]
