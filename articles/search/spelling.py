"""Did you mean …: the words of a search that found nothing, spelt as the
index holds them.

    suggest_spelling(backend, terms)  # "hepatocellular carcinoma", or None

Each word of four letters or more (MIN_CHARS) that no published article
holds is replaced with the closest word that some do, within a few edits
(`max_edits`: letters added, dropped, changed or two swapped); words the index
knows stay as typed. The vocabulary is the index's own, so it holds the
published articles' words only, never a draft's:

- SQLite: the fts5vocab table over the FTS5 index (migration 0016). Its terms
  are porter stems ("inflamm"), so candidates are stems, compared with the
  start of the word typed (`prefix_distance`), and each of the closest few is
  read back as written from an article that holds it (sqlite.py).
- PostgreSQL: a table of the published articles' words with a trigram index
  (pg_trgm), kept by triggers on every write (migration 0016); a word still in
  it after its articles went is never suggested, as the closest candidates
  are checked against the index.

The policy then checks that the suggestion finds something before offering it.
"""

from __future__ import annotations

import unicodedata

from .terms import Term

MIN_CHARS = 4
# Words corrected in one query, at most: each costs a query or two. Words
# looked up to tell the unknown ones, at most (in one query).
MAX_WORDS = 3
MAX_CHECKED = 12
# The closest candidates of a word checked against the index, at most.
MAX_TRIED = 3
# The longest word corrected: beyond, the distance costs more than it finds.
MAX_CHARS = 40


def suggest_spelling(backend, terms: list[Term]) -> str | None:
    """The query with its unknown words replaced by the index's closest, or
    None if every word is known or none has a close one. One query to tell the
    known words, one or two per unknown word (MAX_WORDS at most) for its
    candidates, and one to check that the closest are published words."""
    words = list(dict.fromkeys(word for term in terms for word in term.text.split()))
    words = [word for word in words if _correctable(word)][:MAX_CHECKED]
    if not words:
        return None
    known = backend.known_words([word.lower() for word in words])
    unknown = [word for word in words if word.lower() not in known][:MAX_WORDS]
    tried = {
        word: closest(word.lower(), backend.close_words(word.lower()))[:MAX_TRIED]
        for word in unknown
    }
    candidates = sorted({candidate for each in tried.values() for candidate in each})
    published = backend.known_words(candidates) if candidates else set()
    replacements = {
        word: next(candidate for candidate in each if candidate in published)
        for word, each in tried.items()
        if published.intersection(each)
    }
    if not replacements:
        return None
    return " ".join(_respelt(term, replacements) for term in terms)


def closest(word: str, candidates: list[tuple[str, int]]) -> list[str]:
    """The candidates (a word and how many articles hold it) within max_edits
    of `word`, fewest edits first, then the most frequent, then in the
    backend's order."""
    scored = sorted(
        (edit_distance(word, candidate), -articles, place, candidate)
        for place, (candidate, articles) in enumerate(candidates)
        if candidate != word
    )
    return [candidate for edits, *_, candidate in scored if edits <= max_edits(word)]


def max_edits(word: str) -> int:
    """How far a word may be from its suggestion: one edit for a short word,
    two from seven letters on."""
    return 1 if len(word) < 7 else 2


def edit_distance(a: str, b: str) -> int:
    """Letters added, dropped, changed, or two next to each other swapped (the
    optimal string alignment distance). O(len(a) * len(b))."""
    return _distances(a, b)[-1]


def prefix_distance(stem: str, word: str) -> int:
    """How far `stem` is from the closest start of `word` that leaves at most
    five letters over (the suffix a stemmer drops): `inflamm` is one edit from
    `inflamation`. O(len(stem) * len(word))."""
    row = _distances(stem, word)
    return min(row[max(len(word) - 5, 0) :])


def _distances(a: str, b: str) -> list[int]:
    """The optimal string alignment distances of `a` to each start of `b`."""
    before, row = [], list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        above, row = row, [i]
        for j, other in enumerate(b, 1):
            cost = char != other
            best = min(above[j] + 1, row[j - 1] + 1, above[j - 1] + cost)
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                best = min(best, before[j - 2] + 1)
            row.append(best)
        before = above
    return row


def fold(word: str) -> str:
    """Lower case without diacritics, as FTS5's tokenizer (unicode61
    remove_diacritics 2) indexes words."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _correctable(word: str) -> bool:
    """A word of letters (no number is a misspelling), neither too short to
    tell what was meant nor too long to compare."""
    return word.isalpha() and MIN_CHARS <= len(word) <= MAX_CHARS


def _respelt(term: Term, replacements: dict[str, str]) -> str:
    text = " ".join(replacements.get(word, word) for word in term.text.split())
    return f'"{text}"' if term.quoted else text
