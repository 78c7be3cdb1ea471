"""Benchmark of the editors' admin pages on a 100,000-article database.

The database is the benchmarks' own (bench/bench_database.py). An editor of
the "Editors" group is made if missing; then each page is fetched --repeat
times through Django's test Client, logged in as the editor, with DEBUG off:
the article change list (first page, a title search, a subject filter, a late
page), the change form of an article with five related links, the
related-article autocomplete (a common word, a rare one), an article's
history, and the three worklists. It prints the median and 95th percentile in
milliseconds and the queries each page ran (on a warm second fetch).

    .venv/bin/python bench/admin_benchmark.py [--count 100000] [--repeat 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/admin_benchmark.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from bench_database import bench_database_url, ensure_articles, setup_django
from import_benchmark import DEFAULT_CORPUS_TOOL, ensure_corpus

CHANGELIST = "/admin/articles/article/"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="articles")
    parser.add_argument("--repeat", type=int, default=20, help="fetches per page")
    parser.add_argument("--corpus-tool", type=Path, default=DEFAULT_CORPUS_TOOL)
    return parser.parse_args(argv)


def editor_client():
    """A test Client logged in as a member of "Editors"."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user, _ = User.objects.get_or_create(username="bench-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


def pages() -> list[tuple[str, str, dict]]:
    """(what, path, query) for each page measured, on real rows of the database."""
    from django.db.models import Count
    from django.urls import reverse

    from articles.models import Article, Subject

    linked = (
        Article.objects.annotate(links=Count("related_links"))
        .filter(links=5)
        .order_by("pk")
        .first()
    )
    subject = Subject.objects.order_by("pk").first()
    widget = {"app_label": "articles", "model_name": "relatedlink"}
    autocomplete = f"{CHANGELIST}related-autocomplete/"
    measured = [
        ("change list, first page", CHANGELIST, {}),
        ("change list, title search", CHANGELIST, {"q": "insulin"}),
        ("change list, subject filter", CHANGELIST, {"subject__id__exact": subject.pk}),
        ("change list, page 400", CHANGELIST, {"p": "400"}),
        ("change form, 5 links", f"{CHANGELIST}{linked.pk}/change/", {}),
        (
            "autocomplete, common word",
            autocomplete,
            {**widget, "field_name": "target", "term": "cell"},
        ),
        (
            "autocomplete, rare word",
            autocomplete,
            {**widget, "field_name": "target", "term": "nabla"},
        ),
        ("history", f"{CHANGELIST}{linked.pk}/history/", {}),
    ]
    few = (
        Article.objects.annotate(links=Count("related_links"))
        .filter(links__lt=5)
        .order_by("pk")
        .first()
    )
    worklist = "admin:articles_article_worklist_"
    measured += [
        ("worklist, missing articles", reverse(f"{worklist}dangling"), {}),
        ("worklist, fewer than 5 links", reverse(f"{worklist}few_links"), {}),
        ("worklist, suggestions", reverse(f"{worklist}suggestions", args=[few.pk]), {}),
    ]
    return measured


class QueryCounter:
    """A database execute wrapper noting each statement in `queries`. (Not
    CaptureQueriesContext: Django empties the query log as each request
    starts, which counts nothing outside a test run.)"""

    def __init__(self, queries: list[str]):
        self.queries = queries

    def __call__(self, execute, sql, params, many, context):
        self.queries.append(sql)
        return execute(sql, params, many, context)


def measure(repeat: int) -> list[tuple[str, int, int, list[float]]]:
    from django.db import connection

    client = editor_client()
    rows = []
    for what, path, query in pages():
        # Counted on a second fetch, once the per-process caches (content
        # types) are full, as in articles/tests/test_admin_at_scale.py.
        client.get(path, query)
        queries = []
        with connection.execute_wrapper(QueryCounter(queries)):
            response = client.get(path, query)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path, query)
            samples.append((time.perf_counter() - started) * 1000)
        rows.append((what, response.status_code, len(queries), samples))
    return rows


def print_table(rows) -> None:
    print(f"{'page':<30} {'status':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
    for what, status, queries, samples in rows:
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        median = statistics.median(samples)
        print(f"{what:<30} {status:>6} {queries:>7} {median:>10.1f} {p95:>8.1f}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    corpus = ensure_corpus(args.count, args.corpus_tool.resolve())
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    url = bench_database_url(args.count)
    setup_django(url)
    ensure_articles(args.count, corpus)
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    print(f"{connection.vendor}, {args.count:,} articles, {args.repeat} fetches")
    print_table(measure(args.repeat))


if __name__ == "__main__":
    main()
