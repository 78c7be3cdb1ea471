"""The benchmarks' database: a make_corpus batch, imported once, migrated to now.

- SQLite (the default): bench/output/site-<count>.sqlite3;
- PostgreSQL, when DATABASE_URL names a postgres:// server: the database
  `quicktakes_bench` on that server (BENCH_DATABASE names another), created if
  missing (never the one the URL names unless BENCH_DATABASE says so, nor the
  test databases).

It is reused while it holds `count` articles; every use migrates it first, so
a database built before a new migration still matches the code. The search and
page benchmarks share it. As a script, it prints the database's URL:

    .venv/bin/python bench/bench_database.py [--count 100000]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from import_benchmark import (
    DEFAULT_CORPUS_TOOL,
    OUTPUT_DIR,
    PROJECT_ROOT,
    ensure_corpus,
)

# Several people benchmarking on one server each name their own.
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "quicktakes_bench")


def bench_database_url(count: int) -> str:
    """The bench's own database URL; the PostgreSQL database is created if missing."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{OUTPUT_DIR / f'site-{count}.sqlite3'}"
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
        ).fetchone()
        if not found:
            connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DATABASE}"))


def setup_django(database_url: str) -> None:
    """Django in this process, on `database_url`, as in production: DEBUG off."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ["DJANGO_SETTINGS_MODULE"] = "quicktakes.settings"
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()


def ensure_articles(count: int, corpus: Path) -> None:
    """Migrate, and import the corpus unless the database already holds it."""
    from django.core.management import call_command
    from django.db import connection

    from articles.models import Article

    call_command("migrate", verbosity=0)
    found = Article.objects.count()
    if found == count:
        print(f"database: reusing {found:,} articles", file=sys.stderr, flush=True)
        return
    if found:
        raise SystemExit(
            f"the bench database holds {found:,} articles, not {count:,}: "
            f"delete it ({connection.settings_dict['NAME']}) and run again"
        )
    print(f"database: importing {count:,} articles…", file=sys.stderr, flush=True)
    started = time.perf_counter()
    call_command("import_articles", str(corpus), stdout=io.StringIO())
    if connection.vendor == "postgresql":
        # What autovacuum would do soon after: statistics for the planner.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE articles_article")
    seconds = time.perf_counter() - started
    print(f"database: imported in {seconds:.0f} s", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="articles")
    parser.add_argument("--corpus-tool", type=Path, default=DEFAULT_CORPUS_TOOL)
    args = parser.parse_args()
    corpus = ensure_corpus(args.count, args.corpus_tool.resolve())
    url = bench_database_url(args.count)
    setup_django(url)
    ensure_articles(args.count, corpus)
    print(url)


if __name__ == "__main__":
    main()
