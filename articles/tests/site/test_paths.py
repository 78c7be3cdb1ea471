"""Remembered paths of named URLs follow the script prefix and the URLconf,
as `reverse` does."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import clear_script_prefix, set_script_prefix

from articles.paths import absolute_urls, path_of, paths_now


def test_a_path_is_the_one_reverse_gives():
    assert path_of("articles:subject", "medicine") == "/learn/medicine/"
    assert path_of("articles:subject_index") == "/learn/"


def test_a_path_follows_the_script_prefix_of_the_request():
    assert path_of("articles:subject", "medicine") == "/learn/medicine/"
    set_script_prefix("/site/")
    try:
        assert path_of("articles:subject", "medicine") == "/site/learn/medicine/"
    finally:
        clear_script_prefix()
    assert path_of("articles:subject", "medicine") == "/learn/medicine/"


def test_a_path_follows_a_swapped_urlconf(settings):
    assert path_of("articles:subject_index") == "/learn/"

    settings.ROOT_URLCONF = "articles.tests.site.moved_urls"

    assert path_of("articles:subject_index") == "/moved/learn/"


def test_paths_now_are_bound_to_the_script_prefix_they_were_made_under():
    plain = paths_now()
    set_script_prefix("/site/")
    try:
        prefixed = paths_now()
    finally:
        clear_script_prefix()

    assert plain("articles:subject", "medicine") == "/learn/medicine/"
    assert prefixed("articles:subject", "medicine") == "/site/learn/medicine/"
    assert prefixed("articles:subject_index") == "/site/learn/"


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize(
    "path", ["/learn/medicine/", "/learn/médecine/questions/a--b", "/search/?q=a b"]
)
def test_absolute_urls_are_those_build_absolute_uri_gives(path, secure, settings):
    settings.ALLOWED_HOSTS = ["example.org"]
    request = RequestFactory().get("/", HTTP_HOST="example.org:8443", secure=secure)

    assert absolute_urls(request)(path) == request.build_absolute_uri(path)
