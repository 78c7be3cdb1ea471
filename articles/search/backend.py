"""The one small interface each database's search backend gives the policy.

`policy.py` decides what to search and in what order; a backend says how its
database does it, one query or one SQL expression per method, values as
parameters. `sqlite.py` (FTS5) and `postgres.py` (tsvector) are the two.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from django.db import connection

from .postgres import PostgresSearch
from .sqlite import SQLiteSearch
from .terms import Term


class SearchBackend(Protocol):
    """Search in one database. `terms` come from `terms.parse_query`; every
    term must match. `subject_id` None searches every subject."""

    def planning(self) -> AbstractContextManager:
        """A context the policy runs its queries in (planner settings)."""

    def prepare(self, terms: list[Term]) -> list[Term]:
        """The terms as this database can match them (a stop word drops out)."""

    def matching(self, terms, subject_id, title_only) -> tuple[str, list]:
        """SQL and parameters selecting one row per match, for counting."""

    def ranked(self, terms, subject_id, title_only, offset, limit) -> list[int]:
        """The ids of a page of matches, best first. One query."""

    def newest(self, terms, subject_id, skip_title_matches, offset, limit):
        """The ids of a page of matches, newest first. One query."""

    def similar(self, words, rarest, subject_id, limit, among) -> list[int]:
        """Ids of articles like a text of `words`, `rarest` in the title. One query."""

    def snippet(self, terms) -> tuple[str, list]:
        """An SQL expression on articles_article: the answer's best passage."""

    def known_words(self, words: list[str]) -> set[str]:
        """Those of `words` (lower case) some published article holds. One query."""

    def close_words(self, word: str) -> list[tuple[str, int]]:
        """Words of the index spelt like `word`, as written (lower case), with
        how many articles hold each (0: not counted), closest first; some may
        be no published article's any more (known_words tells). One or two
        queries."""


def current_backend() -> SearchBackend:
    """The backend for the default database's engine."""
    if connection.vendor == "sqlite":
        return SQLiteSearch
    if connection.vendor == "postgresql":
        return PostgresSearch
    raise NotImplementedError(f"search needs SQLite or PostgreSQL: {connection.vendor}")
