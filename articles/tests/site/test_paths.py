"""Remembered paths of named URLs follow the script prefix and the URLconf,
as `reverse` does."""

from __future__ import annotations

from django.urls import clear_script_prefix, set_script_prefix

from articles.paths import path_of


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
