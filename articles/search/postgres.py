"""Search on PostgreSQL: the generated tsvector columns `search_vector` and
`search_pairs` of migration 0003 with their GIN indexes, ranked by
ts_rank_cd. Every method is one query, or an expression for one; values go as
parameters only.
"""

from __future__ import annotations

import contextlib
import dataclasses

from django.db import connection, transaction

from .terms import SNIPPET_WORDS, START, STOP, Term, fetch, whole


class PostgresSearch:
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
        for number, lexeme, positions in fetch(sql, [[t.text for t in terms]]):
            for position in positions:
                at.setdefault(number - 1, {})[position] = lexeme
        return [
            dataclasses.replace(term, pairs=_pairs_tsquery(at.get(index, {})))
            for index, term in enumerate(terms)
        ]

    @classmethod
    def matched(cls, terms, hidden: bool = True, beyond=True) -> tuple[str, list]:
        """The tsquery to match: a `beyond` term's leaves out what the same
        terms, all whole, match (`!!`, which the GIN index answers itself),
        unless not `beyond`.

        A query with a prefix is `hidden` in a subquery, out of the planner's
        sight: seeing one, it expects the index's partial match to cost more
        than reading every published row's tsvector (100 ms at 100,000 rows),
        where a bitmap of the matching rows costs a third of that. Newest
        first, it had better see it: it walks the date index and stops at the
        page (15 ms, where the bitmap of every match takes 160)."""
        query, params = cls.tsquery(terms)
        if not any(term.prefix for term in terms):
            return query, params
        if beyond and any(term.beyond for term in terms):
            whole_query, whole_params = cls.tsquery(whole(terms))
            query = f"{query} && !!{whole_query}"
            params += whole_params
        return (f"(SELECT {query})" if hidden else f"({query})"), params

    @classmethod
    def where(cls, terms, subject_id, title_only=False, hidden=True):
        """In the title only, a `beyond` term still leaves out what the terms
        all whole match anywhere: the first tier has those."""
        query, params = cls.matched(terms, hidden, beyond=not title_only)
        vector = cls.TITLE if title_only else "articles_article.search_vector"
        sql = f"articles_article.status = 'published' AND {vector} @@ {query}"
        if title_only and any(term.beyond for term in terms):
            whole_query, whole_params = cls.tsquery(whole(terms))
            sql += f" AND NOT (articles_article.search_vector @@ {whole_query})"
            params += whole_params
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
            ORDER BY ts_rank_cd({vector}, {query}) DESC, date DESC NULLS LAST, id DESC
            LIMIT %s OFFSET %s
        """
        return [row[0] for row in fetch(sql, [*params, *query_params, limit, offset])]

    @classmethod
    def newest(cls, terms, subject_id, skip_title_matches, offset, limit):
        where, params = cls.where(terms, subject_id, hidden=False)
        if skip_title_matches:
            # The title matches, which the ranked title matches listed.
            query, query_params = cls.matched(terms, hidden=False, beyond=False)
            where += f" AND NOT ({cls.TITLE} @@ {query})"
            params += query_params
        sql = f"""
            SELECT id FROM articles_article WHERE {where}
            ORDER BY date DESC NULLS LAST, id DESC LIMIT %s OFFSET %s
        """
        return [row[0] for row in fetch(sql, [*params, limit, offset])]

    @classmethod
    def similar(cls, words, rarest, subject_id, limit, among) -> list[int]:
        """Articles with one of `rarest` in the title (the `among` of highest id),
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
                date DESC NULLS LAST, id DESC
            LIMIT %s
        """
        any_rare, any_word = " | ".join(rarest), " | ".join(words)
        params = [any_rare, any_rare, among - 1, any_word, subject_id, limit]
        return [row[0] for row in fetch(sql, params)]

    @classmethod
    def snippet(cls, terms) -> tuple[str, list]:
        query, params = cls.tsquery(terms)
        sql = f"ts_headline('english'::regconfig, articles_article.answer, {query}, %s)"
        return sql, [*params, cls.HEADLINE]

    # Did you mean … (spelling.py): the word table of migration 0016.

    # Candidates per misspelt word, at most, before they are checked.
    CLOSE_WORDS = 10

    @classmethod
    def known_words(cls, words: list[str]) -> set[str]:
        """Those of `words` that some published article holds, or that the
        configuration drops (a stop word is never misspelt). One query: an
        index lookup each, through the GIN index of published rows."""
        sql = """
            SELECT word FROM unnest(%s::text[]) AS word
            WHERE numnode(plainto_tsquery('english'::regconfig, word)) = 0
                OR EXISTS (
                    SELECT 1 FROM articles_article WHERE status = 'published'
                    AND search_vector @@ plainto_tsquery('english'::regconfig, word)
                )
        """
        return {row[0] for row in fetch(sql, [words])}

    @classmethod
    def close_words(cls, word: str) -> list[tuple[str, int]]:
        """Words spelt like `word` (pg_trgm's similarity, over the trigram
        index), closest first, from the table of the words articles were
        published with: whether one still is is for known_words to tell. How
        many articles hold each is not counted (0). One query."""
        sql = """
            SELECT word, 0 FROM articles_search_word
            WHERE word %% %s
                AND numnode(plainto_tsquery('english'::regconfig, word)) > 0
            ORDER BY similarity(word, %s) DESC, word LIMIT %s
        """
        return fetch(sql, [word, word, cls.CLOSE_WORDS])


def _pairs_tsquery(words: dict[int, str]) -> str:
    """`'acut inflamm' & …`: each two words at following positions, quoted as
    tsquery input wants (a quote doubled, a backslash escaped)."""
    pairs = sorted(
        {f"{word} {words[at + 1]}" for at, word in words.items() if at + 1 in words}
    )
    quoted = ("'" + p.replace("\\", "\\\\").replace("'", "''") + "'" for p in pairs)
    return " & ".join(quoted)
