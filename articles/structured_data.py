"""What a page tells search engines about itself: breadcrumbs and JSON-LD.

An article is described as schema.org `Article` with a `BreadcrumbList`, not as
`QAPage`: Google reserves that for pages where readers can post answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from .models import Article

# Google shows at most this many characters of a headline.
HEADLINE_CHARS = 110

# What may not appear raw inside <script>: it could end the element.
# (str.replace, three times: str.translate takes twenty times as long on a
# text with any character outside ASCII.)
_SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


# JSON as short as it can be, with its text as it is (UTF-8 on the page): one
# encoder for every page, where json.dumps would make one each time.
_compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass(frozen=True)
class Crumb:
    """One step of a page's breadcrumb trail: Learn › Subject › Question."""

    name: str
    url: str


def article_json_ld(
    article: Article, crumbs: list[Crumb], absolute: Callable[[str], str]
) -> list[dict[str, Any]]:
    """The article and its breadcrumb trail as schema.org objects; `absolute`
    turns a path into a full URL. Reads only the article and its subject.
    Without a date the article has no datePublished (schema.org and Google
    take it as optional)."""
    posted = {"datePublished": article.posted_at.isoformat()} if article.date else {}
    return [
        {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": _headline(article.title),
            "description": article.seo_description or article.question,
            **posted,
            "dateModified": article.updated_at.isoformat(),
            "author": _author(article.author),
            "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
            "mainEntityOfPage": absolute(article.url),
            "articleSection": article.subject.name,
            "keywords": article.seo_keywords,
            "inLanguage": "en",
        },
        breadcrumb_list(crumbs, absolute),
    ]


def breadcrumb_list(
    crumbs: list[Crumb], absolute: Callable[[str], str]
) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": crumb.name,
                "item": absolute(crumb.url),
            }
            for position, crumb in enumerate(crumbs, 1)
        ],
    }


def json_ld_script(data: Any) -> SafeString:
    """A `<script type="application/ld+json">` element holding `data`, escaped
    so that no text of an article can close the element early."""
    text = _compact_json(data)
    for character, escape in _SCRIPT_ESCAPES:
        text = text.replace(character, escape)
    # Safe: every <, > and & of the text is escaped.
    return mark_safe('<script type="application/ld+json">' + text + "</script>")


def _headline(title: str) -> str:
    if len(title) <= HEADLINE_CHARS:
        return title
    return title[: HEADLINE_CHARS - 1].rstrip() + "…"


def _author(name: str) -> dict[str, str]:
    if not name or name == settings.SITE_NAME:
        return {"@type": "Organization", "name": settings.SITE_NAME}
    return {"@type": "Person", "name": name}
