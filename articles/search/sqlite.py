"""Search on SQLite: the FTS5 table of migration 0003 (index.py keeps
it in step), ranked by bm25. Every method is one query, or an expression for
one; values go as parameters, and FTS5 query text is built from terms that hold
letters, digits and spaces only (terms.parse_query).
"""

from __future__ import annotations

import contextlib
import re

from .index import INSTANCES_TABLE, SEARCH_TABLE, VOCABULARY_TABLE
from .spelling import fold, max_edits, prefix_distance
from .terms import SNIPPET_CHARS, SNIPPET_WORDS, START, STOP, Term, fetch, whole


class SQLiteSearch:
    TABLE = SEARCH_TABLE
    VOCABULARY = VOCABULARY_TABLE
    INSTANCES = INSTANCES_TABLE
    TEXT_COLUMNS = "{title question answer seo_keywords}"
    # Candidate stems share a word's first letters: a range of the vocabulary,
    # whose cost is the postings of its terms (fts5vocab counts them all).
    SAME_START = 3
    # Stems read back as written, at most, per misspelt word.
    SPELT_STEMS = 4
    # bm25 weights by column: title, question, answer, seo_keywords, subject_id.
    WEIGHTS = "10.0, 4.0, 1.0, 2.0, 0.0"
    planning = contextlib.nullcontext

    @staticmethod
    def prepare(terms: list[Term]) -> list[Term]:
        return terms

    @classmethod
    def match(cls, terms, subject_id, title_only=False) -> str:
        """An FTS5 query: every term a quoted phrase, within the text columns
        (or the title), and the subject's id in its own column. A `beyond`
        term leaves out what the same terms, all whole, match."""
        columns = "title" if title_only else "title question answer seo_keywords"
        match = f"{{{columns}}} : ({cls.phrases(terms)})"
        if subject_id is not None:
            match += f' AND {{subject_id}} : "{int(subject_id)}"'
        if any(term.beyond for term in terms):
            # Not in any column: the first tier has those, title or not.
            whole_match = f"{cls.TEXT_COLUMNS} : ({cls.phrases(whole(terms))})"
            match = f"({match}) NOT {whole_match}"
        return match

    @staticmethod
    def phrases(terms) -> str:
        return " ".join(
            '"' + term.text.replace('"', '""') + '"' + ("*" if term.prefix else "")
            for term in terms
        )

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
        sql = f"""
            coalesce((
                SELECT snippet({cls.TABLE}, 2, %s, %s, '…', %s) FROM {cls.TABLE}
                WHERE {cls.TABLE} MATCH %s AND rowid = articles_article.id
            ), substr(articles_article.answer, 1, %s) || '…')
        """
        params = [
            START,
            STOP,
            SNIPPET_WORDS,
            cls.match(whole(terms), None),
            SNIPPET_CHARS,
        ]
        return sql, params

    # Did you mean … (spelling.py): the fts5vocab table of migration 0016.

    @classmethod
    def known_words(cls, words: list[str]) -> set[str]:
        """Those of `words` that some published article holds. One query."""
        parts = [f"(SELECT 1 FROM {cls.TABLE} WHERE {cls.TABLE} MATCH %s)"] * len(words)
        params = [cls.match([Term(word)], None) for word in words]
        found = fetch("SELECT " + ", ".join(parts), params)[0]
        return {word for word, hit in zip(words, found, strict=True) if hit}

    @classmethod
    def close_words(cls, word: str) -> list[tuple[str, int]]:
        """Words of the index spelt like `word`, as written, with how many
        articles hold them. Two queries: the vocabulary's stems that start
        with the same letters, then the closest few read back as written."""
        start = fold(word)[: cls.SAME_START]
        stop = start[:-1] + chr(ord(start[-1]) + 1)
        sql = f"SELECT term, doc FROM {cls.VOCABULARY} WHERE term >= %s AND term < %s"
        scored = sorted(
            (prefix_distance(stem, fold(word)), -articles, stem)
            for stem, articles in fetch(sql, [start, stop])
            if stem.isalpha()
        )
        near = [(stem, -minus) for far, minus, stem in scored if far <= max_edits(word)]
        return cls.as_written(near[: cls.SPELT_STEMS])

    @classmethod
    def as_written(cls, stems: list[tuple[str, int]]) -> list[tuple[str, int]]:
        """Each stem as the first article holding it writes it, lower case: its
        first instance (the fts5vocab instance table gives the column and the
        word's number in it), read from the article's text. One query."""
        if not stems:
            return []
        arm = f"""SELECT * FROM (
            SELECT %s, instance.offset, CASE instance.col
                WHEN 'title' THEN article.title WHEN 'question' THEN article.question
                WHEN 'answer' THEN article.answer ELSE article.seo_keywords END
            FROM {cls.INSTANCES} AS instance
            JOIN articles_article AS article ON article.id = instance.doc
            WHERE instance.term = %s AND instance.col != 'subject_id' LIMIT 1
        )"""
        params = [value for stem, _ in stems for value in (stem, stem)]
        found = {
            stem: (offset, text)
            for stem, offset, text in fetch(
                " UNION ALL ".join([arm] * len(stems)), params
            )
        }
        written = []
        for stem, articles in stems:
            offset, text = found.get(stem, (0, ""))
            words = fts5_words(text or "")
            word = words[offset].lower() if offset < len(words) else ""
            # Python's reading of the text could differ from FTS5's on rare
            # characters: a word that does not start as its stem is left out.
            if fold(word)[: cls.SAME_START] == stem[: cls.SAME_START]:
                written.append((word, articles))
        return written


def fts5_words(text: str) -> list[str]:
    """The words of `text` as FTS5's unicode61 tokenizer cuts them: runs of
    letters, digits, marks and private-use characters."""
    return _WORD.findall(text)


_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f\ue000-\uf8ff])+")
