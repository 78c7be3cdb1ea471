"""Benchmark of the article import: parse only, import, re-import, per batch size.

For each size in --sizes, a synthetic batch of article files is made with the
deterministic generator shared/tools/make_corpus.py (seed 1) and cached under
bench/output/corpus-<size>/ (reused while its file count matches). Then, each in
a fresh subprocess so that the peak memory is that run's own:

1. parse only: read every file and load its front matter (from the first `---`
   line to the next line that is exactly `---`) with PyYAML's CSafeLoader, the
   floor any import pays;
2. import: `articles.importing.importer.import_files([corpus])` on a fresh, migrated
   SQLite database in a temporary folder (the migration is not timed);
3. re-import: the same import again on the same database, where every file
   should come back unchanged;
4. update: an update batch, the same files each dated UPDATED_DATE
   (bench/output/corpus-<size>-updated/), where every file should be updated.

Each run prints its seconds, files per second and peak RSS (ru_maxrss); a table
at the end compares the sizes, and the peak RSS of the import at the largest
size is divided by that at the smallest: about 1 if the import streams, about
the size ratio if it holds the whole batch in memory. The imports run as in
production, with DEBUG off (with DEBUG on, Django keeps every query's SQL).

Run it from the project root (the 100,000-file batch takes minutes):

    .venv/bin/python bench/import_benchmark.py [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
OUTPUT_DIR = BENCH_DIR / "output"
DEFAULT_CORPUS_TOOL = PROJECT_ROOT.parent / "shared" / "tools" / "make_corpus.py"
DEFAULT_SIZES = [10_000, 100_000]
SUFFIXES = {".md", ".txt"}
UPDATED_DATE = "2030-06-15"  # the date every file of the update batch gives


# --- The parent: corpora, subprocesses, the table -------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=DEFAULT_SIZES,
        help="batch sizes, in files (default: %(default)s)",
    )
    parser.add_argument(
        "--corpus-tool",
        type=Path,
        default=DEFAULT_CORPUS_TOOL,
        help="the corpus generator (default: %(default)s)",
    )
    # The subprocess mode: `--run parse DIR` or `--run import DIR`.
    parser.add_argument(
        "--run", nargs=2, metavar=("MODE", "DIR"), help=argparse.SUPPRESS
    )
    return parser.parse_args(argv)


def corpus_names(folder: Path) -> list[str]:
    """The names of the article files of a corpus folder, sorted."""
    return sorted(
        name for name in os.listdir(folder) if os.path.splitext(name)[1] in SUFFIXES
    )


def ensure_corpus(count: int, tool: Path) -> Path:
    """The folder of a `count`-file corpus, generated unless already cached."""
    folder = OUTPUT_DIR / f"corpus-{count}"
    if folder.is_dir() and len(corpus_names(folder)) == count:
        print(f"corpus: reusing {folder.relative_to(PROJECT_ROOT)}", flush=True)
        return folder
    if not tool.is_file():
        raise SystemExit(f"corpus generator not found: {tool} (see --corpus-tool)")
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    command = [sys.executable, str(tool), str(folder), "--count", str(count)]
    subprocess.run(command, check=True)
    found = len(corpus_names(folder))
    if found != count:
        raise SystemExit(f"{tool} wrote {found} files to {folder}, not {count}")
    seconds = time.perf_counter() - started
    print(f"corpus: generated {count} files in {seconds:.1f} s", flush=True)
    return folder


def django_env(database: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{database}"
    env["DEBUG"] = "false"
    env.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    env["DJANGO_SETTINGS_MODULE"] = "quicktakes.settings"
    return env


def migrate(env: dict[str, str]) -> None:
    command = [sys.executable, "manage.py", "migrate", "-v0"]
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, env=env)


def run_child(mode: str, corpus: Path, env: dict[str, str] | None = None) -> dict:
    """Run one measurement in a fresh interpreter; its figures, from a JSON line."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--run",
        mode,
        str(corpus),
    ]
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"the {mode} run failed with exit code {result.returncode}")
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return json.loads(lines[-1])


def describe(name: str, figures: dict) -> str:
    text = (
        f"  {name:<10} {figures['seconds']:8.2f} s  "
        f"{figures['files_per_second']:9,.0f} files/s  "
        f"peak RSS {figures['peak_rss_mib']:7.1f} MiB"
    )
    if "summary" in figures:
        text += f"\n  {'':<10} {figures['summary']}"
        text += (
            f"\n  {'':<10} largest parsing worker's peak RSS "
            f"{figures['worker_peak_rss_mib']:.1f} MiB"
        )
        text += (
            f"\n  {'':<10} RSS after django.setup() {figures['setup_rss_mib']:.1f} MiB"
        )
    return text


def measure_size(count: int, tool: Path) -> dict[str, Any]:
    """Parse, import and re-import one batch size; each in its own subprocess."""
    print(f"\n== {count:,} files ==", flush=True)
    corpus = ensure_corpus(count, tool)
    figures: dict[str, Any] = {"size": count}
    figures["parse"] = run_child("parse", corpus)
    print(describe("parse", figures["parse"]), flush=True)
    with tempfile.TemporaryDirectory(prefix="quicktakes-bench-") as scratch:
        env = django_env(Path(scratch) / "bench.db")
        migrate(env)
        for phase in ("import", "re-import"):
            figures[phase] = run_child("import", corpus, env)
            print(describe(phase, figures[phase]), flush=True)
        figures["update"] = run_child("import", ensure_updated(corpus), env)
        print(describe("update", figures["update"]), flush=True)
    check_outcomes(figures)
    return figures


def ensure_updated(corpus: Path) -> Path:
    """The corpus with every file changed (its `date:` UPDATED_DATE), beside it and
    kept while its file count matches: an update batch, every file updated."""
    updated = corpus.with_name(corpus.name + "-updated")
    names = corpus_names(corpus)
    if updated.is_dir() and len(corpus_names(updated)) == len(names):
        return updated
    shutil.rmtree(updated, ignore_errors=True)
    for name in names:
        text = (corpus / name).read_text(encoding="utf-8")
        head, _, rest = text.partition("\ndate: ")
        _, _, tail = rest.partition("\n")
        target = updated / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"{head}\ndate: {UPDATED_DATE}\n{tail}", encoding="utf-8")
    return updated


def check_outcomes(figures: dict[str, Any]) -> None:
    """Warn when the import did not create, or the re-import not keep, every file."""
    size = figures["size"]
    expected = {"import": "created", "re-import": "unchanged", "update": "updated"}
    for phase, outcome in expected.items():
        got = figures[phase]["counts"].get(outcome, 0)
        if got != size:
            print(f"  WARNING: {phase}: {got} of {size} files {outcome}", flush=True)


def print_table(results: list[dict[str, Any]]) -> None:
    header = (
        f"{'size':>8} {'parse s':>8} {'import s':>9} {'imp/parse':>9} "
        f"{'re-imp s':>9} {'update s':>9} {'upd/imp':>8} "
        f"{'parse MiB':>10} {'import MiB':>11} {'update MiB':>11}"
    )
    print("\n" + header)
    print("-" * len(header))
    for row in results:
        parse, load, again = row["parse"], row["import"], row["re-import"]
        update = row["update"]
        ratio = load["seconds"] / parse["seconds"] if parse["seconds"] else 0.0
        update_ratio = update["seconds"] / load["seconds"] if load["seconds"] else 0.0
        print(
            f"{row['size']:>8} {parse['seconds']:>8.2f} {load['seconds']:>9.2f} "
            f"{ratio:>8.1f}x {again['seconds']:>9.2f} {update['seconds']:>9.2f} "
            f"{update_ratio:>7.2f}x {parse['peak_rss_mib']:>10.1f} "
            f"{load['peak_rss_mib']:>11.1f} {update['peak_rss_mib']:>11.1f}"
        )


def print_memory_growth(results: list[dict[str, Any]]) -> None:
    smallest = min(results, key=lambda row: row["size"])
    largest = max(results, key=lambda row: row["size"])
    if smallest is largest:
        print("\npeak import RSS ratio: needs two sizes or more")
        return
    ratio = largest["import"]["peak_rss_mib"] / smallest["import"]["peak_rss_mib"]
    print(
        f"\npeak import RSS, {largest['size']:,} vs {smallest['size']:,} files "
        f"({largest['size'] / smallest['size']:.0f}x the files): {ratio:.2f}x"
    )


def benchmark(sizes: list[int], tool: Path) -> None:
    results = [measure_size(count, tool) for count in sizes]
    print_table(results)
    print_memory_growth(results)


# --- The subprocess: one measurement, printed as one JSON line -----------------


def peak_rss_mib() -> float:
    """This process's peak resident set: ru_maxrss is in KiB on Linux."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def front_matter(text: str) -> str:
    """The text between the first line `---` and the next line that is exactly `---`."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise ValueError("the file does not start with a '---' line")
    end = lines.index("---", 1)
    return "\n".join(lines[1:end])


def iter_front_matters(corpus: Path) -> Iterator[str]:
    # Names, not Path objects, as the importer walks folders: less memory.
    for name in corpus_names(corpus):
        with open(os.path.join(corpus, name), encoding="utf-8") as file:
            yield front_matter(file.read())


def run_parse(corpus: Path) -> dict[str, Any]:
    import yaml

    started = time.perf_counter()
    files = 0
    for text in iter_front_matters(corpus):
        yaml.load(text, Loader=yaml.CSafeLoader)
        files += 1
    return {"files": files, "seconds": time.perf_counter() - started}


def run_import(corpus: Path) -> dict[str, Any]:
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()

    from articles.importing.importer import import_files

    setup_rss = peak_rss_mib()
    started = time.perf_counter()
    report = import_files([corpus])
    seconds = time.perf_counter() - started
    return {
        "files": sum(report.counts.values()),
        "seconds": seconds,
        "summary": report.summary(),
        "counts": dict(report.counts),
        "setup_rss_mib": setup_rss,
    }


def run_measurement(mode: str, corpus: Path) -> None:
    runs = {"parse": run_parse, "import": run_import}
    if mode not in runs:
        raise SystemExit(f"unknown mode {mode!r}; expected one of {sorted(runs)}")
    figures = runs[mode](corpus)
    figures["files_per_second"] = (
        figures["files"] / figures["seconds"] if figures["seconds"] else 0.0
    )
    figures["peak_rss_mib"] = peak_rss_mib()
    # The import parses in worker processes: the largest of them, reported apart.
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures["worker_peak_rss_mib"] = children
    print(json.dumps(figures))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.run:
        mode, corpus = args.run
        run_measurement(mode, Path(corpus))
    else:
        benchmark(args.sizes, args.corpus_tool.resolve())


if __name__ == "__main__":
    main()
