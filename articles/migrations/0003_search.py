"""Full-text search over an article's title, question, answer and SEO keywords.

Only published articles are indexed; articles/search.py makes the queries.

SQLite: an FTS5 table over articles_article (external content: it stores the
index, not the text), filled from the published rows and kept in step by
triggers, since the importer writes with raw INSERTs and bulk_update, which
send no Django signals. Leaving drafts out of the index (the triggers watch
`status` too) means a search never reads articles_article to skip them. The
subject's id is indexed as a word of its own, in a column no reader's term is
matched against, so that a subject filter is an intersection inside the index.

PostgreSQL: a STORED generated tsvector column (not a field of the model, so
SQLite needs no equivalent) with a GIN index over published rows; a second
one of word pairs, which makes phrase queries fast (see below); and a GIN
index on the title's words alone, with which a query that matches too many
articles to rank them all still puts title matches first (see search.py).

The SQL is frozen here, as a migration's must be. Later migrations beware:
- on SQLite, Django rebuilds a table for most changes to it (a new table, a
  copy, a rename): the triggers go with the old table and must be created again
  (articles/tests/test_search.py fails if they are missing);
- on PostgreSQL, the type of title, question, answer or seo_keywords cannot
  change while the generated columns use it: drop them first.
To rebuild the SQLite index, empty it (`INSERT INTO articles_article_search
(articles_article_search) VALUES ('delete-all')`) and fill it as below; FTS5's
'rebuild' would index the drafts too.
"""

from django.db import migrations

FTS = "articles_article_search"
COLUMNS = "title, question, answer, seo_keywords, subject_id"
NEW = ", ".join(f"new.{column}" for column in COLUMNS.split(", "))
OLD = ", ".join(f"old.{column}" for column in COLUMNS.split(", "))

SQLITE_FORWARD = [
    f"""
    CREATE VIRTUAL TABLE {FTS} USING fts5(
        {COLUMNS},
        content='articles_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    f"""
    INSERT INTO {FTS}(rowid, {COLUMNS})
    SELECT id, {COLUMNS} FROM articles_article WHERE status = 'published'
    """,
    f"""
    CREATE TRIGGER {FTS}_insert
    AFTER INSERT ON articles_article WHEN new.status = 'published'
    BEGIN
        INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, {NEW});
    END
    """,
    # An external-content index forgets a row by being told the words it
    # indexed: the `old` values, and only for a row it holds (a published one).
    f"""
    CREATE TRIGGER {FTS}_delete
    AFTER DELETE ON articles_article WHEN old.status = 'published'
    BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD});
    END
    """,
    # Django's save() and the importer's bulk_update set every column: the WHEN
    # clause spares the index a rewrite when none of its words changed.
    f"""
    CREATE TRIGGER {FTS}_update
    AFTER UPDATE OF {COLUMNS}, status ON articles_article
    WHEN old.title IS NOT new.title OR old.question IS NOT new.question
        OR old.answer IS NOT new.answer OR old.seo_keywords IS NOT new.seo_keywords
        OR old.subject_id IS NOT new.subject_id OR old.status IS NOT new.status
    BEGIN
        INSERT INTO {FTS}({FTS}, rowid, {COLUMNS})
        SELECT 'delete', old.id, {OLD} WHERE old.status = 'published';
        INSERT INTO {FTS}(rowid, {COLUMNS})
        SELECT new.id, {NEW} WHERE new.status = 'published';
    END
    """,
]

SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TABLE IF EXISTS {FTS}",
]

# Weights: A title, the words a reader scans and the article's identity; B the
# question, which restates the title at more length; C the keywords, chosen
# terms but a list that repeats the subject on every article; D the answer,
# long, where most words are incidental. An explicit regconfig keeps the
# expressions immutable, as generated columns and index expressions require.
#
# search_pairs holds every two words that follow each other ("acut inflamm"),
# without positions. GIN stores no positions, so a phrase query must fetch and
# unpack the tsvector of every article holding all its words to check their
# order: 300 ms and more when the words are common. Looking its pairs up first
# leaves only the articles that may hold the phrase to check.
#
# Adding the columns rewrites the table, which fills them for existing rows.
POSTGRESQL_FORWARD = [
    """
    CREATE FUNCTION articles_word_pairs(vector tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_to_tsvector(array_agg(DISTINCT
            this_word.lexeme || ' ' || next_word.lexeme
        )), ''::tsvector)
        FROM (SELECT lexeme, unnest(positions) AS at FROM unnest(vector)) this_word
        JOIN (SELECT lexeme, unnest(positions) AS at FROM unnest(vector)) next_word
            ON next_word.at = this_word.at + 1
    $$
    """,
    """
    ALTER TABLE articles_article
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(question, '')), 'B')
        || setweight(
            to_tsvector('english'::regconfig, coalesce(seo_keywords, '')), 'C'
        )
        || setweight(to_tsvector('english'::regconfig, coalesce(answer, '')), 'D')
    ) STORED,
    ADD COLUMN search_pairs tsvector GENERATED ALWAYS AS (
        articles_word_pairs(to_tsvector(
            'english'::regconfig,
            coalesce(title, '') || ' ' || coalesce(question, '') || ' '
            || coalesce(seo_keywords, '') || ' ' || coalesce(answer, '')
        ))
    ) STORED
    """,
    """
    CREATE INDEX article_search_vector ON articles_article
    USING gin (search_vector) WHERE status = 'published'
    """,
    """
    CREATE INDEX article_search_pairs ON articles_article
    USING gin (search_pairs) WHERE status = 'published'
    """,
    """
    CREATE INDEX article_search_title ON articles_article
    USING gin (to_tsvector('english'::regconfig, title)) WHERE status = 'published'
    """,
]

POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS article_search_title",
    "DROP INDEX IF EXISTS article_search_pairs",
    "DROP INDEX IF EXISTS article_search_vector",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_pairs, "
    "DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS articles_word_pairs(tsvector)",
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
}


def _run(schema_editor, direction):
    # Other databases get no index; articles/search.py refuses to search them.
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    for sql in statements[direction] if statements else []:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, 0)


def backward(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0002_status"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
