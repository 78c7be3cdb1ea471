"""Two editors saving the same version of an article at the same moment, on
real concurrent connections: exactly one save wins, the other is refused as
stale with its editor's text kept, never both.

PostgreSQL only, as tests/importing/test_concurrent_saves.py: on SQLite the
write lock serialises the two requests before either reads anything, and
CI's SQLite pass has no second connection to its in-memory test database.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client

from articles.models import Article

from ..factories import make_article
from ..submitted_form import submitted_form

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent write transactions: runs in CI's PostgreSQL pass",
    ),
]

ROUNDS = 12


class Save(threading.Thread):
    """One editor's POST of an opened form, started with the other's."""

    def __init__(self, client: Client, url: str, data: dict, start: threading.Barrier):
        super().__init__()
        self.client, self.url, self.data, self.start_together = client, url, data, start
        self.status: int | None = None
        self.text = ""
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.start_together.wait(timeout=30)
            response = self.client.post(self.url, self.data)
            self.status, self.text = response.status_code, response.content.decode()
        except BaseException as error:  # reported by the test, not lost
            self.error = error
        finally:
            connections.close_all()


def test_two_saves_of_one_version_at_once_never_both_win():
    article = make_article("q", title="The first title")
    url = f"/admin/articles/article/{article.pk}/change/"
    # Superusers: a transactional test before this one may have emptied the
    # roles the migrations made.
    editors = {name: Client() for name in ("edna", "bob")}
    for name, client in editors.items():
        client.force_login(User.objects.create_superuser(name, f"{name}@example.com"))

    for round_ in range(ROUNDS):
        version = Article.objects.get(pk=article.pk).version
        forms = {name: submitted_form(c.get(url).text) for name, c in editors.items()}
        start = threading.Barrier(2)
        saves = {
            name: Save(c, url, {**forms[name], "title": [f"{name} {round_}"]}, start)
            for name, c in editors.items()
        }
        for save in saves.values():
            save.start()
        for save in saves.values():
            save.join(timeout=60)

        assert [save.error for save in saves.values()] == [None, None]
        won = [name for name, save in saves.items() if save.status == 302]
        refused = [name for name, save in saves.items() if save.status == 200]
        assert len(won) == 1 and len(refused) == 1, (round_, won, refused)
        assert "your changes were not saved" in saves[refused[0]].text
        assert f'value="{refused[0]} {round_}"' in saves[refused[0]].text  # kept
        saved = Article.objects.get(pk=article.pk)
        assert saved.title == f"{won[0]} {round_}"
        assert saved.version == version + 1
