"""What a reader typed, as search terms, and what the search backends share.

What a reader types never reaches a query language as syntax. It is cut into
terms (a word, or words in double quotes, which must then come together),
reduced to letters and digits, and each term goes to the database's own
tokenizer as a quoted phrase. AND, OR, NOT and NEAR are plain words; other
operators go with the punctuation.
"""

from __future__ import annotations

import dataclasses

from django.db import connection

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MIN_PREFIX_CHARS = 3
SNIPPET_WORDS = 24
SNIPPET_CHARS = 160
# Private-use code points: never markup, and an article that happens to hold
# one gets no tag from it unless it pairs with another.
START, STOP = "\ue000", "\ue001"


@dataclasses.dataclass(frozen=True)
class Term:
    """Words that must occur together, in order; `prefix`: the (single) word may
    be the start of a longer one; `beyond` (with `prefix`): only the articles
    that the terms with this word whole would not find, so that the prefix's
    matches can follow the whole word's without repeating them."""

    text: str
    quoted: bool = False
    prefix: bool = False
    beyond: bool = False
    # PostgreSQL: a tsquery of the pairs of words that follow each other in it.
    pairs: str = ""


def parse_query(query: str) -> list[Term]:
    """The terms of what a reader typed; none if it holds no letter or digit.

    No query. Quoted text is one term, an unclosed quote running to the end.
    At most MAX_TERMS terms, read from the first MAX_QUERY_CHARS characters.
    """
    chunks: list[tuple[str, bool]] = []
    for index, part in enumerate(query[:MAX_QUERY_CHARS].split('"')):
        quoted = index % 2 == 1
        for chunk in [part] if quoted else part.split():
            if words := words_of(chunk):
                chunks.append((" ".join(words), quoted))
    return [Term(text, quoted) for text, quoted in chunks[:MAX_TERMS]]


def words_of(text: str) -> list[str]:
    """The runs of letters and digits in `text`: all a tokenizer keeps, and
    nothing a query language could take for an operator."""
    return "".join(c if c.isalnum() else " " for c in text).split()


def as_prefix(terms: list[Term], *, beyond: bool = False) -> list[Term] | None:
    """The terms with the last one matching as a word's start (only beyond the
    whole word's matches, if `beyond`), or None if it is quoted or not a single
    word of MIN_PREFIX_CHARS letters or more."""
    last = terms[-1] if terms else None
    if last is None or last.quoted or " " in last.text:
        return None
    if len(last.text) < MIN_PREFIX_CHARS:
        return None
    return [*terms[:-1], Term(last.text, prefix=True, beyond=beyond)]


def whole(terms: list[Term]) -> list[Term]:
    """The terms with every word matched whole, as typed."""
    return [Term(term.text, term.quoted, pairs=term.pairs) for term in terms]


def fetch(sql: str, params: list) -> list[tuple]:
    """The rows of one raw query; values go as parameters only."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
