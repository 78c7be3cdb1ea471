"""Template filters for answers: `{% load answers %}`.

`{{ article.answer|render_answer }}` is the answer as safe HTML (see
`articles.rendering`; about a millisecond or two per answer). `{% if
article.answer|has_math %}` says whether the page needs KaTeX (a scan of the
text, no rendering).

No public page uses them: an article's page shows the HTML stored when the
article was written (`article.answer_html`, `article.answer_has_math`), and
runs no Markdown. They are for text rendered on purpose, at its request.
"""

from __future__ import annotations

from django import template

from articles import rendering

register = template.Library()

register.filter("render_answer", rendering.render_answer)
register.filter("has_math", rendering.has_math)
