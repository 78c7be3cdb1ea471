"""The static site's addresses: which pages there are, the file each is
written to, and the links a static host cannot follow as the dynamic site
writes them.

A static host maps an address to a file and ignores the query string, and
it picks a file's type by its extension. So:

- a page whose URL ends in `/` is `<URL>/index.html`; an article's URL has no
  trailing slash (`/learn/biology/questions/what-is-a-cell`), and is written
  to `…/what-is-a-cell/index.html`: static hosts (nginx, Apache, S3 website
  hosting, GitHub Pages, Netlify, Python's http.server) answer the address
  without the slash with a redirect to the folder, which serves the page;
- a subject's page 2, `/learn/biology/?page=2` on the dynamic site, is
  `/learn/biology/page/2/` here, and each sitemap section's page N
  (`?p=N`) is `sitemap-<section>-N.xml`;
- feeds at `/feed/` would be served as HTML from `feed/index.html`: they are
  `feed/rss.xml` and `feed/atom.xml` here (hosts serve `.xml` as XML); the
  sitemap and robots.txt keep their names, whose extensions give the types;
- search needs a server: STATIC_SITE_SEARCH_URL names one (the dynamic site's
  `/search/`, absolute or a path a CDN routes to it); without it the built
  pages have no search form and no link to search.

`static_links` rewrites exactly those links in a rendered page, and nothing
else: every other byte is the dynamic site's.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterator

from django.urls import reverse

from articles.models import Article, Redirect, Status, Subject
from articles.views import PAGE_SIZE


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of the site: the path and query string the dynamic site
    answers it at, and the file (relative to OUT_DIR) it is written to."""

    path: str
    query: str = ""

    @property
    def file(self) -> str:
        return file_for(self.path, self.query)


NOT_FOUND = Page("/404.html")  # rendered as the site's 404 page, whatever its path
_SUBJECT_PAGE = re.compile(r"^/learn/([^/]+)/$")
_FEED = re.compile(r"^(/learn/[^/]+)?/feed/(atom/)?$")
_SITEMAP_SECTION = re.compile(r"^/sitemap-(\w+)\.xml$")


def file_for(path: str, query: str = "") -> str:
    """The file, relative to OUT_DIR, of the page at `path?query`."""
    if path == NOT_FOUND.path:
        return "404.html"
    if feed := _FEED.match(path):
        folder = (feed[1] or "").lstrip("/")
        name = "atom" if feed[2] else "rss"
        return f"{folder}/feed/{name}.xml".lstrip("/")
    if query:
        name, _, number = query.partition("=")
        if name == "page" and _SUBJECT_PAGE.match(path):
            return f"{path.lstrip('/')}page/{number}/index.html"
        if name == "p" and (section := _SITEMAP_SECTION.match(path)):
            return f"sitemap-{section[1]}-{number}.xml"
        raise ValueError(f"no static file for {path}?{query}")
    if path.endswith("/"):
        return f"{path.lstrip('/')}index.html"
    if path.rsplit("/", 1)[-1].count(".") == 1:  # robots.txt, sitemap.xml
        return path.lstrip("/")
    return f"{path.lstrip('/')}/index.html"


def site_pages() -> Iterator[Page]:
    """Every page of the site but the sitemap's sections (which the sitemap
    index names, see `building.py`): home, /learn/, robots.txt, the sitemap,
    the feeds, each subject's pages, each published article, each redirect
    from a URL a published article had, and the 404 page. Three queries, and
    one a chunk of 2,000 articles."""
    yield from (Page("/"), Page(reverse("articles:subject_index")), NOT_FOUND)
    yield from (Page("/robots.txt"), Page("/sitemap.xml"))
    yield from (Page(reverse("articles:feed")), Page(reverse("articles:atom")))
    for subject in Subject.objects.with_published_counts().order_by("slug"):
        listing = subject.get_absolute_url()
        yield Page(listing)
        for number in range(2, math.ceil(subject.article_count / PAGE_SIZE) + 1):
            yield Page(listing, f"page={number}")
        yield Page(reverse("articles:subject_feed", args=[subject.slug]))
        yield Page(reverse("articles:subject_atom", args=[subject.slug]))
    urls = Article.objects.published().order_by("url").values_list("url", flat=True)
    yield from (Page(url) for url in urls.iterator(chunk_size=2000))
    moved = Redirect.objects.filter(article__status=Status.PUBLISHED).order_by(
        "old_url"
    )
    yield from (Page(url) for url in moved.values_list("old_url", flat=True))


# Links as the dynamic site writes them, absolute (the base URL's host) or not,
# always inside an attribute or an element: `"…"` or `>…<`.
_EDGE = r'(?<=["> ])'
_HOST = r"(?:https?://[^/\"<\s]+)?"
_PAGINATED = re.compile(_EDGE + rf"({_HOST}/learn/[a-z0-9-]+/)\?page=(\d+)(?=[\"<])")
_RELATIVE_PAGE = re.compile(r'href="\?page=(\d+)"')
_FEEDS = re.compile(_EDGE + rf"({_HOST}(?:/learn/[a-z0-9-]+)?)/feed/(atom/)?(?=[\"<])")
_SECTIONS = re.compile(_EDGE + rf"({_HOST})/sitemap-(\w+)\.xml\?p=(\d+)(?=[\"<])")
_SEARCH_FORM = re.compile(r'<form\b[^>]*\brole="search".*?</form>\s*', re.DOTALL)
_SEARCH_LINK = re.compile(r'<li><a href="/search/">[^<]*</a></li>\s*')
_SUGGEST = ' data-suggest="/search/suggest/"'


def static_links(page: Page, body: str, search_url: str) -> str:
    """`body`, rendered for `page`, with the links a static host cannot follow
    made ones it can (see the module's docstring); `search_url` as
    STATIC_SITE_SEARCH_URL."""
    if _SUBJECT_PAGE.match(page.path):
        body = _RELATIVE_PAGE.sub(
            lambda link: f'href="{_listing_page(page.path, link[1])}"', body
        )
    body = _PAGINATED.sub(lambda link: _listing_page(link[1], link[2]), body)
    body = _FEEDS.sub(
        lambda link: f"{link[1]}/feed/{link[2] and 'atom' or 'rss'}.xml", body
    )
    body = _SECTIONS.sub(
        lambda link: f"{link[1]}/sitemap-{link[2]}-{link[3]}.xml", body
    )
    return _search(body, search_url)


def _listing_page(listing: str, number: str) -> str:
    return listing if number == "1" else f"{listing}page/{number}/"


def _search(body: str, search_url: str) -> str:
    """The search form and links pointed at `search_url`, or taken out."""
    if not search_url:
        return _SEARCH_LINK.sub("", _SEARCH_FORM.sub("", body))
    if not search_url.startswith("/"):
        # Suggestions are fetched by script, which another origin refuses
        # without CORS: the form still searches there, as without script.
        body = body.replace(_SUGGEST, "")
    body = body.replace('action="/search/"', f'action="{search_url}"')
    return body.replace('href="/search/"', f'href="{search_url}"')
