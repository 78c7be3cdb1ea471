"""Full-text search for readers: published articles, best matches first.

    results = search_articles("liver cancer", subject=medicine, offset=20)
    results.total, [(hit.article.title, hit.snippet) for hit in results.hits]

What a reader types never reaches a query language as syntax. It is cut into
terms (a word, or words in double quotes, which must then come together),
reduced to letters and digits, and each term goes to the database's own
tokenizer as a quoted phrase; every term must match. AND, OR, NOT and NEAR are
plain words; other operators go with the punctuation. If nothing matches, a
last single word of three letters or more is tried again as a word's start
("photosynth"): only then, as a prefix is slow on SQLite.

SQLite: the FTS5 table of migration 0003, ranked by bm25. PostgreSQL: the
generated column `search_vector`, ranked by ts_rank_cd. Both weigh title 1,
question 0.4, keywords 0.2, answer 0.1; equal ranks go newest first, then
highest id. Both index published articles only: drafts are never found.

Ranking reads every match, slow for a word found in half of 100,000 articles,
so a query reaches its first CAP results only: up to CAP matches, all ranked;
past CAP, those with every term in the title first, ranked (if there are no
more than CAP of them), then the others, newest first. Counts stop at CAP + 1:
`total` is at most CAP, and `more` says there were more.

Snippets come from the answer, HTML-escaped, matched words in <mark>: the
database marks them with private-use characters, turned into tags only after
the text is escaped.

`similar_articles` serves the editors' suggestions (articles/worklists.py):
articles with any of a text's rarer words, ranked the same way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Collection

from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article, Subject
from .search_index import SEARCH_TABLE

CAP = 1000
MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MIN_PREFIX_CHARS = 3
SNIPPET_WORDS = 24
SNIPPET_CHARS = 160
# Private-use code points: never markup, and an article that happens to hold
# one gets no tag from it unless it pairs with another.
START, STOP = "\ue000", "\ue001"
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


@dataclasses.dataclass(frozen=True)
class Term:
    """Words that must occur together, in order; `prefix`: the (single) word may
    be the start of a longer one."""

    text: str
    quoted: bool = False
    prefix: bool = False
    # PostgreSQL: a tsquery of the pairs of words that follow each other in it.
    pairs: str = ""


@dataclasses.dataclass
class SearchHit:
    article: Article
    snippet: SafeString


@dataclasses.dataclass
class SearchResults:
    total: int
    hits: list[SearchHit]
    more: bool = False


def parse_query(query: str) -> list[Term]:
    """The terms of what a reader typed; none if it holds no letter or digit.

    No query. Quoted text is one term, an unclosed quote running to the end.
    At most MAX_TERMS terms, read from the first MAX_QUERY_CHARS characters.
    """
    chunks: list[tuple[str, bool]] = []
    for index, part in enumerate(query[:MAX_QUERY_CHARS].split('"')):
        quoted = index % 2 == 1
        for chunk in [part] if quoted else part.split():
            # Letters, digits and single spaces: all a tokenizer keeps, and
            # nothing a query language could take for an operator.
            words = "".join(c if c.isalnum() else " " for c in chunk).split()
            if words:
                chunks.append((" ".join(words), quoted))
    return [Term(text, quoted) for text, quoted in chunks[:MAX_TERMS]]


def as_prefix(terms: list[Term]) -> list[Term] | None:
    """The terms with the last one matching as a word's start, or None if it is
    quoted or not a single word of MIN_PREFIX_CHARS letters or more."""
    last = terms[-1] if terms else None
    if last is None or last.quoted or " " in last.text:
        return None
    if len(last.text) < MIN_PREFIX_CHARS:
        return None
    return [*terms[:-1], Term(last.text, prefix=True)]


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
    backend = _backend()
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
        Article.objects.for_listing()
        .filter(pk__in=ids)
        .annotate(snippet=RawSQL(*backend.snippet(terms)))
        .order_by()
    )
    by_id = {article.pk: article for article in articles}
    # An article deleted since the ids were read is left out.
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
    backend = _backend()
    with backend.planning():
        rarest = _rarest_words(backend, words)
        if not rarest:
            return []
        ids = backend.similar(words, rarest, subject_id, limit + len(exclude))
    excluded = set(exclude)
    ids = [pk for pk in ids if pk not in excluded][:limit]
    articles = Article.objects.for_listing().in_bulk(ids)
    return [articles[pk] for pk in ids if pk in articles]


def _content_words(text: str) -> list[str]:
    """The first SIMILAR_WORDS different words of `text` that are no stop words."""
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
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
    counts = _fetch("SELECT " + ", ".join(parts), params)[0]
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


def _backend():
    if connection.vendor == "sqlite":
        return _SQLite
    if connection.vendor == "postgresql":
        return _PostgreSQL
    raise NotImplementedError(f"search needs SQLite or PostgreSQL: {connection.vendor}")


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
    total, title_total = _fetch(counts, params)[0]
    return total, title_total or 0


class _SQLite:
    TABLE = SEARCH_TABLE
    # bm25 weights by column: title, question, answer, seo_keywords, subject_id.
    WEIGHTS = "10.0, 4.0, 1.0, 2.0, 0.0"
    planning = contextlib.nullcontext

    @staticmethod
    def prepare(terms: list[Term]) -> list[Term]:
        return terms

    @classmethod
    def match(cls, terms, subject_id, title_only=False) -> str:
        """An FTS5 query: every term a quoted phrase, within the text columns
        (or the title), and the subject's id in its own column."""
        phrases = " ".join(
            '"' + term.text.replace('"', '""') + '"' + ("*" if term.prefix else "")
            for term in terms
        )
        columns = "title" if title_only else "title question answer seo_keywords"
        match = f"{{{columns}}} : ({phrases})"
        if subject_id is not None:
            match += f' AND {{subject_id}} : "{int(subject_id)}"'
        return match

    @classmethod
    def matching(cls, terms, subject_id, title_only) -> tuple[str, list]:
        sql = f"SELECT 1 FROM {cls.TABLE} WHERE {cls.TABLE} MATCH %s"
        return sql, [cls.match(terms, subject_id, title_only)]

    @classmethod
    def ranked(cls, terms, subject_id, title_only, offset, limit) -> list[int]:
        # bm25 is negative: the lower, the better.
        sql = f"""
            SELECT {cls.TABLE}.rowid FROM {cls.TABLE}
            JOIN articles_article ON articles_article.id = {cls.TABLE}.rowid
            WHERE {cls.TABLE} MATCH %s
            ORDER BY bm25({cls.TABLE}, {cls.WEIGHTS}),
                articles_article.date DESC, articles_article.id DESC
            LIMIT %s OFFSET %s
        """
        params = [cls.match(terms, subject_id, title_only), limit, offset]
        return [row[0] for row in _fetch(sql, params)]

    @classmethod
    def newest(cls, terms, subject_id, skip_title_matches, offset, limit):
        # `+id` keeps the planner off rowid lookups: it walks the date index
        # instead and stops at the page, where the matches are many.
        matching = f"SELECT rowid FROM {cls.TABLE} WHERE {cls.TABLE} MATCH %s"
        sql = f"SELECT id FROM articles_article WHERE +id IN ({matching})"
        params = [cls.match(terms, subject_id)]
        if skip_title_matches:
            sql += f" AND +id NOT IN ({matching})"
            params.append(cls.match(terms, subject_id, title_only=True))
        sql += " ORDER BY date DESC, id DESC LIMIT %s OFFSET %s"
        return [row[0] for row in _fetch(sql, [*params, limit, offset])]

    @classmethod
    def similar(cls, words, rarest, subject_id, limit) -> list[int]:
        """Articles with one of `rarest` in the title (the CAP of highest id),
        ranked by any of `words`, the subject's own bm25 doubled (it is
        negative: the lower, the better)."""
        titles = "{title} : (" + " OR ".join(f'"{word}"' for word in rarest) + ")"
        columns = "{title question answer seo_keywords}"
        any_word = f"{columns} : (" + " OR ".join(f'"{w}"' for w in words) + ")"
        sql = f"""
            SELECT {cls.TABLE}.rowid FROM {cls.TABLE}
            JOIN articles_article ON articles_article.id = {cls.TABLE}.rowid
            WHERE {cls.TABLE} MATCH %s AND {cls.TABLE}.rowid >= coalesce((
                SELECT rowid FROM {cls.TABLE} WHERE {cls.TABLE} MATCH %s
                ORDER BY rowid DESC LIMIT 1 OFFSET %s
            ), 0)
            ORDER BY bm25({cls.TABLE}, {cls.WEIGHTS}) * CASE
                WHEN articles_article.subject_id = %s THEN 2 ELSE 1 END,
                articles_article.date DESC, articles_article.id DESC
            LIMIT %s
        """
        params = [f"{titles} AND {any_word}", titles, CAP - 1, subject_id, limit]
        return [row[0] for row in _fetch(sql, params)]

    @classmethod
    def snippet(cls, terms) -> tuple[str, list]:
        """An expression on articles_article: the answer's best passage.

        Words matched as a prefix go unmarked: a prefix query here would be
        run again for each row. A row the whole words miss gets the answer's
        start."""
        whole = [Term(term.text, term.quoted) for term in terms]
        sql = f"""
            coalesce((
                SELECT snippet({cls.TABLE}, 2, %s, %s, '…', %s) FROM {cls.TABLE}
                WHERE {cls.TABLE} MATCH %s AND rowid = articles_article.id
            ), substr(articles_article.answer, 1, %s) || '…')
        """
        params = [START, STOP, SNIPPET_WORDS, cls.match(whole, None), SNIPPET_CHARS]
        return sql, params


class _PostgreSQL:
    TITLE = "to_tsvector('english'::regconfig, articles_article.title)"
    # One passage, as FTS5's snippet() gives: HTML tags in the text are left out.
    HEADLINE = (
        f'StartSel="{START}", StopSel="{STOP}", MaxWords={SNIPPET_WORDS}, '
        "MinWords=12, ShortWord=3"
    )

    @staticmethod
    @contextlib.contextmanager
    def planning():
        """Keep the planner off sequential scans until the transaction ends.

        Under a LIMIT it would rather read rows in order until it has enough,
        not knowing that testing a row means fetching and unpacking its
        tsvector (about 25 µs); the GIN index's bitmap tests none. One query.
        """
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            yield

    @staticmethod
    def tsquery(terms) -> tuple[str, list]:
        """Every term's tsquery, ANDed. A term of stop words only drops out (a
        query of nothing else matches nothing)."""
        parts, params = [], []
        for term in terms:
            if term.prefix:  # a single word of letters and digits: safe syntax
                parts.append("to_tsquery('english'::regconfig, %s)")
                params.append(term.text + ":*")
            else:
                parts.append("phraseto_tsquery('english'::regconfig, %s)")
                params.append(term.text)
        return "(" + " && ".join(parts) + ")", params

    @staticmethod
    def prepare(terms: list[Term]) -> list[Term]:
        """The terms with their word pairs, as search_pairs holds them (see
        migration 0003). One query if a term has several words, else none."""
        if not any(" " in term.text for term in terms):
            return terms
        sql = """
            SELECT term.number, lexeme, positions
            FROM unnest(%s::text[]) WITH ORDINALITY AS term(text, number),
                unnest(to_tsvector('english'::regconfig, term.text))
        """
        at: dict[int, dict[int, str]] = {}
        for number, lexeme, positions in _fetch(sql, [[t.text for t in terms]]):
            for position in positions:
                at.setdefault(number - 1, {})[position] = lexeme
        return [
            dataclasses.replace(term, pairs=_pairs_tsquery(at.get(index, {})))
            for index, term in enumerate(terms)
        ]

    @classmethod
    def where(cls, terms, subject_id, title_only=False) -> tuple[str, list]:
        query, params = cls.tsquery(terms)
        vector = cls.TITLE if title_only else "articles_article.search_vector"
        sql = f"articles_article.status = 'published' AND {vector} @@ {query}"
        pairs = " & ".join(term.pairs for term in terms if term.pairs)
        if pairs and not title_only:
            sql += " AND articles_article.search_pairs @@ %s::tsquery"
            params.append(pairs)
        if subject_id is not None:
            sql += " AND articles_article.subject_id = %s"
            params.append(subject_id)
        return sql, params

    @classmethod
    def matching(cls, terms, subject_id, title_only) -> tuple[str, list]:
        where, params = cls.where(terms, subject_id, title_only)
        return f"SELECT 1 FROM articles_article WHERE {where}", params

    @classmethod
    def ranked(cls, terms, subject_id, title_only, offset, limit) -> list[int]:
        where, params = cls.where(terms, subject_id, title_only)
        query, query_params = cls.tsquery(terms)
        vector = cls.TITLE if title_only else "search_vector"
        sql = f"""
            SELECT id FROM articles_article WHERE {where}
            ORDER BY ts_rank_cd({vector}, {query}) DESC, date DESC, id DESC
            LIMIT %s OFFSET %s
        """
        return [row[0] for row in _fetch(sql, [*params, *query_params, limit, offset])]

    @classmethod
    def newest(cls, terms, subject_id, skip_title_matches, offset, limit):
        where, params = cls.where(terms, subject_id)
        if skip_title_matches:
            query, query_params = cls.tsquery(terms)
            where += f" AND NOT ({cls.TITLE} @@ {query})"
            params += query_params
        sql = f"""
            SELECT id FROM articles_article WHERE {where}
            ORDER BY date DESC, id DESC LIMIT %s OFFSET %s
        """
        return [row[0] for row in _fetch(sql, [*params, limit, offset])]

    @classmethod
    def similar(cls, words, rarest, subject_id, limit) -> list[int]:
        """Articles with one of `rarest` in the title (the CAP of highest id),
        ranked by any of `words`, the subject's own rank doubled. Words are
        letters and digits only: safe tsquery syntax."""
        query = "to_tsquery('english'::regconfig, %s)"
        titles = f"status = 'published' AND {cls.TITLE} @@ {query}"
        sql = f"""
            SELECT id FROM articles_article WHERE {titles} AND id >= coalesce((
                SELECT id FROM articles_article WHERE {titles}
                ORDER BY id DESC LIMIT 1 OFFSET %s
            ), 0)
            ORDER BY ts_rank_cd(search_vector, {query})
                * CASE WHEN subject_id = %s THEN 2 ELSE 1 END DESC,
                date DESC, id DESC
            LIMIT %s
        """
        any_rare, any_word = " | ".join(rarest), " | ".join(words)
        params = [any_rare, any_rare, CAP - 1, any_word, subject_id, limit]
        return [row[0] for row in _fetch(sql, params)]

    @classmethod
    def snippet(cls, terms) -> tuple[str, list]:
        query, params = cls.tsquery(terms)
        sql = f"ts_headline('english'::regconfig, articles_article.answer, {query}, %s)"
        return sql, [*params, cls.HEADLINE]


def _pairs_tsquery(words: dict[int, str]) -> str:
    """`'acut inflamm' & …`: each two words at following positions, quoted as
    tsquery input wants (a quote doubled, a backslash escaped)."""
    pairs = sorted(
        {f"{word} {words[at + 1]}" for at, word in words.items() if at + 1 in words}
    )
    quoted = ("'" + p.replace("\\", "\\\\").replace("'", "''") + "'" for p in pairs)
    return " & ".join(quoted)
