"""Benchmark of staging an admin upload: a zip of a big batch, under the default limits.

A synthetic batch of --count article files is made with the deterministic
generator shared/tools/make_corpus.py (seed 1) and cached under
bench/output/corpus-<count>/ (as import_benchmark.py does), then zipped
(deflated, with its folder's entry) to bench/output/corpus-<count>.zip. The zip
is checked against the limits of quicktakes/settings.py as they stand (the
defaults unless the environment says otherwise): the request body
(IMPORT_MAX_UPLOAD_MB), the entries, the unpacked size and the staging quota.
It is then staged with `articles.importing.uploads.stage_uploads`, as an admin
upload is, into a temporary staging folder, and the staging folder is measured
with `staged_bytes`, the walk every later upload's quota check pays.

Prints the zip's size and entries, its unpacked size, each limit and whether it
holds, the seconds to stage and to measure, and the peak RSS (ru_maxrss).

Run it from the project root (the 100,000-file batch takes a minute or two):

    .venv/bin/python bench/upload_benchmark.py [--count 100000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
OUTPUT_DIR = BENCH_DIR / "output"
CORPUS_TOOL = PROJECT_ROOT.parent / "shared" / "tools" / "make_corpus.py"
MiB = 1024 * 1024


def make_corpus(count: int) -> Path:
    """bench/output/corpus-<count>/, made unless it holds `count` files already."""
    folder = OUTPUT_DIR / f"corpus-{count}"
    if not folder.is_dir() or len(os.listdir(folder)) != count:
        subprocess.run(
            [sys.executable, str(CORPUS_TOOL), str(folder), "--count", str(count)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return folder


def make_zip(folder: Path) -> Path:
    """The folder zipped, deflated, under its own name; made once."""
    path = folder.with_suffix(".zip")
    if not path.exists():
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(folder, f"{folder.name}/")
            for name in sorted(os.listdir(folder)):
                archive.write(folder / name, f"{folder.name}/{name}")
    return path


def check_limits(path: Path) -> None:
    """Print the zip's figures beside each limit."""
    from django.conf import settings

    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    unpacked = sum(info.file_size for info in entries)
    rows = [
        ("request body", path.stat().st_size, settings.IMPORT_MAX_UPLOAD_BYTES),
        ("entries", len(entries), settings.IMPORT_MAX_ENTRIES),
        ("unpacked", unpacked, settings.IMPORT_MAX_UNPACKED_BYTES),
        ("staging quota", unpacked, settings.IMPORT_STAGING_QUOTA_BYTES),
    ]
    for what, size, limit in rows:
        verdict = "holds" if size <= limit else "REFUSED"
        print(f"{what:>14}: {size:>13,} of {limit:>13,}  {verdict}")


def stage(path: Path) -> None:
    """Stage the zip into a temporary staging folder; print the seconds."""
    from django.conf import settings
    from django.core.files import File

    from articles.importing.uploads import stage_uploads, staged_bytes

    with tempfile.TemporaryDirectory(prefix="upload-bench-") as staging:
        settings.IMPORT_STAGING_DIR = Path(staging)
        started = time.perf_counter()
        with path.open("rb") as upload:
            staged = stage_uploads([File(upload, name=path.name)])
        staged_in = time.perf_counter() - started
        started = time.perf_counter()
        total = staged_bytes()
        measured_in = time.perf_counter() - started
    print(f"{'staged':>14}: {len(staged.names)} upload, {total:,} bytes")
    print(f"{'seconds':>14}: {staged_in:.1f} to stage, {measured_in:.2f} to measure")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    count = parser.parse_args(argv).count
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quicktakes.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    import django

    django.setup()
    path = make_zip(make_corpus(count))
    print(f"{path.relative_to(PROJECT_ROOT)}: {count:,} files")
    check_limits(path)
    stage(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{'peak RSS':>14}: {peak} MB")


if __name__ == "__main__":
    main()
