"""Benchmark of the public pages under load, in one run against one server.

gunicorn serves the site (DEBUG off, the production middleware, static files
collected) with one extra URL, /bench/trivial/, a Django view that returns "ok"
(bench/trivial_settings.py). wrk, Debian's HTTP load generator, then loads, in
turn, each round:

- the trivial view (the floor of any Django response from this server);
- a static file, served by WhiteNoise;
- article pages at random over every article, the page cache emptied first
  (and, on SQLite, the database's file read once into the OS's file cache:
  `read_database_file`):
  what a reader arriving from a search engine meets (each wrk thread takes its
  own share of a shuffled list of every article, so no page is asked twice);
- warm pages: a rotation over --pages articles, each in the page cache;
- the same warm pages right after one of them is edited (a save in another
  process, as an editor's would be): only the pages that show it are
  rendered again.

The table gives each figure's requests per second and latency, and the shares
the targets speak of: cold random pages / trivial (at least 40 %), warm /
trivial (at least 70 %), warm after the edit / warm before (at least 90 %).

The database is the benchmarks' own (bench/bench_database.py): a make_corpus
batch of --count articles, SQLite by default, `quicktakes_bench` on the
PostgreSQL server DATABASE_URL names. The page cache is Redis, as in
production, at REDIS_URL (default redis://127.0.0.1:6379/15), with --cache
memory each worker's own (not emptied between rounds), and with --cache none
no page is kept, which measures the cost of rendering.

    .venv/bin/python bench/page_benchmark.py [--count 100000] [--cache memory]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from debian_packages import require_command

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
    wrk = require_command("wrk")
    env = server_environment(args)
    print(f"database: {env['DATABASE_URL']}")
    cache = f"Redis {env['REDIS_URL']}" if args.cache == "redis" else args.cache
    print(f"page cache: {cache}")
    every = article_paths(env, None)
    random.Random(12).shuffle(every)
    warm_paths = every[: args.pages]
    edited = warm_paths[len(warm_paths) // 2]
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        warm_script = scratch / "warm.lua"
        warm_script.write_text(rotation_script(warm_paths, args.threads))
        with gunicorn(env, args.workers):
            static_path = static_file_path()
            for number in range(1, args.rounds + 1):
                # Each round its own share of every article, so none repeats.
                share = every[number - 1 :: args.rounds]
                cold_script = scratch / f"cold-{number}.lua"
                cold_script.write_text(rotation_script(share, args.threads))
                row = {"round": number}
                row["trivial"] = run_wrk(wrk, args, "/bench/trivial/")
                row["static"] = run_wrk(wrk, args, static_path)
                empty_page_cache(env, args.cache)
                read_database_file(env)
                row["cold"] = run_wrk(wrk, args, share[0], cold_script)
                # Twice: a page is kept from its second request; each worker's
                # own cache needs more, as requests land on either worker.
                warm(
                    warm_paths, passes=args.workers * 3 if args.cache == "memory" else 2
                )
                row["warm"] = run_wrk(wrk, args, warm_paths[0], warm_script)
                edit(env, edited, number)
                row["edited"] = run_wrk(wrk, args, warm_paths[0], warm_script)
                rows.append(row)
    report(rows, args, edited)


def static_file_path() -> str:
    """The site's style sheet at its hashed name, as the pages link it."""
    home = urllib.request.urlopen(f"http://{ADDRESS}/", timeout=30).read().decode()
    return re.search(r'href="(/static/css/site[^"]*\.css)"', home).group(1)


def empty_page_cache(env: dict[str, str], cache: str) -> None:
    """Empty the shared page cache (Redis; the others start empty or stay),
    and the machine's record of the pages asked for and kept
    (articles/page_cache/asked_pages.py): every page is as never asked."""
    if cache == "redis":
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    in_django(
        env, "from articles.page_cache import forget_asked_pages;forget_asked_pages()"
    )


def read_database_file(env: dict[str, str]) -> None:
    """Read the SQLite database's file through once, so that the operating
    system holds it in its file cache, as a server with the RAM for it would:
    this VM gives idle file pages back within minutes (some 200 MB a minute
    measured here), which made the cold row measure the disk as much as the
    site. The site's own caches stay empty."""
    url = env["DATABASE_URL"]
    if not url.startswith("sqlite:///"):
        return
    path = Path(url.removeprefix("sqlite:///"))
    for name in (path, path.with_name(path.name + "-wal")):
        if name.exists():
            with open(name, "rb") as file:
                while file.read(1 << 20):
                    pass


def edit(env: dict[str, str], path: str, number: int) -> None:
    """Change the title of the article at `path`, as an editor's save would,
    in a process of its own."""
    code = (
        "import re;"
        "from articles.models import Article;"
        f"a = Article.objects.get(url={path!r});"
        "a.title = re.sub(r' [(]edited [0-9]+[)]$', '', a.title)"
        f" + ' (edited {number})';"
        "a.save()"
    )
    in_django(env, code)


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


def article_paths(env: dict[str, str], count: int | None) -> list[str]:
    """The paths of the first `count` published articles by id, or of all."""
    code = (
        "from articles.models import Article;"
        f"print('\\n'.join(Article.objects.published().order_by('id')"
        f".values_list('url', flat=True)[:{count}]))"
    )
    return in_django(env, code).split()


def in_django(env: dict[str, str], code: str) -> str:
    """What `code` prints, run after `django.setup()` in a process of its own
    with the server's environment."""
    result = subprocess.run(
        [str(PYTHON / "python"), "-c", "import django; django.setup();" + code],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return result.stdout


def rotation_script(paths: list[str], threads: int) -> str:
    """A wrk script in which each of its threads requests its own share of
    `paths` in turn (thread k the k-th, then every `threads`-th after it)."""
    listed = ",\n".join(f'  "{path}"' for path in paths)
    return (
        f"local paths = {{\n{listed}\n}}\n"
        "local counter = 0\n"
        "function setup(thread)\n"
        "  thread:set('offset', counter)\n"
        "  counter = counter + 1\n"
        "end\n"
        "local i = -1\n"
        "request = function()\n"
        "  i = i + 1\n"
        f"  local n = (offset + i * {threads}) % #paths + 1\n"
        '  return wrk.format("GET", paths[n])\n'
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


MEASURED = [
    ("trivial", "trivial view"),
    ("static", "static file"),
    ("cold", "article pages at random, empty cache"),
    ("warm", "warm pages"),
    ("edited", "warm pages after one edit"),
]


def report(rows, args: argparse.Namespace, edited: str) -> None:
    print(
        f"\ngunicorn {args.workers} sync workers; wrk -t{args.threads} "
        f"-c{args.connections} -d{args.seconds}s; {args.pages} warm pages rotated; "
        f"the edit: {edited}"
    )
    print(
        "| round | "
        + " | ".join(f"{label} req/s (p50 ms)" for _, label in MEASURED)
        + " |"
    )
    print("| --- " * (len(MEASURED) + 1) + "|")
    for row in rows:
        cells = [
            f"{row[key]['rps']:.0f} ({row[key]['p50']:.2f})" for key, _ in MEASURED
        ]
        print(f"| {row['round']} | " + " | ".join(cells) + " |")
        for key, label in MEASURED:
            if row[key]["errors"]:
                print(f"  {label}: {row[key]['errors']} responses were not 2xx/3xx")
    print()
    shares = [
        ("article pages at random, empty cache / trivial", "cold", "trivial", 0.40),
        ("static file / trivial", "static", "trivial", None),
        ("warm pages / trivial", "warm", "trivial", 0.70),
        ("warm pages after an edit / before", "edited", "warm", 0.90),
    ]
    for label, top, bottom, target in shares:
        ratios = sorted(row[top]["rps"] / row[bottom]["rps"] for row in rows)
        median = ratios[len(ratios) // 2]
        wanted = f" (target at least {target:.0%})" if target else ""
        print(f"median {label}: {median:.0%}{wanted}")


if __name__ == "__main__":
    main()
