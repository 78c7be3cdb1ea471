"""Small helpers that write article files and rows for tests."""

from __future__ import annotations

import zlib
from collections.abc import Collection
from fnmatch import fnmatch
from pathlib import Path

import redis
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.forms import MultiWidget
from django.test.utils import CaptureQueriesContext
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from articles.models import Article, Subject

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SEED_FILES = sorted(FIXTURES.glob("*.txt"))


def article_text(
    url: str = "/learn/medicine/questions/what-is-a-test",
    *,
    id: int | None = None,
    title: str = "What is a test?",
    subject: str = "Medicine",
    answer: str = "A test checks.\\n\\nIt **asserts**.",
    related: list[str] = (),
    date: str = "2024-12-07",
    extra: str = "",
    omit: Collection[str] = (),
) -> str:
    """An article file in the seeds' style; `related` lists URLs of related articles.

    Without an `id`, one made from the slug: as in real batches, two articles
    of a subject never share an id (the same id in a subject is a move).
    `omit` names top-level keys of one line to leave out, such as "id" or "date".
    """
    slug = url.rsplit("/", 1)[-1]
    id = zlib.crc32(slug.encode()) % 1_000_000 if id is None else id
    lines = [
        "---",
        "_schema: default",
        f"id: {id}",
        f"date: {date}",
        "title: >-",
        f"    {title}",
        "article_title: >-",
        f"    {title}",
        "date_format: MMM DD, YYYY",
        "post_on_text: Posted on",
        "seo:",
        f"  title: QuickTakes | {subject}",
        "  page_description: >-",
        f"    About {title}",
        "  page_keywords: >-",
        "    tests, checks",
        "author: QuickTakes",
        "question: >-",
        f"    {title}",
        "answer: >-",
        f"    {answer}",
        f"subject: {subject}",
        f"file_name: {slug}.md",
        f"url: {url}",
        "score: -1.0",
    ]
    for position, target in enumerate(related, 1):
        lines += [
            f"related_article{position}:",
            f"    id: {1000 + position}",
            "    title: >-",
            f"        Related {position}",
            f"    subject: {subject}",
            f"    url: {target}",
        ]
    lines = [line for line in lines if line.split(":", 1)[0] not in omit]
    return "\n".join(lines) + "\n" + extra + "---\n\n&nbsp;"


def write_article(folder: Path, name: str, url: str, **fields) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article_text(url, **fields), encoding="utf-8")
    return path


def make_article(
    slug: str = "what-is-a-test", subject: Subject | None = None, **fields
) -> Article:
    subject = (
        subject
        or Subject.objects.get_or_create(
            slug="medicine", defaults={"name": "Medicine"}
        )[0]
    )
    values = {
        "source_id": 1,
        "date": "2024-12-07",
        "title": f"Question {slug}",
        "question": f"Question {slug}?",
        "answer": "An answer.",
        **fields,
    }
    return Article.objects.create(subject=subject, slug=slug, **values)


def change_form_data(response) -> dict:
    """The POST data the change form would send unchanged, inline links included."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.extend(formset.forms)
        data.update({f.html_name: f.value() for f in formset.management_form})
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            widget = field.field.widget
            if isinstance(widget, MultiWidget):
                # A date and a time, as the split inputs show them.
                for n, (part, value_part) in enumerate(
                    zip(widget.widgets, widget.decompress(value), strict=True)
                ):
                    data[f"{field.html_name}_{n}"] = part.format_value(value_part)
                continue
            data[field.html_name] = value
    return data


def staff(client, name: str, *groups: str):
    """Log `client` in as a new staff user in `groups` (by name); returns it."""
    user = User.objects.create_user(name, password="pw-for-tests", is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    client.force_login(user)
    return client


def article_upload(name: str, url: str, **fields) -> SimpleUploadedFile:
    """An uploaded article file named `name`, as the admin's upload form gets it."""
    return SimpleUploadedFile(name, article_text(url, **fields).encode())


def importers_group() -> Group:
    """The "Importers" role of migration 0006 (made again if a transactional
    test emptied the database since)."""
    group, _ = Group.objects.get_or_create(name="Importers")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=["import_articles", "view_article", "view_subject"],
        )
    )
    return group


def writers_group() -> Group:
    """The "Writers" role of migration 0014, editors who may not publish (made
    again if a transactional test emptied the database since)."""
    group, _ = Group.objects.get_or_create(name="Writers")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=[
                "view_article",
                "add_article",
                "change_article",
                "view_subject",
                "view_relatedlink",
                "add_relatedlink",
                "change_relatedlink",
                "delete_relatedlink",
            ],
        )
    )
    return group


def run_jobs() -> None:
    """Run every queued background job to its end, as the worker does: the
    `db_worker` command's own Worker runs each, in this process and this test's
    transaction (the command itself would close the connection between jobs)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    while True:
        with transaction.atomic():
            job = DBTaskResult.objects.ready().get_locked()
            if job is None:
                return
            job.claim(worker.worker_id)
        worker.run_task(job)
        job.refresh_from_db()
        assert job.status != "FAILED", job.traceback  # a job's error, shown


def submit(client, url: str, data: dict | None = None, *, follow: bool = False):
    """POST as a browser does, let the worker run the jobs that queued, then
    (with `follow`) load the page the POST redirected to."""
    response = client.post(url, data or {})
    run_jobs()
    if follow and response.status_code == 302:
        return client.get(response.url)
    return response


def queries_of(client, url: str):
    """The response to `url` and how many queries it cost."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def page_keys() -> list[str]:
    """The keys of the pages the cache backend holds, as `cache.get` takes them:
    the test process's memory on SQLite, Redis when REDIS_URL is set."""
    pattern = cache.make_key("page:*")
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        keys = [key.decode() for key in client.scan_iter(match=pattern, count=1000)]
    else:
        keys = [key for key in cache._cache if fnmatch(key, pattern)]
    return [key.split(":", 2)[2] for key in keys]  # without prefix and version
