"""The format's limits: how large a file and its texts may be, how many related
articles it names, and what its slugs and URLs look like."""

from __future__ import annotations

import re

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 100
# The longest text each field may hold, in characters; the models use the same.
MAX_CHARS = {
    "_schema": 100,
    "title": 500,
    "article_title": 500,
    "date_format": 100,
    "post_on_text": 100,
    "author": 200,
    "question": 2000,
    "answer": 200_000,
    "subject": 200,
    "file_name": 300,
    "url": 300,
    "seo.title": 500,
    "seo.page_description": 2000,
    "seo.page_keywords": 2000,
}
# A file names at most five related articles: related_article1 to related_article5.
MAX_RELATED = 5
RELATED_KEYS = tuple(f"related_article{n}" for n in range(1, MAX_RELATED + 1))
# A subject's or an article's part of a URL: lower-case words joined by hyphens,
# sometimes two (real slugs drop a sign between words: "...-line-y--x").
SLUG_PATTERN = r"[a-z0-9]+(?:-+[a-z0-9]+)*"
# \A and \Z, not ^ and $: `$` also matches before a final newline.
URL_PATTERN = re.compile(
    rf"\A/learn/(?P<subject>{SLUG_PATTERN})/questions/(?P<slug>{SLUG_PATTERN})\Z"
)


def article_url(subject_slug: str, slug: str) -> str:
    """The URL of the article `slug` of the subject `subject_slug`."""
    return f"/learn/{subject_slug}/questions/{slug}"
