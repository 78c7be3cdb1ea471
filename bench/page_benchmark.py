"""Benchmark of the public pages under load: article pages against a trivial view.

gunicorn serves the site (DEBUG off, the production middleware, static files
collected) with one extra URL, /bench/trivial/, a Django view that returns "ok"
(bench/trivial_settings.py). wrk, Debian's HTTP load generator, then loads, in one
run against the same server: the trivial view, and article pages (a rotation
over --pages different articles, each served from the page cache once warm).
The two alternate --rounds times; the table gives each round's requests per
second and latency, and the article pages' share of the trivial view's
throughput (the target is at least 70 %).

The database is the benchmarks' own (bench/bench_database.py): a make_corpus
batch of --count articles, SQLite by default, `quicktakes_bench` on the
PostgreSQL server DATABASE_URL names. The page cache is Redis, as in
production, at REDIS_URL (default redis://127.0.0.1:6379/15), with --cache
memory each worker's own, and with --cache none no page is kept, which
measures the cost of rendering.

    .venv/bin/python bench/page_benchmark.py [--count 100000] [--cache memory]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
PYTHON = PROJECT_ROOT / ".venv" / "bin"
ADDRESS = "127.0.0.1:8765"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="articles")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--seconds", type=int, default=10, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", type=int, default=500, help="articles rotated")
    parser.add_argument(
        "--cache",
        choices=["redis", "memory", "none"],
        default="redis",
        help="the page cache: Redis, shared by the workers, as in production "
        "(default), each worker's own memory, or none (every page rendered)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    wrk = require_wrk()
    env = server_environment(args)
    print(f"database: {env['DATABASE_URL']}")
    cache = f"Redis {env['REDIS_URL']}" if args.cache == "redis" else args.cache
    print(f"page cache: {cache}")
    urls = article_paths(env, args.pages)
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "rotate.lua"
        script.write_text(rotation_script(urls))
        with gunicorn(env, args.workers):
            warm(
                urls, passes={"redis": 1, "memory": 3 * args.workers}.get(args.cache, 0)
            )
            rows = []
            for round_number in range(1, args.rounds + 1):
                trivial = run_wrk(wrk, args, "/bench/trivial/")
                article = run_wrk(wrk, args, urls[0], script)
                rows.append((round_number, trivial, article))
    report(rows, args)


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
        return shutil.which("wrk") or sys.exit("wrk did not install")
    sys.exit("wrk is missing: apt-get install wrk (Debian's package)")


def server_environment(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-secret-key"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="bench.trivial_settings",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    if args.cache == "none":
        env["PAGE_CACHE_SECONDS"] = "0"  # Django's cache keeps nothing for 0 s
    if args.cache == "redis":
        env["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    env["DATABASE_URL"] = bench_database(args.count)
    manage(env, "collectstatic", "--no-input", "-v0")
    return env


def bench_database(count: int) -> str:
    """The URL of the benchmarks' database, made or migrated as needed."""
    result = subprocess.run(
        [
            str(PYTHON / "python"),
            str(BENCH_DIR / "bench_database.py"),
            f"--count={count}",
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return result.stdout.split()[-1]


def manage(env: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [str(PYTHON / "python"), "manage.py", *arguments],
        cwd=PROJECT_ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "quicktakes.settings"},
        check=True,
    )


def article_paths(env: dict[str, str], count: int) -> list[str]:
    code = (
        "import django; django.setup();"
        "from articles.models import Article;"
        f"print('\\n'.join(Article.objects.published().order_by('id')"
        f".values_list('url', flat=True)[:{count}]))"
    )
    result = subprocess.run(
        [str(PYTHON / "python"), "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.split()


def rotation_script(paths: list[str]) -> str:
    """A wrk script that requests the given paths in turn."""
    listed = ",\n".join(f'  "{path}"' for path in paths)
    return (
        f"local paths = {{\n{listed}\n}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\n'
        "end\n"
    )


class gunicorn:
    """gunicorn serving the site on ADDRESS while the block runs."""

    def __init__(self, env: dict[str, str], workers: int):
        self.env = env
        self.workers = workers

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                str(PYTHON / "gunicorn"),
                "quicktakes.wsgi:application",
                "--bind",
                ADDRESS,
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=PROJECT_ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://{ADDRESS}/bench/trivial/", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        self.process.kill()
        sys.exit("gunicorn did not start")

    def __exit__(self, *exc_info):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def warm(paths: list[str], passes: int) -> None:
    """Request every rotated page `passes` times, so that the measurement sees
    the steady state: every page in the cache of whichever worker answers."""
    for _ in range(passes):
        for path in paths:
            urllib.request.urlopen(f"http://{ADDRESS}{path}", timeout=30).read()


def run_wrk(wrk, args, path: str, script: Path | None = None) -> dict[str, float]:
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.seconds}s",
        "--latency",
    ]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, f"http://{ADDRESS}{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> dict[str, float]:
    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def report(rows, args: argparse.Namespace) -> None:
    print(
        f"\ngunicorn {args.workers} sync workers; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.seconds}s; {args.pages} article pages rotated"
    )
    print(
        "| round | trivial view req/s | p50 ms | article pages req/s | p50 ms "
        "| p99 ms | article / trivial |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    ratios = []
    for number, trivial, article in rows:
        ratio = article["rps"] / trivial["rps"]
        ratios.append(ratio)
        print(
            f"| {number} | {trivial['rps']:.0f} | {trivial['p50']:.2f} "
            f"| {article['rps']:.0f} | {article['p50']:.2f} | {article['p99']:.2f} "
            f"| {ratio:.0%} |"
        )
        for name, run in (("trivial", trivial), ("article", article)):
            if run["errors"]:
                print(f"  {name}: {run['errors']} responses were not 2xx/3xx")
    ratios.sort()
    print(f"\nmedian article / trivial: {ratios[len(ratios) // 2]:.0%} (target 70 %)")


if __name__ == "__main__":
    main()
