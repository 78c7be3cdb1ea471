"""Search on SQLite: the FTS5 table of migration 0003 (index.py keeps
it in step), ranked by bm25. Every method is one query, or an expression for
one; values go as parameters, and FTS5 query text is built from terms that hold
letters, digits and spaces only (terms.parse_query).
"""

from __future__ import annotations

import contextlib

from .index import SEARCH_TABLE
from .terms import SNIPPET_CHARS, SNIPPET_WORDS, START, STOP, Term, fetch


class SQLiteSearch:
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
                articles_article.date DESC NULLS LAST, articles_article.id DESC
            LIMIT %s OFFSET %s
        """
        params = [cls.match(terms, subject_id, title_only), limit, offset]
        return [row[0] for row in fetch(sql, params)]

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
        sql += " ORDER BY date DESC NULLS LAST, id DESC LIMIT %s OFFSET %s"
        return [row[0] for row in fetch(sql, [*params, limit, offset])]

    @classmethod
    def similar(cls, words, rarest, subject_id, limit, among) -> list[int]:
        """Articles with one of `rarest` in the title (the `among` of highest id),
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
                articles_article.date DESC NULLS LAST, articles_article.id DESC
            LIMIT %s
        """
        params = [f"{titles} AND {any_word}", titles, among - 1, subject_id, limit]
        return [row[0] for row in fetch(sql, params)]

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
