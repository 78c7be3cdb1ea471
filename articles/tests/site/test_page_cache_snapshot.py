"""A page rendered while a change commits is never kept as current, on real
concurrent connections: a reader's render is paused after it has read the
article, an editor's save commits meanwhile, and the page kept must not be
served to the next reader.

PostgreSQL only: CI's SQLite pass has no second connection to its in-memory
test database. CI runs this in its PostgreSQL pass.
"""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client

from articles.models import Article

from ..factories import make_article

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs a second connection: runs in CI's PostgreSQL pass",
    ),
]


ARTICLES = Article._meta.db_table


class PausedReader(threading.Thread):
    """Fetches `url` on its own connection, pausing right after the query that
    reads the article, until told to go on."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.has_read = threading.Event()
        self.go_on = threading.Event()
        self.page = ""
        self.paused = False

    def pause_after_the_article(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if ARTICLES in sql and not self.has_read.is_set():
            self.has_read.set()
            self.paused = True
            assert self.go_on.wait(30), "the editor never saved"
        return result

    def run(self):
        try:
            with connection.execute_wrapper(self.pause_after_the_article):
                self.page = Client().get(self.url).content.decode()
        finally:
            self.has_read.set()
            connections.close_all()


ROUNDS = 5


def test_a_page_rendered_while_an_edit_commits_is_not_served_after_it():
    article = make_article("what-is-a-test", title="Title 0")
    for n in range(1, ROUNDS + 1):
        cache.clear()  # so that the reader renders the page, every round
        reader = PausedReader(article.url)
        reader.start()
        assert reader.has_read.wait(30)
        article.title = f"Title {n}"
        article.save()  # commits on this thread's connection
        reader.go_on.set()
        reader.join(30)

        assert reader.paused, "the render never read the article"
        assert f"Title {n - 1}" in reader.page  # rendered from before the edit
        next_page = Client().get(article.url).content.decode()
        assert f"Title {n}" in next_page, n
