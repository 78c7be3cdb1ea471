"""Benchmark of full-text search on a 100,000-article database.

The database is the benchmarks' own (bench/bench_database.py): a make_corpus
batch of --count articles, SQLite by default, `quicktakes_bench` on the
PostgreSQL server DATABASE_URL names. Then each kind of query of a realistic
mix (a common word, a rare word, two or three words, a quoted phrase, a
subject filter, page 2, no hit, a misspelt word that gets a "Did you mean",
a last word typed in part) runs --repeat times per query, timed twice:
`search_articles()` alone, and a full GET of the search page through Django's
test Client, with DEBUG off and no page cache; the suggestions the search box
asks for as the reader types are timed the same way, GET /search/suggest/. It
prints the median and 95th percentile per kind, in milliseconds, and the
matches each query has (with the spelling suggested, if any).

    .venv/bin/python bench/search_benchmark.py [--count 100000] [--repeat 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/search_benchmark.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench_database import bench_database_url, ensure_articles, setup_django
from import_benchmark import (
    DEFAULT_CORPUS_TOOL,
    ensure_corpus,
)

TARGET_MS = 50

# kind -> queries: (text, subject slug or None, page)
MIX: dict[str, list[tuple[str, str | None, int]]] = {
    "common word": [("cell", None, 1), ("protein", None, 1), ("therapy", None, 1)],
    "rare word": [("python", None, 1), ("nabla", None, 1), ("mathbb", None, 1)],
    "two or three words": [
        ("insulin resistance", None, 1),
        ("chronic cell stress", None, 1),
        ("metabolic protein synthesis", None, 1),
    ],
    "quoted phrase": [
        ('"acute inflammation"', None, 1),
        ('"protein synthesis"', None, 1),
        ('"chronic stress"', None, 1),
    ],
    "subject filter": [
        ("cell", "medicine", 1),
        ("protein", "biology", 1),
        ("market", "economics", 1),
    ],
    "page 2": [
        ("cell", None, 2),
        ("protein", None, 2),
        ("insulin resistance", None, 2),
    ],
    "no hit": [("zyxwvu", None, 1), ("qwertyuiop", None, 1), ("cell zyxwvu", None, 1)],
    # make_corpus's words: inflammation, carcinoma, thermodynamics.
    "misspelt": [
        ("inflammaton", None, 1),
        ("carcinomma metastasis", None, 1),
        ("thermodinamics", None, 1),
    ],
    # cardiac, metabolic / metabolism, pharmacokinetics.
    "last word in part": [
        ("cardi", None, 1),
        ("chronic metab", None, 1),
        ("pharmacok", None, 1),
    ],
}
# What the search box sends as the reader types: GET /search/suggest/.
AS_YOU_TYPE = ["car", "acute inflam", "inflammaton"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="articles")
    parser.add_argument(
        "--repeat", type=int, default=30, help="timed runs of each query"
    )
    parser.add_argument(
        "--corpus-tool",
        type=Path,
        default=DEFAULT_CORPUS_TOOL,
        help="the corpus generator (default: %(default)s)",
    )
    return parser.parse_args(argv)


def setup_search_django(database_url: str) -> None:
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Measure the search itself, not the page cache: nothing is kept for 0 s.
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    setup_django(database_url)


def timings(run: Callable[[], object], repeat: int) -> list[float]:
    run()  # warm: the first run pays for cold pages and caches
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def measure(repeat: int) -> list[tuple[str, list[str], list[float], list[float]]]:
    """For each kind: the queries' match counts, and the two sets of samples."""
    from django.test import Client

    from articles import views
    from articles.models import Subject

    page_size = views.PAGE_SIZE

    client = Client()
    rows = []
    for kind, queries in MIX.items():
        counts, direct, page = [], [], []
        for text, slug, number in queries:
            subject = Subject.objects.get(slug=slug) if slug else None
            params = {"q": text, "page": number, "subject": slug or ""}
            offset = (number - 1) * page_size
            count, run = _searching(text, subject, offset, page_size)
            counts.append(count)
            direct += timings(run, repeat)
            page += timings(_getting(client, "/search/", params), repeat)
        rows.append((kind, counts, direct, page))
    if not hasattr(views, "search_suggestions"):
        return rows  # a version before the search box's suggestions
    counts, direct, page = [], [], []
    for text in AS_YOU_TYPE:
        count, run = _searching(text, None, 0, views.SUGGESTION_COUNT)
        counts.append(count)
        direct += timings(run, repeat)
        page += timings(_getting(client, "/search/suggest/", {"q": text}), repeat)
    rows.append(("as you type (suggest)", counts, direct, page))
    return rows


def _searching(text, subject, offset, limit) -> tuple[str, Callable[[], object]]:
    """What the search finds (a count; the spelling it suggests), and a run."""
    from articles.search import search_articles

    def run():
        return search_articles(text, subject=subject, offset=offset, limit=limit)

    results = run()
    count = f"{results.total}{'+' if results.more else ''}"
    # (getattr: a version before "Did you mean" has no suggestion.)
    if suggestion := getattr(results, "suggestion", None):
        count += f" ({suggestion})"
    return count, run


def _getting(client, path: str, params: dict) -> Callable[[], object]:
    def get():
        response = client.get(path, params)
        assert response.status_code == 200, response.status_code
        return response

    return get


def print_table(rows) -> None:
    header = f"{'kind':<22} {'matches':<44} {'search_articles() ms':>22} {'GET ms':>18}"
    print("\n" + header)
    print(f"{'':<22} {'':<44} {'median':>11} {'p95':>10} {'median':>9} {'p95':>8}")
    print("-" * len(header))
    missed = []
    for kind, counts, direct, page in rows:
        print(
            f"{kind:<22} {' / '.join(counts):<44} "
            f"{statistics.median(direct):>11.1f} {p95(direct):>10.1f} "
            f"{statistics.median(page):>9.1f} {p95(page):>8.1f}"
        )
        if statistics.median(page) >= TARGET_MS:
            missed.append(kind)
    verdict = ", ".join(missed) if missed else "none"
    print(f"\nkinds whose page median misses {TARGET_MS} ms: {verdict}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    corpus = ensure_corpus(args.count, args.corpus_tool.resolve())
    setup_search_django(bench_database_url(args.count))
    from django.db import connection

    ensure_articles(args.count, corpus)
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}, "
        f"{args.repeat} runs of each of the 3 queries per kind",
        flush=True,
    )
    print_table(measure(args.repeat))


if __name__ == "__main__":
    main()
