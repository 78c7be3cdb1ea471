"""`manage.py check --deploy` with the README's production settings gives no
warning, and the headers those settings turn on are sent.

Settings are read from the environment when Django starts, so each case runs
manage.py in a process of its own with the environment it names.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
README = ROOT / "README.md"
ENV_BLOCK = re.compile(r"```sh\n(# The production environment\..*?)```", re.S)


def readme_environment() -> dict[str, str]:
    """The variables of the README's production environment file, with a
    fresh secret key for its placeholder."""
    [block] = ENV_BLOCK.findall(README.read_text(encoding="utf-8"))
    lines = [line for line in block.splitlines() if line and not line[0] == "#"]
    environment = dict(line.split("=", 1) for line in lines)
    assert environment["SECRET_KEY"].startswith("<"), "a real key in the README"
    environment["SECRET_KEY"] = secrets.token_urlsafe(50)
    return environment


def manage(*arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    """manage.py run with only `environment` (and PATH) as its environment."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_readme_production_settings_pass_the_deploy_check():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=readme_environment()
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_without_them_the_deploy_check_names_hsts_and_the_ssl_redirect():
    minimal = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "x.example"}

    result = manage("check", "--deploy", environment=minimal)

    assert "security.W004" in result.stderr  # HSTS
    assert "security.W008" in result.stderr  # the SSL redirect


PRINT_HEADERS = """
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
insecure = Client().get("/no-such-page", headers={"host": "learn.example.com"})
secure = Client().get(
    "/no-such-page", secure=True, headers={"host": "learn.example.com"}
)
print(insecure.status_code, insecure["Location"])
print(secure.status_code, secure["Strict-Transport-Security"])
print(secure["Content-Security-Policy"])
"""


def test_the_readme_production_settings_send_hsts_the_redirect_and_the_policy():
    environment = readme_environment()
    # A page not found reads no database; the README's PostgreSQL is not here.
    environment["DATABASE_URL"] = "sqlite:///:memory:"
    environment.pop("REDIS_URL")
    environment.pop("BEHIND_HTTPS_PROXY")  # the test client says https itself

    result = manage("shell", "-c", PRINT_HEADERS, environment=environment)

    assert result.returncode == 0, result.stderr
    redirect, hsts, policy = result.stdout.splitlines()[-3:]
    assert redirect == "301 https://learn.example.com/no-such-page"
    assert hsts == "404 max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in policy and "style-src 'self'" in policy


PRINT_POLICY_HEADERS = """
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/no-such-page")
print(response.get("Content-Security-Policy", "none"))
print(response.get("Content-Security-Policy-Report-Only", "none"))
"""


def test_a_policy_can_be_tried_in_report_only_mode():
    environment = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "sqlite:///:memory:",
        "CSP_REPORT_ONLY": "true",
        "CSP_REPORT_URI": "https://reports.example/csp",
    }

    result = manage("shell", "-c", PRINT_POLICY_HEADERS, environment=environment)

    assert result.returncode == 0, result.stderr
    enforced, reported = result.stdout.splitlines()[-2:]
    assert enforced == "none"
    assert "script-src 'self'" in reported
    assert reported.endswith("; report-uri https://reports.example/csp")
