"""The database connection is set up as the site needs it: SQLite in WAL mode
(pages keep answering while an import writes) with writes that take the lock
up front; PostgreSQL without JIT compilation (slower than the queries it
would speed up)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def setting(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return str(cursor.fetchone()[0]).lower()


def test_the_connection_has_the_sites_settings():
    if connection.vendor == "sqlite":
        # The test database is in memory, which has no WAL: the file's mode is
        # what the connection asked for, seen in the settings it was given.
        assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]
        assert setting("PRAGMA synchronous") == "1"  # NORMAL
        assert connection.transaction_mode == "IMMEDIATE"
    else:
        assert setting("SHOW jit") == "off"
