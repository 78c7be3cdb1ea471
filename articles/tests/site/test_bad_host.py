"""A request for a host the site does not serve gets a 400 and one log line,
whatever it asks for and whichever middleware would read the host first."""

from __future__ import annotations

import logging

import pytest

from ..factories import make_article

pytestmark = pytest.mark.django_db

EVIL = "evil.example"


def records_of(caplog) -> list[tuple[str, int, str, bool]]:
    """(logger, level, message, has a traceback) of each record logged."""
    return [
        (record.name, record.levelno, record.getMessage(), record.exc_info is not None)
        for record in caplog.records
    ]


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/"),
        ("get", "/learn/medicine/questions/what-is-a-test"),
        ("get", "/search/?q=cortex"),
        ("head", "/"),
        ("get", "/admin/"),
        ("post", "/admin/login/"),
        ("get", "/static/css/site.css"),
    ],
)
def test_a_disallowed_host_gets_400_and_one_warning_line(client, log, method, path):
    make_article("what-is-a-test")
    log.clear()  # what the request logs, not the setup (Markdown's first use)

    response = getattr(client, method)(path, HTTP_HOST=EVIL)

    assert response.status_code == 400
    assert records_of(log) == [
        (
            "django.security.DisallowedHost",
            logging.WARNING,
            f"Invalid HTTP_HOST header: '{EVIL}'. "
            f"You may need to add '{EVIL}' to ALLOWED_HOSTS.",
            False,
        )
    ]


def test_a_malformed_host_is_logged_on_one_line_too(client, log):
    response = client.get("/", HTTP_HOST="bad host\nX-Injected: 1")

    assert response.status_code == 400
    [(name, level, message, traceback)] = records_of(log)
    assert (name, level, traceback) == (
        "django.security.DisallowedHost",
        logging.WARNING,
        False,
    )
    assert "\n" not in message and "RFC 1034/1035" in message


def test_the_ssl_redirect_does_not_meet_a_disallowed_host(client, log, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/", HTTP_HOST=EVIL)

    assert response.status_code == 400
    assert [record[1] for record in records_of(log)] == [logging.WARNING]


def test_an_allowed_host_is_served_and_logs_nothing(client, log):
    make_article("what-is-a-test")

    response = client.get("/learn/medicine/questions/what-is-a-test")

    assert response.status_code == 200
    assert [r for r in records_of(log) if r[1] >= logging.WARNING] == []
