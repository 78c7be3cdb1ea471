"""What every template may use: the site's name; and the public templates'
`url()`, bound to this request's URLconf once (articles/paths.py)."""

from __future__ import annotations

from django.conf import settings

from .paths import paths_now


def site(request) -> dict[str, str]:
    return {"site_name": settings.SITE_NAME}


def paths(request) -> dict:
    """For the Jinja2 templates only: there `url` stands for their global
    `url()` (`path_of`), bound; in the admin's templates it could shadow a
    variable of theirs."""
    return {"url": paths_now()}
