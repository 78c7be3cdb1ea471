"""Full-text search: readers' search and editors' similar articles.

Owns the policy (`policy`: what matches, in what order, how far a query
reaches), the reader's terms (`terms`), one backend per database behind one
small interface (`backend`, `sqlite`, `postgres`) and the SQLite index kept in
step with the articles (`index`). May import the models and the file format;
never the importing room, the admin or the views (import-linter checks this).
"""

from .policy import (
    CAP,
    SearchHit,
    SearchResults,
    highlight,
    search_articles,
    similar_articles,
)

__all__ = [
    "CAP",
    "SearchHit",
    "SearchResults",
    "highlight",
    "search_articles",
    "similar_articles",
]
