"""Fixtures shared by the test modules: a small demo site, and for the browser
tests a headless Chromium per module and a live server that serves static files
as production does."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from articles import page_reads
from articles.models import Article
from articles.page_cache import asked_pages, forget_asked_pages

from .browser.chromium import start_chromium
from .factories import FIXTURES, importers_group, staff, write_article

MATH_URL = "/learn/mathematics/questions/how-do-you-write-a-ratio-next-to-a-gradient"
TABLE_URL = "/learn/mathematics/questions/what-does-the-truth-table-of-and-look-like"
HOSTILE_URL = "/learn/mathematics/questions/is-this-answer-safe-to-show"
SEED_URL = (
    "/learn/medicine/questions/"
    "what-treatment-options-are-available-for-metastatic-liver-cancer"
)

MATH_ANSWER = (
    r"Inline math such as $x^2 + y^2 = r^2$ sits inside a sentence.\n\n"
    r"Display math stands on its own line:\n\n"
    r"$$\frac{a}{b} \neq \nabla x$$\n\n"
    r"The gradient $\nabla x$ is a vector; the ratio is a number. "
    r"Both are typeset, never shown as TeX."
)
TABLE_ANSWER = (
    r"The conjunction is true only when both sides are:\n\n"
    r"| p | q | p AND q |\n| --- | --- | --- |\n"
    r"| T | T | T |\n| T | F | F |\n| F | T | F |\n| F | F | F |\n\n"
    r"The same in Python:\n\n"
    r"```python\ndef both(p, q):\n    return p and q\n```"
)
# Every way an answer could try to run script; none may reach a reader.
HOSTILE_ANSWER = (
    r"<script>alert(1)</script>\n\n"
    r'<img src=x onerror="alert(2)">\n\n'
    r"[click](javascript:alert(3))\n\n"
    r'<a href="javascript:alert(4)">x</a>\n\n'
    r"<svg onload=alert(5)>\n\n"
    r"$$</span><script>alert(6)</script>$$\n\n"
    r'$</span><img src=x onerror="window.__pwned = true">$\n\n'
    r"<script>window.__pwned = true</script>\n\n"
    r"The end of a harmless paragraph."
)


@pytest.fixture(autouse=True, scope="session")
def own_record_of_asked_pages(tmp_path_factory):
    """The tests' record of asked pages is their own file, not the one a site
    served from this machine shares (articles/page_cache/asked_pages.py)."""
    folder = tmp_path_factory.mktemp("page-cache")
    settings.PAGE_CACHE_ASKED_FILE = str(folder / "asked")
    asked_pages.forget_opened()


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Every test starts with no cached page: each test database starts from
    the same content version, so a page cached by one test could otherwise be
    served in the next (and Redis keeps pages between runs). The newest rows
    an article page remembers go too: the next test's ids and versions are
    the same, and its articles others."""
    cache.clear()
    forget_asked_pages()
    page_reads.forget_remembered()


@dataclass(frozen=True)
class DemoSite:
    """The demo articles, and the path of one page of each type."""

    math: Article
    table: Article
    hostile: Article
    seed: Article
    search_word: str = "gradient"

    @property
    def pages(self) -> dict[str, str]:
        """Page type -> path, for tests that visit every type of page."""
        return {
            "home": "/",
            "subjects": "/learn/",
            "subject": "/learn/mathematics/",
            "article-math": self.math.url,
            "article-table-code": self.table.url,
            "search-results": f"/search/?q={self.search_word}",
            "search-empty": "/search/?q=zzyzxqq",
            "not-found": "/learn/mathematics/questions/no-such-question",
        }


@pytest.fixture
def demo_site(db, tmp_path) -> DemoSite:
    """The two seed files plus three Mathematics articles linked to each other.

    With live_server in the test, `db` becomes a transactional database, so
    the live server's thread sees these rows.
    """
    folder = tmp_path / "articles"
    write_article(
        folder,
        "math.md",
        MATH_URL,
        id=501,
        subject="Mathematics",
        title="How do you write a ratio next to a gradient?",
        answer=MATH_ANSWER,
        related=[TABLE_URL, HOSTILE_URL, SEED_URL],
    )
    write_article(
        folder,
        "table.md",
        TABLE_URL,
        id=502,
        subject="Mathematics",
        title="What does the truth table of AND look like?",
        answer=TABLE_ANSWER,
        related=[MATH_URL],
        date="2024-12-06",
    )
    write_article(
        folder,
        "hostile.md",
        HOSTILE_URL,
        id=503,
        subject="Mathematics",
        title="Is this answer safe to show?",
        answer=HOSTILE_ANSWER,
        related=[MATH_URL],
        date="2024-12-05",
    )
    call_command("import_articles", str(FIXTURES), str(folder), stdout=io.StringIO())
    articles = Article.objects.in_bulk(
        [MATH_URL, TABLE_URL, HOSTILE_URL, SEED_URL], field_name="url"
    )
    return DemoSite(
        math=articles[MATH_URL],
        table=articles[TABLE_URL],
        hostile=articles[HOSTILE_URL],
        seed=articles[SEED_URL],
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Chromium with a fresh profile, shared by one module's tests."""
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server, serving static files as production does."""
    from django.core.handlers.wsgi import WSGIHandler

    # Django's test static handler looks names up in static/ and cannot find
    # the manifest's hashed names; the site's own WSGI app has WhiteNoise serve
    # them from STATIC_ROOT (scripts/test runs collectstatic first).
    live_server.thread.httpd.set_app(WSGIHandler())
    return live_server


@pytest.fixture
def editor(client):
    """The test client, logged in as a staff user of the "Editors" role."""
    return staff(client, "edna", "Editors")


@pytest.fixture
def importer(client):
    """The test client, logged in as a staff user of the "Importers" role: may
    see articles and import files, not change articles."""
    importers_group()  # made again if a transactional test emptied the database
    return staff(client, "ida", "Importers")


@pytest.fixture
def staging_dir(settings, tmp_path) -> Path:
    """Where admin uploads are staged, a folder of the test's own."""
    settings.IMPORT_STAGING_DIR = tmp_path / "staging"
    return settings.IMPORT_STAGING_DIR
