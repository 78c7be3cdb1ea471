"""Benchmark of `manage.py build_site` beside Hugo building the same files.

The database is the benchmarks' own (bench/bench_database.py): a make_corpus
batch of --count articles imported into SQLite (`quicktakes_bench` on the
PostgreSQL server DATABASE_URL names). The bench times, each as its own
process, with its peak memory (the RSS of the process and its children
together, sampled every 50 ms):

- build_site's first build into an empty folder (with each --workers given);
- a second build, nothing changed: it must write no file;
- a build after one article's title is edited: it must write only the pages
  that show the article (the bench lists them), then the title is put back;
- Hugo (Debian's `hugo` package, installed when missing and root) building
  a site the bench makes from the same files: each article file is Hugo
  content as it is (its YAML front matter gives the URL), under a section
  per subject, with minimal layouts for an article, a subject's listing (20
  a page), the home page, the feeds, the sitemap and the 404 page; then its
  second build, which Hugo does whole again.

    .venv/bin/python bench/build_site_benchmark.py [--count 100000] [--workers 1 2]

The machine may be shared: run it a few times and take the medians.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench_database import bench_database_url
from debian_packages import require_command
from import_benchmark import (
    DEFAULT_CORPUS_TOOL,
    OUTPUT_DIR,
    PROJECT_ROOT,
    ensure_corpus,
)

PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"
BASE_URL = "https://learn.example.org"
URL_LINE = re.compile(rb"^url: (/learn/([a-z0-9-]+)/questions/(\S+))\s*$", re.M)
EDITED_TITLE = "A title edited by the build benchmark"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="articles")
    parser.add_argument("--corpus-tool", type=Path, default=DEFAULT_CORPUS_TOOL)
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        default=[2],
        help="build_site --workers for the first build (each timed)",
    )
    parser.add_argument("--no-hugo", action="store_true", help="leave Hugo out")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    corpus = ensure_corpus(args.count, args.corpus_tool.resolve())
    env = environment(args.count)
    print(f"database: {env['DATABASE_URL']}", flush=True)
    manage(env, "collectstatic", "--no-input", "-v0")
    out = OUTPUT_DIR / f"built-{args.count}"
    rows = []
    for workers in args.workers:
        shutil.rmtree(out, ignore_errors=True)
        run = measure(build_command(out, workers), env)
        rows.append((f"build_site, first build, {workers} worker(s)", run))
    rows.append(
        ("build_site, second build, no change", measure(build_command(out), env))
    )
    url, old_title = set_title(env, None, EDITED_TITLE)
    try:
        edited = measure(build_command(out, verbose=True), env)
    finally:
        set_title(env, url, old_title)
    rows.append((f"build_site, after one edit ({url})", edited))
    written = [
        line[len("Wrote ") :] for line in edited.output if line.startswith("Wrote ")
    ]
    if not args.no_hugo:
        hugo = require_command("hugo")
        site = make_hugo_site(corpus, OUTPUT_DIR / f"hugo-{args.count}")
        public = site / "public"
        shutil.rmtree(public, ignore_errors=True)
        rows.append(("Hugo, first build", measure(hugo_command(hugo, site), env)))
        rows.append(("Hugo, second build", measure(hugo_command(hugo, site), env)))
    report(args.count, rows, written, out)


def environment(count: int) -> dict[str, str]:
    url = subprocess.run(
        [
            str(PYTHON),
            str(Path(__file__).with_name("bench_database.py")),
            f"--count={count}",
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout.split()[-1]
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url or bench_database_url(count),
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-secret-key"),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="quicktakes.settings",
    )
    env.pop("REDIS_URL", None)
    return env


def manage(env: dict[str, str], *arguments: str) -> str:
    return subprocess.run(
        [str(PYTHON), "manage.py", *arguments],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def build_command(out: Path, workers: int | None = None, verbose=False) -> list[str]:
    command = [str(PYTHON), "manage.py", "build_site", str(out), "--base-url", BASE_URL]
    if workers is not None:
        command += ["--workers", str(workers)]
    return command + (["-v2"] if verbose else [])


def set_title(env, url: str | None, title: str) -> tuple[str, str]:
    """Give an article `title` (the article at `url`, or one in the middle of
    the newest-first order when None); return its URL and its title before."""
    code = (
        "import django; django.setup()\n"
        "from articles.models import Article\n"
        f"url = {url!r}\n"
        "articles = Article.objects.published()\n"
        "article = (articles.get(url=url) if url else "
        "articles.newest_first('title')[articles.count() // 2])\n"
        "before = article.title\n"
        f"article.title = {title!r}\n"
        "article.save()\n"
        "print(article.url); print(before)\n"
    )
    output = subprocess.run(
        [str(PYTHON), "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return output[0], output[1]


class Run:
    def __init__(self, seconds: float, peak_mb: float, output: list[str]):
        self.seconds, self.peak_mb, self.output = seconds, peak_mb, output


def measure(command: list[str], env: dict[str, str]) -> Run:
    """Run `command`; its wall time and the peak of its process tree's RSS."""
    print(
        "running:",
        " ".join(command[1:] if command[0] == str(PYTHON) else command),
        flush=True,
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read().splitlines()
    process.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode:
        sys.exit(f"{command[0]} failed with status {process.returncode}")
    summary = [line for line in output if not line.startswith("Wrote ")]
    print("  " + " / ".join(summary[-2:]), flush=True)
    return Run(seconds, peak[0] / 1024, output)


def tree_rss(root: int) -> int:
    """The RSS, in KiB, of process `root` and all its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
        found = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        rss[int(entry)] = int(found[1]) if found else 0
    total = 0
    for pid in rss:
        ancestor = pid
        while ancestor and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        if ancestor == root:
            total += rss[pid]
    return total


def hugo_command(hugo: str, site: Path) -> list[str]:
    return [hugo, "--quiet", "--source", str(site)]


def make_hugo_site(corpus: Path, site: Path) -> Path:
    """A Hugo site over the corpus: content/learn/<subject>/<file>.md, each a
    hard link to the corpus file (its front matter gives `url`), a section
    page per subject, minimal layouts and a config."""
    content = site / "content" / "learn"
    if not content.is_dir():
        subjects: set[str] = set()
        for path in sorted(corpus.iterdir()):
            found = URL_LINE.search(path.read_bytes())
            if not found:
                continue
            subject = found[2].decode()
            folder = content / subject
            if subject not in subjects:
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "_index.md").write_text(f"---\ntitle: {subject}\n---\n")
                subjects.add(subject)
            os.link(path, folder / f"{path.stem}.md")
        (content / "_index.md").write_text("---\ntitle: Learn\n---\n")
    (site / "hugo.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        path = site / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return site


HUGO_CONFIG = f"""\
baseURL = "{BASE_URL}/"
title = "QuickTakes"
disableKinds = ["taxonomy", "term"]
enableRobotsTXT = true
paginate = 20
[markup.goldmark.renderer]
unsafe = false
"""

_HEAD = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{{ .Title }} | {{ .Site.Title }}</title>
<link rel="stylesheet" href="/css/site.css"></head><body>
<header><a href="/">{{ .Site.Title }}</a> <a href="/learn/">Subjects</a></header><main>
"""
_FOOT = '</main><footer><a href="/index.xml">RSS</a></footer></body></html>\n'

HUGO_LAYOUTS = {
    "_default/single.html": _HEAD
    + """<article><p><a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a></p>
<h1>{{ .Params.question }}</h1>
{{ with .Date }}<p>Posted on {{ .Format "Jan 02, 2006" }}</p>{{ end }}
{{ replace .Params.answer "\\\\n" "\\n" | markdownify }}</article>
<h2>Related questions</h2><ul>
{{ range $n := seq 5 }}{{ with index $.Params (printf "related_article%d" $n) }}
<li><a href="{{ .url }}">{{ .title }}</a></li>{{ end }}{{ end }}</ul>
<h2>More from {{ .Parent.Title }}</h2><ul>
{{ range first 5 (where .Parent.Pages "Permalink" "!=" .Permalink) }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
"""
    + _FOOT,
    "_default/list.html": _HEAD
    + """<h1>{{ .Title }}</h1><ul>
{{ range (.Paginate .Pages.ByDate.Reverse).Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ .Date.Format "Jan 02, 2006" }}</li>{{ end }}
</ul>{{ template "_internal/pagination.html" . }}
"""
    + _FOOT,
    "index.html": _HEAD
    + """<h1>Short, clear answers to study questions</h1><h2>Latest questions</h2><ul>
{{ range first 10 (where .Site.RegularPages.ByDate.Reverse "Section" "learn") }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
<h2>Subjects</h2><ul>{{ range (.Site.GetPage "/learn").Sections }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ len .Pages }}</li>{{ end }}</ul>
"""
    + _FOOT,
    "404.html": _HEAD + "<h1>Page not found</h1>\n" + _FOOT,
}


def report(
    count: int, rows: list[tuple[str, Run]], written: list[str], out: Path
) -> None:
    pages = sum(1 for _ in out.rglob("index.html"))
    print(f"\n{count:,} articles; {pages:,} index.html pages in the built site")
    print("| build | seconds | peak RSS (MB, with children) | summary |")
    print("| --- | --- | --- | --- |")
    for name, run in rows:
        summary = [line for line in run.output if not line.startswith("Wrote ")]
        last = summary[-1] if summary else ""
        print(f"| {name} | {run.seconds:.1f} | {run.peak_mb:.0f} | {last} |")
    print(f"\nfiles written after the edit ({len(written)}):")
    for name in written:
        print(f"  {name}")


if __name__ == "__main__":
    main()
