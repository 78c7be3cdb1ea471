"""Full-text search for readers: published articles, best matches first.

    results = search_articles("liver cancer", subject=medicine, offset=20)
    results.total, [(hit.article.title, hit.snippet) for hit in results.hits]

What a reader types is cut into terms (terms.py); every term must
match. A last single word of three letters or more also matches as a word's
start ("cardio" finds "cardiovascular"), after the articles with the word as
typed: results come in two tiers, the whole words' matches ranked first, then
the others that the prefix finds. If nothing matches, spelling.py looks for a
spelling of the words that would ("Did you mean …").

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
from .spelling import suggest_spelling
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
    # What to search instead, when nothing matched and a spelling would.
    suggestion: str | None = None


def search_articles(
    query: str, *, subject: Subject | None = None, offset: int = 0, limit: int = 20
) -> SearchResults:
    """Published articles matching `query` (in `subject`, if given), best first:
    `limit` of them from `offset`, and how many there are (see CAP). When
    nothing matches, a spelling that would match (`suggestion`).

    No query when nothing in `query` is a word; otherwise two to five (one to
    count the whole words' matches and the prefix's, one or two to rank each
    of the two, one to load the page's articles), each bounded by CAP whatever
    the number of matches; on PostgreSQL, one more to set up the planner and,
    for terms of several words, one to find their word pairs. A search that
    finds nothing costs up to eight more to look for a spelling, when three
    words are misspelt (six on PostgreSQL; spelling.py).
    """
    terms = parse_query(query)
    if not terms:
        return SearchResults(total=0, hits=[])
    backend = current_backend()
    subject_id = subject.pk if subject is not None else None
    with backend.planning():
        terms = backend.prepare(terms)
        tiers = [terms]
        if prefixed := as_prefix(terms, beyond=True):
            tiers.append(prefixed)
        counts = _counts(backend, tiers, subject_id)
        matches = sum(total for total, _ in counts)
        ids = _tiers_page_ids(backend, tiers, counts, subject_id, offset, limit)
        hits = _hits(backend, tiers[-1], ids)
        suggestion = None if matches else _finding_spelling(backend, terms, subject_id)
    return SearchResults(
        total=min(matches, CAP),
        hits=hits,
        more=matches > CAP,
        suggestion=suggestion,
    )


def _finding_spelling(backend, terms: list[Term], subject_id) -> str | None:
    """A spelling of the terms that finds something (spelling.py), or None.
    Its queries and one more, to find one article with the spelling's words
    (two on PostgreSQL for terms of several words)."""
    suggestion = suggest_spelling(backend, terms)
    if suggestion is None:
        return None
    # Whole words: a prefix would cost more, and the words are the index's.
    sql, params = backend.matching(
        backend.prepare(parse_query(suggestion)), subject_id, False
    )
    [(found,)] = fetch(f"SELECT count(*) FROM ({sql} LIMIT 1) AS found", params)
    return suggestion if found else None


def _tiers_page_ids(backend, tiers, counts, subject_id, offset, limit) -> list[int]:
    """The ids of a page of results, the first tier's matches (the words as
    typed) before the second's (the last word as a prefix, only where it finds
    more): no query for a tier the page does not reach."""
    start = max(offset, 0)
    end = min(start + max(limit, 0), CAP)
    ids, tier_start = [], 0
    for terms, (matches, title_matches) in zip(tiers, counts, strict=True):
        tier_end = min(tier_start + matches, CAP)
        if start < tier_end and end > tier_start:
            ids += _page_ids(
                backend,
                terms,
                subject_id,
                matches,
                title_matches,
                max(start - tier_start, 0),
                min(end, tier_end) - tier_start,
            )
        tier_start = tier_end
    return ids


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


def _counts(backend, tiers: list[list[Term]], subject_id) -> list[tuple[int, int]]:
    """For each tier, how many articles match, and (only past CAP) how many in
    the title: each up to CAP + 1. A tier after the CAP is reached counts 0,
    and is not read. One query."""
    # Materialized: each count is made once, however often it is mentioned.
    ctes, params, reached = [], [], "0"
    for number, terms in enumerate(tiers):
        sql, sql_params = backend.matching(terms, subject_id, False)
        count = f"(SELECT count(*) FROM ({sql} LIMIT %s) AS matches)"
        if number == 0:
            ctes.append(f"tier0 AS MATERIALIZED (SELECT {count} AS total0)")
            params += [*sql_params, CAP + 1]
        else:
            # Read only while the tiers before it hold no more than CAP.
            ctes.append(
                f"tier{number} AS MATERIALIZED (SELECT *, CASE WHEN {reached} <= %s "
                f"THEN {count} ELSE 0 END AS total{number} FROM tier{number - 1})"
            )
            params += [CAP, *sql_params, CAP + 1]
        reached += f" + total{number}"
    columns = []
    for number, terms in enumerate(tiers):
        sql, sql_params = backend.matching(terms, subject_id, True)
        columns.append(
            f"total{number}, CASE WHEN total{number} > %s THEN ("
            f"SELECT count(*) FROM ({sql} LIMIT %s) AS title_matches) END"
        )
        params += [CAP, *sql_params, CAP + 1]
    sql = (
        f"WITH {', '.join(ctes)} SELECT {', '.join(columns)} FROM tier{len(tiers) - 1}"
    )
    row = fetch(sql, params)[0]
    return [(row[n], row[n + 1] or 0) for n in range(0, len(row), 2)]
