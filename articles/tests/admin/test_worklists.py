"""Editors' worklists in the admin: related links to articles not written yet,
articles with fewer than five related links, and suggestions added in one click,
each through the admin's own views, in a constant number of queries."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.db import connection
from reversion.models import Version

from articles.admin.worklists import LIST_CAP
from articles.fileformat.limits import article_url
from articles.models import Article, RelatedLink, Status, Subject

from ..factories import make_article, staff

pytestmark = pytest.mark.django_db

ADMIN = "/admin/articles/article/"
MISSING = f"{ADMIN}worklists/missing/"
MISSING_DETAIL = f"{ADMIN}worklists/missing/articles/"
FEW_LINKS = f"{ADMIN}worklists/few-links/"
NOWHERE = "/learn/medicine/questions/not-written-yet"
# Every admin page: the session, the user, the user's and the groups' permissions.
ADMIN_QUERIES = 4
# On PostgreSQL a search first sets up the planner: one query more.
PLANNER = 1 if connection.vendor == "postgresql" else 0


def suggestions_url(article: Article) -> str:
    return f"{ADMIN}{article.pk}/suggestions/"


def add_url(article: Article) -> str:
    return f"{ADMIN}{article.pk}/suggestions/add/"


def link(article: Article, position: int, url: str, title: str = "") -> RelatedLink:
    """A related link as an import makes it: reaching the article at `url`, if any."""
    return RelatedLink.objects.create(
        article=article,
        position=position,
        target_url=url,
        target=Article.objects.filter(url=url).first(),
        target_title=title,
    )


def links_to(article: Article, *targets: Article) -> None:
    for position, target in enumerate(targets, 1):
        link(article, position, target.url, target.title)


class _Table(HTMLParser):
    """The text of each cell of the table with `id`, row by row."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.inside, self.rows = table_id, False, []

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", self.table_id) in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in {"td", "th"}:
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def table(response, table_id: str) -> list[list[str]]:
    """The table's body rows as a reader sees them: each cell's text."""
    assert response.status_code == 200
    parser = _Table(table_id)
    parser.feed(response.content.decode())
    return [[" ".join(cell.split()) for cell in row] for row in parser.rows[1:]]


def related_on_page(client, article: Article) -> list[str]:
    """The titles under "Related questions" on the article's public page."""
    client.logout()
    page = client.get(article.url).content.decode()
    if 'id="related-heading"' not in page:
        return []
    section = page.split('id="related-heading"', 1)[1].split("</section>", 1)[0]
    return [
        item.split(">", 1)[1].split("</a>", 1)[0]
        for item in section.split('<li><a href="')[1:]
    ]


# Missing related articles


def test_missing_articles_counts_each_article_once_however_often_it_links(editor):
    first, second, third = make_article("a"), make_article("b"), make_article("c")
    link(first, 1, NOWHERE, "Not written yet?")
    link(first, 2, NOWHERE)
    link(second, 1, NOWHERE)
    link(third, 1, "/learn/medicine/questions/also-missing")
    link(third, 2, first.url)

    rows = table(editor.get(MISSING), "missing-articles")

    assert rows == [
        [NOWHERE, "Not written yet?", "—", "2"],
        ["/learn/medicine/questions/also-missing", "—", "—", "1"],
    ]


def test_missing_articles_are_found_by_part_of_their_url(editor):
    article = make_article("a")
    link(article, 1, NOWHERE)
    link(article, 2, "/learn/medicine/questions/something-else")

    rows = table(editor.get(MISSING, {"q": "WRITTEN"}), "missing-articles")

    assert [row[0] for row in rows] == [NOWHERE]


def test_a_missing_article_leads_to_those_linking_to_it_and_to_writing_it(editor):
    first, second = make_article("a", title="First?"), make_article("b")
    link(first, 1, NOWHERE, "Not written yet?")
    link(second, 1, first.url)

    listing = editor.get(MISSING).content.decode()
    detail = editor.get(MISSING_DETAIL, {"url": NOWHERE})

    assert f'href="{MISSING_DETAIL}?url={NOWHERE}"' in listing
    assert table(detail, "linking-articles") == [["First?", "Medicine", "Published"]]
    write = detail.context["new_article"]["add_url"]
    form = editor.get(write).context["adminform"].form
    assert (form.initial["slug"], form.initial["title"]) == (
        "not-written-yet",
        "Not written yet?",
    )
    assert form.initial["subject"] == str(first.subject_id)


def test_writing_the_missing_article_takes_it_off_the_list(editor):
    article = make_article("a")
    link(article, 1, NOWHERE)

    make_article("not-written-yet")

    assert table(editor.get(MISSING), "missing-articles") == []
    assert "Every related link reaches an article." in (
        editor.get(MISSING).content.decode()
    )


def test_missing_articles_take_the_same_queries_for_a_few_or_many(
    editor, django_assert_num_queries
):
    article = make_article("a")
    link(article, 1, NOWHERE)
    with django_assert_num_queries(ADMIN_QUERIES + 2):  # count, page
        editor.get(MISSING)

    for number in range(60):
        other = make_article(f"linking-{number}")
        link(other, 1, f"{NOWHERE}-{number}")
        link(other, 2, NOWHERE)

    with django_assert_num_queries(ADMIN_QUERIES + 2):
        first_page = editor.get(MISSING)
    with django_assert_num_queries(ADMIN_QUERIES + 2):
        second_page = editor.get(MISSING, {"page": 2})
    assert table(first_page, "missing-articles")[0] == [NOWHERE, "—", "—", "61"]
    assert len(table(first_page, "missing-articles")) == 50
    assert len(table(second_page, "missing-articles")) == 11


def test_the_articles_linking_to_a_missing_one_take_the_same_queries(
    editor, django_assert_num_queries
):
    link(make_article("a"), 1, NOWHERE)
    # count, page, and for the link to write it its subject and title
    with django_assert_num_queries(ADMIN_QUERIES + 4):
        editor.get(MISSING_DETAIL, {"url": NOWHERE})

    for number in range(60):
        link(make_article(f"linking-{number}"), 1, NOWHERE)

    with django_assert_num_queries(ADMIN_QUERIES + 4):
        page = editor.get(MISSING_DETAIL, {"url": NOWHERE})
    assert len(table(page, "linking-articles")) == 50


# Articles with fewer than five related links


def test_articles_with_fewer_than_five_links_newest_first(editor):
    targets = [make_article(f"target-{n}", date="2020-01-01") for n in range(5)]
    full = make_article("full", title="Full?", date="2024-03-01")
    links_to(full, *targets)
    two = make_article("two", title="Two?", date="2024-02-01")
    links_to(two, targets[0])
    link(two, 2, NOWHERE)
    repeats = make_article("repeats", title="Repeats?", date="2024-01-01")
    links_to(repeats, *targets[:4])
    link(repeats, 5, targets[0].url)

    rows = table(editor.get(FEW_LINKS), "few-links")

    assert [row[0] for row in rows] == [
        "Two?",
        "Repeats?",
        *(target.title for target in reversed(targets)),
    ]
    assert rows[0][1:5] == ["Medicine", "Published", "2", "1"]
    assert rows[1][3:5] == ["4 (one URL more than once: 5 places taken)", "4"]
    assert rows[2][3:5] == ["0", "0"]


def test_articles_without_any_related_link_are_listed_on_their_own(editor):
    target = make_article("target", title="Target?", date="2020-01-01")
    links_to(make_article("one", title="One?"), target)
    link(make_article("dangling", title="Dangling?"), 1, NOWHERE)

    rows = table(editor.get(FEW_LINKS, {"links": "none"}), "few-links")

    assert [row[0] for row in rows] == ["Target?"]


def test_articles_with_few_links_are_filtered_by_subject(editor):
    biology = Subject.objects.create(slug="biology", name="Biology")
    make_article("medicine-question", title="Medicine?")
    make_article("biology-question", subject=biology, title="Biology?")

    rows = table(editor.get(FEW_LINKS, {"subject": biology.pk}), "few-links")

    assert [row[:2] for row in rows] == [["Biology?", "Biology"]]


def test_articles_with_few_links_take_the_same_queries_for_a_few_or_many(
    editor, django_assert_num_queries
):
    make_article("a")
    with django_assert_num_queries(ADMIN_QUERIES + 3):  # subjects, count, page
        editor.get(FEW_LINKS)

    subject = Subject.objects.create(slug="biology", name="Biology")
    for number in range(60):
        article = make_article(f"q-{number}", subject=subject)
        link(article, 1, NOWHERE)
        link(article, 2, f"{NOWHERE}-{number}")

    with django_assert_num_queries(ADMIN_QUERIES + 3):
        first_page = editor.get(FEW_LINKS)
    with django_assert_num_queries(ADMIN_QUERIES + 3):
        second_page = editor.get(FEW_LINKS, {"page": 2, "subject": subject.pk})
    with django_assert_num_queries(ADMIN_QUERIES + 3):
        without_links = editor.get(FEW_LINKS, {"links": "none"})
    assert len(table(first_page, "few-links")) == 50
    assert len(table(second_page, "few-links")) == 10
    assert [row[0] for row in table(without_links, "few-links")] == ["Question a"]


def test_a_list_too_long_to_count_says_so_and_pages_through_its_newest(
    editor, django_assert_num_queries
):
    biology = Subject.objects.create(slug="biology", name="Biology")
    Article.objects.bulk_create(
        Article(
            subject=biology,
            slug=f"q-{n}",
            url=article_url("biology", f"q-{n}"),
            source_id=n,
            date="2024-01-01",
            title=f"Q{n}?",
            question="Q?",
            answer="A.",
        )
        for n in range(LIST_CAP + 1)
    )

    with django_assert_num_queries(ADMIN_QUERIES + 3):
        last = editor.get(FEW_LINKS, {"page": 1000})

    page = last.content.decode()
    assert "More than 1,000 articles: the newest 1,000 are listed." in page
    assert "Page 20 of 20" in page
    assert len(table(last, "few-links")) == 50


# Suggestions


def asking(slug: str, title: str, **fields) -> Article:
    """An article whose question is its title, as in most files."""
    return make_article(slug, title=title, question=title, **fields)


@pytest.fixture
def insulin():
    """An article about insulin resistance, and others more or less like it."""
    biology = Subject.objects.create(slug="biology", name="Biology")
    liver = "How does insulin resistance develop in the liver?"
    article = asking("insulin-resistance-liver", liver, source_id=10)
    asking("muscle", "Why do muscle cells show insulin resistance?", subject=biology)
    asking("causes", "What causes insulin resistance?")
    asking("heart", "How does the heart pump blood in the body?")
    asking("draft", "Insulin resistance explained", status=Status.DRAFT)
    # The same article filed under a second subject, as files may have it.
    asking("insulin-resistance-liver", liver, subject=biology, source_id=10)
    links_to(article, asking("diet", "Can diet reverse insulin resistance?"))
    return article


def test_suggestions_are_like_the_article_its_subject_first(editor, insulin):
    rows = table(editor.get(suggestions_url(insulin)), "suggestions")

    assert [row[:2] for row in rows] == [
        ["What causes insulin resistance?", "Medicine"],
        ["Why do muscle cells show insulin resistance?", "Biology"],
    ]


def test_suggestions_leave_out_articles_sharing_only_common_words(editor):
    article = asking("a", "What is the role of the spleen?")
    asking("b", "What is the name of the family in this society?")
    asking("c", "Where is the spleen?")

    rows = table(editor.get(suggestions_url(article)), "suggestions")

    assert [row[0] for row in rows] == ["Where is the spleen?"]


def test_suggestions_take_the_same_queries_for_a_few_or_many(
    editor, insulin, django_assert_num_queries
):
    # the article, its links (which say what to leave out), the words' counts,
    # the ranking, the suggested articles
    with django_assert_num_queries(ADMIN_QUERIES + 5 + PLANNER):
        editor.get(suggestions_url(insulin))

    for number in range(30):
        asking(f"more-{number}", f"Insulin resistance, part {number}?")

    with django_assert_num_queries(ADMIN_QUERIES + 5 + PLANNER):
        page = editor.get(suggestions_url(insulin))
    assert len(table(page, "suggestions")) == 10


def test_an_editor_adds_a_suggestion_in_one_click(editor, client, insulin):
    causes = Article.objects.get(slug="causes")
    link(insulin, 3, NOWHERE)
    # The public page, cached as it is now.
    assert related_on_page(client, insulin) == ["Can diet reverse insulin resistance?"]
    editor.force_login(User.objects.get(username="edna"))
    versions = Version.objects.get_for_object(insulin).count()

    response = editor.post(add_url(insulin), {"target": causes.pk}, follow=True)

    assert response.redirect_chain == [(suggestions_url(insulin), 302)]
    page = response.content.decode()
    assert "Added “What causes insulin resistance?” as related link 2." in page
    assert list(
        insulin.related_links.values_list("position", "target_url", "target_title")
    ) == [
        (1, "/learn/medicine/questions/diet", "Can diet reverse insulin resistance?"),
        (2, causes.url, "What causes insulin resistance?"),
        (3, NOWHERE, ""),
    ]
    added = insulin.related_links.get(position=2)
    assert (added.target, added.target_subject, added.target_source_id) == (
        causes,
        "Medicine",
        causes.source_id,
    )
    assert related_on_page(client, insulin) == [
        "Can diet reverse insulin resistance?",
        "What causes insulin resistance?",
    ]
    assert Version.objects.get_for_object(insulin).count() == versions + 1
    revision = Version.objects.get_for_object(insulin).first().revision
    assert revision.get_comment() == (
        "Added related link to “What causes insulin resistance?” from suggestions"
    )
    assert revision.user.username == "edna"


def test_an_article_with_five_links_takes_no_more(editor, insulin):
    others = [make_article(f"other-{n}") for n in range(4)]
    for position, other in enumerate(others, 2):
        link(insulin, position, other.url)
    causes = Article.objects.get(slug="causes")

    page = editor.get(suggestions_url(insulin)).content.decode()
    response = editor.post(add_url(insulin), {"target": causes.pk}, follow=True)

    assert "This article has five related links" in page
    assert 'name="target"' not in page
    assert (
        "“How does insulin resistance develop in the liver?” already has five "
        "related links: remove one in its form first."
    ) in response.content.decode()
    assert insulin.related_links.count() == 5
    assert not insulin.related_links.filter(target=causes).exists()


def test_a_link_already_there_is_not_added_twice(editor, insulin):
    diet = Article.objects.get(slug="diet")

    response = editor.post(add_url(insulin), {"target": diet.pk}, follow=True)

    assert "already links to “Can diet reverse insulin resistance?”." in (
        response.content.decode()
    )
    assert insulin.related_links.filter(target=diet).count() == 1


def test_an_article_is_never_related_to_itself(editor, insulin):
    response = editor.post(add_url(insulin), {"target": insulin.pk}, follow=True)

    assert "cannot be related to itself." in response.content.decode()
    assert not insulin.related_links.filter(target=insulin).exists()


# Who may see and do what


def test_staff_without_permissions_are_refused_every_worklist(client, insulin):
    staff(client, "sam")
    causes = Article.objects.get(slug="causes")

    for url in (MISSING, MISSING_DETAIL, FEW_LINKS, suggestions_url(insulin)):
        assert client.get(url).status_code == 403, url
    assert client.post(add_url(insulin), {"target": causes.pk}).status_code == 403
    assert not insulin.related_links.filter(target=causes).exists()


def test_staff_who_may_only_view_articles_see_the_worklists_but_add_nothing(
    importer, insulin
):
    causes = Article.objects.get(slug="causes")

    page = importer.get(suggestions_url(insulin))
    refused = importer.post(add_url(insulin), {"target": causes.pk})

    assert importer.get(MISSING).status_code == 200
    assert importer.get(FEW_LINKS).status_code == 200
    assert "What causes insulin resistance?" in page.content.decode()
    assert 'name="target"' not in page.content.decode()
    assert refused.status_code == 403
    assert not insulin.related_links.filter(target=causes).exists()


def test_the_article_list_and_form_lead_to_the_worklists(editor):
    article = make_article("a")

    listing = editor.get(ADMIN).content.decode()
    form = editor.get(f"{ADMIN}{article.pk}/change/").content.decode()

    assert f'href="{MISSING}"' in listing and f'href="{FEW_LINKS}"' in listing
    assert f'href="{ADMIN}add/"' in listing  # the usual button stays
    assert f'href="{suggestions_url(article)}"' in form
