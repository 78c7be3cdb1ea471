"""Whole public pages kept in the cache until what they show changes.

Three parts:
- `keeping`: `cached_page` marks a view whose pages `PageCacheMiddleware`
  keeps, under a key made of the parameters the view reads, with the versions
  of what the page shows (`shows`), read in one snapshot with its content
  (or, `shows_at`, in the same statement as the first of it);
- `versions`: those versions, and the calls that move them when articles or
  subjects change (`articles_changed`, `links_resolved`, `subjects_changed`,
  and the save and delete signals), in the transaction of the change;
- `asked_pages`: which pages this machine was asked for and kept, so that a
  page asked for the first time costs no trip to the cache.

So an edit retires the pages that show the changed article (its own page, the
pages that link to it, its subject's listings, and the home page, the feeds,
search and the sitemap, which show everything), and every other kept page
stays.
"""

from .asked_pages import forget_asked_pages
from .keeping import (
    PageCacheMiddleware,
    cached_page,
    page_key,
    page_number,
    shows,
    shows_at,
)
from .versions import (
    SITE,
    SUBJECTS,
    article_key,
    articles_changed,
    connect_signals,
    links_resolved,
    newest_key,
    subject_key,
    subjects_changed,
    versions_moved,
)

__all__ = [
    "SITE",
    "SUBJECTS",
    "PageCacheMiddleware",
    "article_key",
    "articles_changed",
    "cached_page",
    "connect_signals",
    "forget_asked_pages",
    "links_resolved",
    "newest_key",
    "page_key",
    "page_number",
    "shows",
    "shows_at",
    "subject_key",
    "subjects_changed",
    "versions_moved",
]
