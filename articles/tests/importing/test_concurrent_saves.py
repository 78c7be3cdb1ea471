"""An import and an editor at once, on real concurrent connections: a save that
commits while an import runs is never silently overwritten.

PostgreSQL only: there the import and the editor truly run side by side (on
SQLite the write lock serialises them, and CI's SQLite pass has no second
connection to its in-memory test database). CI runs this in its PostgreSQL pass.
"""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection, connections

from articles.importing.importer import import_files
from articles.models import Article, Outcome

from ..factories import write_article

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent write transactions: runs in CI's PostgreSQL pass",
    ),
]

COUNT = 1000
EDITORS = 4
QUESTIONS = "/learn/medicine/questions/q"


def write_batch(folder, title: str) -> None:
    for n in range(COUNT):
        write_article(folder, f"{n:04}.md", f"{QUESTIONS}{n}", title=f"{title} {n}")


class Editor(threading.Thread):
    """Saves its articles one after another, in a connection of its own, until
    told to stop: each save a new title, remembered once it has committed."""

    def __init__(self, ids: list[int]):
        super().__init__()
        self.ids = ids
        self.stop = threading.Event()
        self.saved: dict[int, str] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            turn = 0
            while not self.stop.is_set() and turn < 20 * len(self.ids):
                pk = self.ids[turn % len(self.ids)]
                article = Article.objects.get(pk=pk)
                article.title = f"Edited by an editor, save {turn}"
                article.save()
                self.saved[pk] = article.title
                turn += 1
        except BaseException as error:  # reported by the test, not lost
            self.error = error
        finally:
            connections.close_all()


def test_saves_committed_while_an_import_runs_are_never_silently_overwritten(
    tmp_path,
):
    write_batch(tmp_path, "From the first file")
    import_files([tmp_path], workers=1)
    write_batch(tmp_path, "From the changed file")
    ids = list(Article.objects.values_list("pk", flat=True))
    random.Random(7).shuffle(ids)
    edited = ids[: COUNT * 3 // 4]
    editors = [Editor(edited[n::EDITORS]) for n in range(EDITORS)]

    for editor in editors:
        editor.start()
    try:
        report = import_files([tmp_path], chunk_size=25, workers=1)
    finally:
        for editor in editors:
            editor.stop.set()
            editor.join(timeout=120)

    assert [editor.error for editor in editors] == [None] * EDITORS
    saved = {pk: title for editor in editors for pk, title in editor.saved.items()}
    assert len(saved) > 100, "the editors should have saved during the import"
    titles = dict(Article.objects.filter(pk__in=saved).values_list("pk", "title"))
    lost = {pk for pk, title in saved.items() if titles[pk] != title}
    assert lost == set()
    # The import saw the edits that committed before its chunk: conflicts,
    # each edit kept; the articles no one touched were updated.
    assert report.counts[Outcome.CONFLICT] > 0
    untouched = set(ids) - set(saved)
    untouched_titles = Article.objects.filter(pk__in=untouched).values_list(
        "title", flat=True
    )
    assert all(title.startswith("From the changed file") for title in untouched_titles)
