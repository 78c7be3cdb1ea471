"""Scheduled publishing: an editor sets "publish at" or "unpublish at" in the
admin, in the site's time zone, and at that time the worker's job makes the
change readers see on every page, in search, the feeds and the sitemap. The
clock is set by the test (freezegun), so no test waits for a time to come."""

from __future__ import annotations

import io
import signal
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time
from reversion.models import Version

from articles.models import Article, Status

from ..factories import change_form_data, make_article, run_jobs, staff
from .test_import_jobs import on_postgresql, start_worker, wait_for

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"
# 09:00 in Berlin, in winter: 08:00 UTC.
NINE_IN_BERLIN = datetime(2030, 1, 15, 8, 0, tzinfo=UTC)
BEFORE = NINE_IN_BERLIN - timedelta(days=3)
BERLIN_TZ = ZoneInfo("Europe/Berlin")
READER_PAGES = ["/", "/learn/medicine/", "/feed/", "/sitemap.xml", "/search/?q=Comets"]


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


@pytest.fixture
def editor(client):
    return staff(client, "edna", "Editors")


def schedule(client, article, **times: datetime | None) -> object:
    """Save the article's change form with `times` (publish_at, unpublish_at)
    typed into the split date and time inputs, in Berlin time."""
    # Logged in at the test's clock: a login of years before has expired.
    client.force_login(User.objects.get(username="edna"))
    url = f"{CHANGELIST}{article.pk}/change/"
    data = change_form_data(client.get(url))
    for name, when in times.items():
        local = when.astimezone(BERLIN_TZ) if when else None
        data[f"{name}_0"] = local.strftime("%Y-%m-%d") if local else ""
        data[f"{name}_1"] = local.strftime("%H:%M:%S") if local else ""
    return client.post(url, data)


def seen_by_readers(client, url: str) -> dict[str, bool]:
    """Which reader pages (page cache and all) link to the article at `url`."""
    client.logout()
    return {page: url in client.get(page).content.decode() for page in READER_PAGES}


def comet_draft() -> Article:
    return make_article(
        "comets", title="Comets", question="What are Comets?", status=Status.DRAFT
    )


@freeze_time(BEFORE)
def test_an_editor_schedules_a_draft_in_the_sites_time_zone_and_the_list_shows_it(
    editor,
):
    article = comet_draft()
    make_article("unscheduled", title="Unscheduled")

    response = schedule(editor, article, publish_at=NINE_IN_BERLIN)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.publish_at == NINE_IN_BERLIN  # 09:00 Berlin is 08:00 UTC
    form = editor.get(f"{CHANGELIST}{article.pk}/change/").content.decode()
    assert 'value="2030-01-15"' in form and 'value="09:00:00"' in form
    scheduled = editor.get(CHANGELIST, {"scheduled": "publish"})
    assert [a.title for a in scheduled.context["cl"].result_list] == ["Comets"]
    assert "Publishes 15 Jan 2030, 09:00 CET" in scheduled.content.decode()
    assert (
        editor.get(CHANGELIST, {"scheduled": "unpublish"}).context["cl"].result_count
        == 0
    )
    # The worker's job waits for that time.
    job = DBTaskResult.objects.get()
    assert job.run_after == NINE_IN_BERLIN


@freeze_time(BEFORE)
def test_a_time_gone_by_or_an_unpublish_before_the_publish_is_refused(editor):
    article = comet_draft()

    past = schedule(editor, article, publish_at=BEFORE - timedelta(hours=1))
    backwards = schedule(
        editor,
        article,
        publish_at=NINE_IN_BERLIN,
        unpublish_at=NINE_IN_BERLIN - timedelta(hours=1),
    )

    assert past.status_code == backwards.status_code == 200
    errors = past.context["adminform"].form.errors
    assert (
        "Give a time to come: it is 12 Jan 2030, 09:00 CET now." in errors["publish_at"]
    )
    errors = backwards.context["adminform"].form.errors
    assert errors["unpublish_at"] == ["Give a time after “Publish at”."]
    article.refresh_from_db()
    assert (article.publish_at, article.unpublish_at) == (None, None)
    assert not DBTaskResult.objects.exists()


def test_at_its_time_the_worker_publishes_it_on_every_page_and_retires_the_cache(
    editor, client
):
    with freeze_time(BEFORE):
        article = comet_draft()
        schedule(editor, article, publish_at=NINE_IN_BERLIN)
        assert not any(seen_by_readers(client, article.url).values())
        assert client.get(article.url).status_code == 404

    with freeze_time(NINE_IN_BERLIN - timedelta(seconds=1)):
        run_jobs()  # not yet due: the job waits
        assert Article.objects.get(pk=article.pk).status == Status.DRAFT

    with freeze_time(NINE_IN_BERLIN + timedelta(seconds=1)):
        run_jobs()

    article.refresh_from_db()
    assert (article.status, article.publish_at) == (Status.PUBLISHED, None)
    # No edit since: the cached pages were retired by the job itself.
    assert all(seen_by_readers(client, article.url).values())
    assert client.get(article.url).status_code == 200
    assert history_comments(article)[0] == "Published as scheduled."


def test_at_its_unpublish_time_the_article_leaves_every_page(editor, client):
    with freeze_time(BEFORE):
        article = make_article("comets", title="Comets", question="What are Comets?")
        schedule(editor, article, unpublish_at=NINE_IN_BERLIN)
        assert all(seen_by_readers(client, article.url).values())

    with freeze_time(NINE_IN_BERLIN + timedelta(minutes=1)):
        run_jobs()

    article.refresh_from_db()
    assert (article.status, article.unpublish_at) == (Status.DRAFT, None)
    assert not any(seen_by_readers(client, article.url).values())
    assert client.get(article.url).status_code == 404


def test_a_rescheduled_time_does_not_fire_at_the_old_one(editor):
    later = NINE_IN_BERLIN + timedelta(days=1)
    with freeze_time(BEFORE):
        article = comet_draft()
        schedule(editor, article, publish_at=NINE_IN_BERLIN)
        schedule(editor, article, publish_at=later)

    with freeze_time(NINE_IN_BERLIN + timedelta(minutes=1)):
        run_jobs()  # the old time's job
        assert Article.objects.get(pk=article.pk).status == Status.DRAFT

    with freeze_time(later + timedelta(minutes=1)):
        run_jobs()
        assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED


def test_a_cancelled_time_does_not_fire(editor):
    with freeze_time(BEFORE):
        article = comet_draft()
        schedule(editor, article, publish_at=NINE_IN_BERLIN)
        schedule(editor, article, publish_at=None)

    with freeze_time(NINE_IN_BERLIN + timedelta(minutes=1)):
        run_jobs()

    article.refresh_from_db()
    assert (article.status, article.publish_at) == (Status.DRAFT, None)
    assert "Published as scheduled." not in history_comments(article)


def test_a_worker_that_was_down_catches_up_and_the_later_time_decides(editor):
    with freeze_time(BEFORE):
        early, window = comet_draft(), make_article("window", status=Status.DRAFT)
        schedule(editor, early, publish_at=NINE_IN_BERLIN)
        schedule(
            editor,
            window,
            publish_at=NINE_IN_BERLIN,
            unpublish_at=NINE_IN_BERLIN + timedelta(hours=2),
        )

    with freeze_time(NINE_IN_BERLIN + timedelta(days=2)):  # the worker is back
        run_jobs()

    early.refresh_from_db(), window.refresh_from_db()
    assert early.status == Status.PUBLISHED
    # Both its times went by: unpublished after it was published.
    assert (window.status, window.publish_at, window.unpublish_at) == (
        Status.DRAFT,
        None,
        None,
    )


def test_the_command_catches_up_what_no_job_is_queued_for(editor):
    with freeze_time(BEFORE):
        article = comet_draft()
        schedule(editor, article, publish_at=NINE_IN_BERLIN)
    DBTaskResult.objects.all().delete()  # a queue lost, say

    with freeze_time(NINE_IN_BERLIN + timedelta(minutes=5)):
        out = io.StringIO()
        call_command("publish_scheduled", stdout=out)
        again = io.StringIO()
        call_command("publish_scheduled", stdout=again)

    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED
    assert out.getvalue() == "1 article(s) published, 0 unpublished as scheduled\n"
    assert again.getvalue().startswith("0 article(s) published")


@freeze_time(BEFORE)
def test_a_schedule_that_could_never_happen_is_refused(editor):
    live = make_article("live", title="Live")
    draft = comet_draft()

    published_again = schedule(editor, live, publish_at=NINE_IN_BERLIN)
    draft_unpublished = schedule(editor, draft, unpublish_at=NINE_IN_BERLIN)

    errors = published_again.context["adminform"].form.errors
    assert errors["publish_at"][0].startswith("The article is published already")
    errors = draft_unpublished.context["adminform"].form.errors
    assert errors["unpublish_at"][0].startswith("A draft is not on the site")
    assert not Article.objects.scheduled().exists()


@freeze_time(BEFORE)
def test_an_editor_who_may_not_publish_cannot_schedule(client):
    writer = staff(client, "wes", "Writers")
    article = comet_draft()
    url = f"{CHANGELIST}{article.pk}/change/"
    data = change_form_data(writer.get(url))

    writer.post(url, {**data, "publish_at_0": "2030-01-15", "publish_at_1": "09:00:00"})

    assert "publish_at" not in writer.get(url).context["adminform"].form.fields
    assert Article.objects.get(pk=article.pk).publish_at is None
    assert not DBTaskResult.objects.exists()


def history_comments(article) -> list[str]:
    return [
        v.revision.comment
        for v in Version.objects.get_for_object(article).select_related("revision")
    ]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_worker_process_publishes_at_the_time_an_editor_set(client, tmp_path):
    User.objects.create_superuser("edna", "edna@example.com", "pw-for-tests")
    article = comet_draft()
    subject_page = client.get("/learn/medicine/").text  # cached, without it
    assert article.url not in subject_page
    when = (timezone.now() + timedelta(seconds=3)).replace(microsecond=0)
    assert schedule(client, article, publish_at=when).status_code == 302

    worker = start_worker(tmp_path, batch=False)
    try:
        wait_for(lambda: Article.objects.get(pk=article.pk).status == "published")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)

    article.refresh_from_db()
    assert article.publish_at is None
    revision = Version.objects.get_for_object(article).first().revision
    assert revision.comment == "Published as scheduled."
    assert revision.date_created >= when  # at its time, not before
    assert all(seen_by_readers(client, article.url).values())
