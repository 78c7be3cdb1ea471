"""Full-text search over an article's title, question, answer and SEO keywords.

Only published articles are searchable; see articles/search.py for the queries.

SQLite: an FTS5 table over articles_article (external content: it stores the
index, not the text), filled from the published rows and kept in step by
triggers, since the importer writes with raw INSERTs and bulk_update, which send
no Django signals. Drafts are left out of the index (the triggers watch
`status` too), so a search never has to read articles_article to skip them.

PostgreSQL: a STORED generated tsvector column (not a field of the model, so
SQLite needs no equivalent) with a GIN index over published rows.

The SQL is frozen here, as a migration's must be. Two things a later migration
must bear in mind:
- on SQLite, Django rebuilds a table for most changes to it (a new table, a copy,
  a rename); the triggers go with the old table and must be created again;
- on PostgreSQL, the type of title, question, answer or seo_keywords cannot
  change while the generated column uses it: drop the column first.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE articles_article_search USING fts5(
        title, question, answer, seo_keywords,
        content='articles_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    INSERT INTO articles_article_search(rowid, title, question, answer, seo_keywords)
    SELECT id, title, question, answer, seo_keywords
    FROM articles_article WHERE status = 'published'
    """,
    """
    CREATE TRIGGER articles_article_search_insert
    AFTER INSERT ON articles_article WHEN new.status = 'published'
    BEGIN
        INSERT INTO articles_article_search(rowid, title, question, answer, seo_keywords)
        VALUES (new.id, new.title, new.question, new.answer, new.seo_keywords);
    END
    """,
    # An external-content index forgets a row by being told the words it
    # indexed: `old` values, and only for a row it holds (a published one).
    """
    CREATE TRIGGER articles_article_search_delete
    AFTER DELETE ON articles_article WHEN old.status = 'published'
    BEGIN
        INSERT INTO articles_article_search(
            articles_article_search, rowid, title, question, answer, seo_keywords
        ) VALUES (
            'delete', old.id, old.title, old.question, old.answer, old.seo_keywords
        );
    END
    """,
    # Django's save() and the importer's bulk_update set every column: the WHEN
    # clause spares the index a rewrite when none of its words changed.
    """
    CREATE TRIGGER articles_article_search_update
    AFTER UPDATE OF title, question, answer, seo_keywords, status ON articles_article
    WHEN old.title IS NOT new.title OR old.question IS NOT new.question
        OR old.answer IS NOT new.answer OR old.seo_keywords IS NOT new.seo_keywords
        OR old.status IS NOT new.status
    BEGIN
        INSERT INTO articles_article_search(
            articles_article_search, rowid, title, question, answer, seo_keywords
        ) SELECT
            'delete', old.id, old.title, old.question, old.answer, old.seo_keywords
        WHERE old.status = 'published';
        INSERT INTO articles_article_search(rowid, title, question, answer, seo_keywords)
        SELECT new.id, new.title, new.question, new.answer, new.seo_keywords
        WHERE new.status = 'published';
    END
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_article_search_update",
    "DROP TRIGGER IF EXISTS articles_article_search_delete",
    "DROP TRIGGER IF EXISTS articles_article_search_insert",
    "DROP TABLE IF EXISTS articles_article_search",
]

# Weights: A title, the words a reader scans and the article's identity; B the
# question, which restates the title at more length; C the keywords, chosen
# terms but a list that repeats the subject on every article; D the answer,
# long, where most words are incidental. An explicit regconfig keeps the
# expression immutable, as a generated column requires. Adding the column
# rewrites the table, which fills it for existing rows.
POSTGRESQL_FORWARD = [
    """
    ALTER TABLE articles_article ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(question, '')), 'B')
        || setweight(
            to_tsvector('english'::regconfig, coalesce(seo_keywords, '')), 'C'
        )
        || setweight(to_tsvector('english'::regconfig, coalesce(answer, '')), 'D')
    ) STORED
    """,
    """
    CREATE INDEX article_search_vector ON articles_article
    USING gin (search_vector) WHERE status = 'published'
    """,
]

POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS article_search_vector",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector",
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
