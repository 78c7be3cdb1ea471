"""The public pages' template engine: Jinja2, set up for this site.

The pages readers see (templates/jinja2/) are Jinja2 templates: they compile
to Python and render several times faster than Django's engine, which the
admin keeps. They may use what Django's templates would: `static()` and
`url()`, and the filters `date` (Django's, in the site's time zone),
`pluralize`, `urlencode` and `json_ld`; `page_url(request, n)` for a
paginated page's address.
"""

from __future__ import annotations

from django.template.defaultfilters import date, pluralize, urlencode
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment

from articles.structured_data import json_ld_script


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals.update(static=static, url=url, page_url=page_url)
    env.filters.update(
        date=date, pluralize=pluralize, urlencode=urlencode, json_ld=json_ld_script
    )
    return env


def url(name: str, *args) -> str:
    """`reverse(name, args=args)`: the path of a named URL."""
    return reverse(name, args=args)


def page_url(request, number: int) -> str:
    """`?q=…&subject=…&page=n`: the request's parameters kept, the page replaced."""
    params = request.GET.copy()
    params["page"] = number
    return "?" + params.urlencode()
