"""Benchmark of one article page's render, in this process, without the cache.

Times the article view itself (`articles.views.article_detail`: its queries
and its template, no middleware, no page cache) through Django's
RequestFactory over --pages articles of the benchmarks' database
(bench/bench_database.py: a make_corpus batch of --count articles), each page
--repeat times, after one warm-up pass. Prints the median and the 95th
percentile per page, and the queries one page makes.

    .venv/bin/python bench/article_render_benchmark.py [--count 10000] [--pages 300]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench_database import bench_database_url, ensure_articles, setup_django
from import_benchmark import DEFAULT_CORPUS_TOOL, ensure_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="articles")
    parser.add_argument("--pages", type=int, default=300, help="articles timed")
    parser.add_argument("--repeat", type=int, default=3, help="renders of each")
    args = parser.parse_args()
    corpus = ensure_corpus(args.count, DEFAULT_CORPUS_TOOL.resolve())
    setup_django(bench_database_url(args.count))
    ensure_articles(args.count, corpus)

    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article
    from articles.views import article_detail

    urls = list(
        Article.objects.published().order_by("pk").values_list("url", flat=True)
    )
    step = max(1, len(urls) // args.pages)
    urls = urls[::step][: args.pages]
    factory = RequestFactory()

    def render(url: str) -> float:
        _, _, subject, _, slug = url.split("/")
        request = factory.get(url)
        started = time.perf_counter()
        response = article_detail(request, subject_slug=subject, slug=slug)
        seconds = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        return seconds

    for url in urls:  # warm-up: templates compiled, connections open
        render(url)
    with CaptureQueriesContext(connection) as queries:
        render(urls[0])
    times = sorted(render(url) for url in urls for _ in range(args.repeat))
    median = statistics.median(times) * 1000
    p95 = times[int(len(times) * 0.95)] * 1000
    print(
        f"article page, {len(urls)} articles x {args.repeat}: median {median:.2f} ms, "
        f"p95 {p95:.2f} ms, {len(queries)} queries a page"
    )


if __name__ == "__main__":
    main()
