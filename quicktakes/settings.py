"""Settings for QuickTakes, read from the environment.

Every setting a deployment changes comes from an environment variable (see the
README's table); the defaults give a working development site on SQLite.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for development).")
    SECRET_KEY = "development-only-key-not-for-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "markdownify",
    "reversion",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "articles",
]

MIDDLEWARE = [
    # A disallowed Host is answered 400 with one log line, before the SSL
    # redirect or the page cache's key would read it (quicktakes/host_check.py).
    "quicktakes.host_check.HostCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # Cached pages are answered here, before the session and everything below.
    "articles.page_cache.PageCacheMiddleware",
    # Content-Security-Policy (django-csp, its policy built once:
    # quicktakes/security_policy.py). Below the page cache: a kept page keeps
    # its policy header, so a page
    # from the cache costs no policy built again; the policy is part of every
    # page's cache key, so a new policy is never served an old one's pages.
    "quicktakes.security_policy.PolicyMiddleware",
    # An admin address with a NUL byte answers 400 before any view queries it.
    "articles.admin.bad_input.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Refuses a POST to the admin's import upload page from anyone who may not
    # import, or past IMPORT_MAX_UPLOAD_BYTES, before its body is read: every
    # middleware's request phase runs before CSRF's process_view reads the body.
    # Last, so that the others' response phases apply to the pages it answers.
    "articles.importing.upload_guard.ImportUploadGuardMiddleware",
]

ROOT_URLCONF = "quicktakes.urls"
WSGI_APPLICATION = "quicktakes.wsgi.application"
# /learn/<subject>/questions/<slug> and the same with a trailing slash both
# answer (see articles/urls.py), so no redirect is needed to add one.
APPEND_SLASH = False

TEMPLATES = [
    {
        # The public pages (templates/jinja2/): see articles/templating.py.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "articles.templating.environment",
            "autoescape": True,
            "auto_reload": DEBUG,
            "context_processors": [
                "articles.context_processors.site",
                "articles.context_processors.paths",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file on this machine: nothing to check before reusing a connection.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while an import writes; IMMEDIATE takes the
        # write lock at the start of a transaction instead of failing midway.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: compiling takes 100-150 ms, more than these short queries run,
    # and the planner asks for it wherever it overrates a correlated subquery
    # (the worklist of articles with few links: 470 ms with JIT, 14 without).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The name readers see in titles, feeds and structured data.
SITE_NAME = os.environ.get("SITE_NAME", "QuickTakes")

# The static site (`manage.py build_site`, articles/static_site/): where it is
# written, the URL it is served at, where its search form sends readers
# (empty: no search form), and whether the worker rebuilds it after every
# import and edit.
STATIC_SITE_DIR = os.environ.get("STATIC_SITE_DIR", "")
STATIC_SITE_BASE_URL = os.environ.get("STATIC_SITE_BASE_URL", "http://localhost:8000")
STATIC_SITE_SEARCH_URL = os.environ.get("STATIC_SITE_SEARCH_URL", "")
STATIC_SITE_REBUILD = env_bool("STATIC_SITE_REBUILD", False)
if STATIC_SITE_REBUILD and not STATIC_SITE_DIR:
    raise ImproperlyConfigured("STATIC_SITE_REBUILD needs STATIC_SITE_DIR")

# Public pages are cached whole until the content changes (articles/page_cache.py).
# Set REDIS_URL in production so every worker shares one cache; without it each
# process keeps its own in memory.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "3600"))
# A page is kept from its second request within PAGE_CACHE_SECONDS: the many
# pages asked once (readers from search engines, crawlers) cost a render and
# no trip to the cache (articles/page_cache/keeping.py, PageCacheMiddleware).
PAGE_CACHE_FROM_SECOND_REQUEST = env_bool("PAGE_CACHE_FROM_SECOND_REQUEST", True)
# The record of which pages this machine was asked for and kept, shared by its
# processes (articles/page_cache/asked_pages.py): a file of 4 bytes a slot, by
# default in the system's temporary folder, named after the cache.
PAGE_CACHE_ASKED_FILE = os.environ.get("PAGE_CACHE_ASKED_FILE", "")
PAGE_CACHE_ASKED_SLOTS = int(os.environ.get("PAGE_CACHE_ASKED_SLOTS", str(1 << 20)))
# Search pages take any text, so they share this many cache entries, whatever
# a client asks for: 1,000 results pages of about 20 KB, some 20 MB at most.
PAGE_CACHE_SEARCH_SLOTS = int(os.environ.get("PAGE_CACHE_SEARCH_SLOTS", "1000"))
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "quicktakes.redis_cache.ReusedClientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "quicktakes"),
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The site's time zone: scheduled publishing's times are entered and shown in it.
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Imports uploaded in the admin (articles/importing/uploads.py): each upload is
# unpacked into a fresh folder here and kept until it is confirmed or discarded.
IMPORT_STAGING_DIR = Path(
    os.environ.get("IMPORT_STAGING_DIR") or BASE_DIR / "var" / "imports"
)
# A dry run left unconfirmed this long is discarded (its staged files removed,
# its report kept) when the next upload starts.
# Background jobs: imports run in a worker (`manage.py db_worker`), queued in
# the database by default; any django-tasks backend can be named instead.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A batch whose job has not reported for this long is taken for stopped (its
# worker died): its page says so and offers to run it again.
IMPORT_STALLED_MINUTES = int(os.environ.get("IMPORT_STALLED_MINUTES", "10"))
IMPORT_DRY_RUN_DAYS = int(os.environ.get("IMPORT_DRY_RUN_DAYS", "7"))
# SQLite's page cache for the connection running an import (0: SQLite's 2 MB).
IMPORT_SQLITE_CACHE_MB = int(os.environ.get("IMPORT_SQLITE_CACHE_MB", "256"))
# The defaults take a zip of the real corpus (35,915 files, about 120 MB
# unpacked, 40 folders) and of a 100,000-file batch (make_corpus.py: 390 MB
# unpacked, 174 MB zipped), with room to spare.
# Most one upload's request body may carry: refused at once when its
# Content-Length says more, stopped as it streams in past it otherwise
# (articles/importing/upload_guard.py).
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_MB", "512")) << 20
# What one upload may unpack to: a zip over any of these is refused whole.
IMPORT_MAX_ENTRIES = int(os.environ.get("IMPORT_MAX_ENTRIES", "150000"))
IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("IMPORT_MAX_UNPACKED_MB", "1024")) << 20
IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("IMPORT_MAX_ZIP_RATIO", "100"))
# Most the staged files of every upload awaiting confirmation may take together:
# four uploads of IMPORT_MAX_UNPACKED_MB, ten of the 100,000-file batch.
IMPORT_STAGING_QUOTA_BYTES = (
    int(os.environ.get("IMPORT_STAGING_QUOTA_MB", "4096")) << 20
)
# Several hundred article files may be picked at once; each is spooled to a
# temporary file above FILE_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB), not held.
DATA_UPLOAD_MAX_NUMBER_FILES = int(os.environ.get("IMPORT_MAX_UPLOAD_FILES", "1000"))

# An editor's change form counts as open this long after it last said so (it
# says so on opening and every third of this while open, by script): others
# opening the article are told.
EDITING_PRESENCE_SECONDS = int(os.environ.get("EDITING_PRESENCE_SECONDS", "90"))

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env_bool("BEHIND_HTTPS_PROXY", False)
    else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS only, once the site is served over it (README, Production). Off by
# default: a development server has no certificate, and browsers remember an
# HSTS header for SECURE_HSTS_SECONDS, so it is turned on deliberately.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from
# this site only, and no inline script or style at all, so an answer that
# slipped past the sanitizer still runs nothing. No nonces: the page cache
# keeps whole responses, and a nonce in a cached page would be the same for
# every reader (a nonce an attacker could learn and reuse). KaTeX (vendored in
# static/) and the admin need nothing inline; JSON-LD is data, not script.
# CSP_REPORT_ONLY=true sends it as Content-Security-Policy-Report-Only, to try
# a change of policy; CSP_REPORT_URI is where browsers report violations.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": env_list("CSP_REPORT_URI", "") or None,
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "permission_denied_in_one_line": {
            "()": "quicktakes.logging_filters.PermissionDeniedInOneLine"
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # A 403 logs its one line, without a traceback (it is not an error).
    "loggers": {"django.request": {"filters": ["permission_denied_in_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Answers are Markdown from outside: rendered, then sanitized by bleach so no
# script, event handler or javascript: URL reaches a reader. articles.rendering
# builds its Markdown and bleach from this profile (and adds its own markup for
# math, code blocks and tables after sanitizing); `|markdownify` reads it too.
MARKDOWNIFY = {
    "default": {
        # render_answer lifts fenced code out itself (fences inside list items
        # too); fenced_code is for |markdownify.
        "MARKDOWN_EXTENSIONS": [
            "markdown.extensions.fenced_code",
            "markdown.extensions.tables",
            "markdown.extensions.sane_lists",
        ],
        # Column alignment as align="…": bleach keeps it, unlike a style attribute.
        "MARKDOWN_EXTENSION_CONFIGS": {
            "markdown.extensions.tables": {"use_align_attribute": True},
        },
        "WHITELIST_TAGS": """
            a abbr b blockquote br code del em h1 h2 h3 h4 h5 h6 hr i li ol p pre
            strong sub sup table tbody td th thead tr ul
        """.split(),
        # Per tag: no class or style from an answer, so every class on the page
        # is the site's own.
        "WHITELIST_ATTRS": {
            "a": ["href", "title"],
            "abbr": ["title"],
            "ol": ["start"],
            "td": ["align"],
            "th": ["align"],
        },
        "WHITELIST_PROTOCOLS": ["http", "https", "mailto"],
        "LINKIFY_TEXT": {"PARSE_URLS": False},
    }
}
