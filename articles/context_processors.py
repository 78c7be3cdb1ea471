"""What every template may use: the site's name."""

from __future__ import annotations

from django.conf import settings


def site(request) -> dict[str, str]:
    return {"site_name": settings.SITE_NAME}
