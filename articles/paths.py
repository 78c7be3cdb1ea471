"""Named URLs' paths, remembered: `path_of(name, *args)` is `reverse(name,
args=args)` at a fraction of its cost.

Django's `reverse` costs some 25 microseconds a call (it looks up the active
language and walks the resolver); an article page asks for its subject's path
three times and the site's own paths a dozen. The answer depends only on the
URLconf, the script prefix and the arguments, which are all in the key, and
the remembered answers are forgotten when a test swaps the URLconf.

`paths_now()` is `path_of` for the URLconf and script prefix in force, looked
up once (each lookup of either costs some 3 microseconds, twice a path): the
public templates' `url()` (articles/context_processors.py). `absolute_urls`
turns a request's paths into full URLs, its origin worked out once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.encoding import iri_to_uri

# The site's own names, and one subject path per subject: far fewer than this.
REMEMBERED = 4096


def path_of(name: str, *args: str | int) -> str:
    """The path of the URL named `name` with `args`, as `reverse` gives it."""
    return _remembered(get_urlconf(), get_script_prefix(), name, args)


def paths_now() -> Callable[..., str]:
    """`path_of` bound to the URLconf and script prefix in force now: for the
    dozen paths of one page."""
    urlconf, script_prefix = get_urlconf(), get_script_prefix()

    def path_now(name: str, *args: str | int) -> str:
        return _remembered(urlconf, script_prefix, name, args)

    return path_now


def absolute_urls(request: HttpRequest) -> Callable[[str], str]:
    """A path of this site -> its full URL for `request`, as
    `request.build_absolute_uri(path)` gives it."""
    origin = request.build_absolute_uri("/")[:-1]
    return lambda path: iri_to_uri(origin + path)


@functools.lru_cache(maxsize=REMEMBERED)
def _remembered(urlconf, script_prefix: str, name: str, args: tuple) -> str:
    # `reverse` writes the script prefix in force, which a bound `path_now`
    # may be called after a change of: the path under the one in the key.
    path = reverse(name, urlconf=urlconf, args=args)
    return script_prefix + path.removeprefix(iri_to_uri(get_script_prefix()))


@receiver(setting_changed)
def _urlconf_changed(setting: str, **_signal) -> None:
    if setting == "ROOT_URLCONF":
        _remembered.cache_clear()
