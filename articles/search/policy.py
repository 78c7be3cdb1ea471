"""Full-text search for readers: published articles, best matches first.

    results = search_articles("liver cancer", subject=medicine, offset=20)
    results.total, [(hit.article.title, hit.snippet) for hit in results.hits]

What a reader types is cut into terms (terms.py); every term must
match. If nothing matches, a last single word of three letters or more is
tried again as a word's start ("photosynth"): only then, as a prefix is slow
on SQLite.

SQLite: the FTS5 table of migration 0003, ranked by bm25 (sqlite.py).
PostgreSQL: the generated column `search_vector`, ranked by ts_rank_cd
(postgres.py). Both weigh title 1,
question 0.4, keywords 0.2, answer 0.1; equal ranks go newest first (an
undated article last: `NULLS LAST`, which PostgreSQL's DESC needs said), then
highest id. Both index published articles only: drafts are never found.

Ranking reads every match, slow for a word found in half of 100,000 articles,
so a query reaches its first CAP results only: up to CAP matches, all ranked;
past CAP, those with every term in the title first, ranked (if there are no
more than CAP of them), then the others, newest first. Counts stop at CAP + 1:
`total` is at most CAP, and `more` says there were more.

Snippets come from the answer, HTML-escaped, matched words in <mark>: the
database marks them with private-use characters, turned into tags only after
the text is escaped.

`similar_articles` serves the editors' suggestions (articles/admin/worklists.py):
articles with any of a text's rarer words, ranked the same way.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection

from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Subject

from .backend import current_backend
from .terms import START, STOP, Term, as_prefix, fetch, parse_query, words_of

CAP = 1000

# similar_articles(): the words of a text it weighs, at most, and those it never
# does: English stop words (PostgreSQL's configuration drops these itself, FTS5
# keeps all), and the words that frame a question rather than say what about.
SIMILAR_WORDS = 12
STOP_WORDS = frozenset(
    """
    define describe discuss example examples explain provide
    a about above after again against all am an and any are as at be because been
    before being below between both but by can did do does doing don down during
    each few for from further had has have having he her here hers herself him
    himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same
    she should so some such t than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when
    where which while who whom why will with you your yours yourself yourselves
""".split()
)


@dataclasses.dataclass
class SearchHit:
    article: Article
    snippet: SafeString


@dataclasses.dataclass
class SearchResults:
    total: int
    hits: list[SearchHit]
    more: bool = False


def search_articles(
    query: str, *, subject: Subject | None = None, offset: int = 0, limit: int = 20
) -> SearchResults:
    """Published articles matching `query` (in `subject`, if given), best first:
    `limit` of them from `offset`, and how many there are (see CAP).

    No query when nothing in `query` is a word; otherwise two to five (one to
    count, one more to count again as a prefix, one or two to rank, one to load
    the page's articles), each bounded by CAP whatever the number of matches;
    on PostgreSQL, one more to set up the planner and, for terms of several
    words, one to find their word pairs.
    """
    terms = parse_query(query)
    if not terms:
        return SearchResults(total=0, hits=[])
    backend = current_backend()
    subject_id = subject.pk if subject is not None else None
    with backend.planning():
        terms = backend.prepare(terms)
        matches, title_matches = _counts(backend, terms, subject_id)
        if not matches and (prefixed := as_prefix(terms)):
            terms = prefixed
            matches, title_matches = _counts(backend, terms, subject_id)
        end = min(max(offset, 0) + max(limit, 0), CAP)
        ids = _page_ids(backend, terms, subject_id, matches, title_matches, offset, end)
        hits = _hits(backend, terms, ids)
    return SearchResults(total=min(matches, CAP), hits=hits, more=matches > CAP)


def _page_ids(backend, terms, subject_id, matches, title_matches, start, end):
    """The ids of results start to end, in order: one query, or two where the
    ranked title matches give way to the newest of the others."""
    start = max(start, 0)
    if start >= end:
        return []
    if matches <= CAP:
        return backend.ranked(terms, subject_id, False, start, end - start)
    ranked = title_matches if title_matches <= CAP else 0
    ids = []
    if start < ranked:
        ids = backend.ranked(terms, subject_id, True, start, min(end, ranked) - start)
    if end > ranked:
        skip = max(start - ranked, 0)
        ids += backend.newest(terms, subject_id, ranked > 0, skip, end - ranked - skip)
    return ids


def _hits(backend, terms: list[Term], ids: list[int]) -> list[SearchHit]:
    """The articles with these ids, in this order, with snippets. One query."""
    if not ids:
        return []
    articles = (
        Article.objects.published()
        .for_listing()
        .filter(pk__in=ids)
        .annotate(snippet=RawSQL(*backend.snippet(terms)))
        .order_by()
    )
    by_id = {article.pk: article for article in articles}
    # An article deleted or unpublished since the ids were read is left out.
    return [
        SearchHit(by_id[pk], highlight(by_id[pk].snippet)) for pk in ids if pk in by_id
    ]


def similar_articles(
    text: str,
    *,
    exclude: Collection[int] = (),
    subject_id: int | None = None,
    limit: int = 10,
) -> list[Article]:
    """Published articles most like `text` (an article's title and question),
    best first, those of `subject_id` preferred, none of `exclude`.

    Any of its words may match, weighed by column as in a search; stop words
    never count, rare words count most. Only articles with one of its rarest
    words in the title are ranked, which keeps ranking cheap however common the
    words: the rarest while together in no more than CAP titles (the CAP added
    last, if even the rarest is in more). Three queries (four on PostgreSQL),
    fewer if no word is found.
    """
    words = _content_words(text)
    if not words:
        return []
    backend = current_backend()
    with backend.planning():
        rarest = _rarest_words(backend, words)
        if not rarest:
            return []
        ids = backend.similar(words, rarest, subject_id, limit + len(exclude), CAP)
    excluded = set(exclude)
    ids = [pk for pk in ids if pk not in excluded][:limit]
    articles = Article.objects.published().for_listing().in_bulk(ids)
    return [articles[pk] for pk in ids if pk in articles]


def _content_words(text: str) -> list[str]:
    """The first SIMILAR_WORDS different words of `text` that are no stop words."""
    words = words_of(text.lower())
    kept = dict.fromkeys(word for word in words if word not in STOP_WORDS)
    return list(kept)[:SIMILAR_WORDS]


def _rarest_words(backend, words: list[str]) -> list[str]:
    """The words found in fewest titles, while together in no more than CAP
    titles (at least one, if any is found). One query."""
    parts, params = [], []
    for word in words:
        sql, word_params = backend.matching([Term(word)], None, True)
        parts.append(f"(SELECT count(*) FROM ({sql} LIMIT %s) AS titles)")
        params += [*word_params, CAP + 1]
    counts = fetch("SELECT " + ", ".join(parts), params)[0]
    rarest, total = [], 0
    for count, word in sorted(zip(counts, words, strict=True), key=lambda p: p[0]):
        if count == 0:
            continue
        if rarest and total + count > CAP:
            break
        rarest.append(word)
        total += count
    return rarest


_MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)
_MARKDOWN = re.compile(r"\*\*|__|`+|^#{1,6}\s", re.MULTILINE)


def highlight(snippet: str | None) -> SafeString:
    """A snippet as HTML: escaped, Markdown emphasis dropped, marked words in
    <mark>. Only a pair of markers becomes tags, so the markup always balances."""
    text = " ".join(_MARKDOWN.sub("", snippet or "").split())
    html = _MARKED.sub(r"<mark>\1</mark>", escape(text))
    return mark_safe(html.replace(START, "").replace(STOP, ""))


# The SQL that follows takes values as parameters only. Each method is one query.


def _counts(backend, terms: list[Term], subject_id) -> tuple[int, int]:
    """How many articles match, and (only past CAP) how many in the title: each
    up to CAP + 1. One query."""
    title_sql, title_params = backend.matching(terms, subject_id, True)
    sql, params = backend.matching(terms, subject_id, False)
    counts = f"""
        SELECT total, CASE WHEN total > %s THEN (
            SELECT count(*) FROM ({title_sql} LIMIT %s) AS title_matches
        ) END
        FROM (SELECT count(*) AS total FROM ({sql} LIMIT %s) AS matches) AS counted
    """
    params = [CAP, *title_params, CAP + 1, *params, CAP + 1]
    total, title_total = fetch(counts, params)[0]
    return total, title_total or 0
