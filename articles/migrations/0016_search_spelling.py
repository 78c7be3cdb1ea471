"""The vocabulary "Did you mean …" draws on (articles/search/spelling.py).

SQLite: two fts5vocab tables over the FTS5 index of 0003: one row per term
(a porter stem) with the number of articles holding it, and one per instance
of a term (its article, column and place), with which a stem is read back as a
word. They store nothing: they read the index, so they hold what the index
holds, the published articles' words, with no step of their own to keep.

PostgreSQL: articles_search_word, every word of the published articles
(lower case, as the 'simple' configuration gives them: not stemmed, so a
suggestion reads as a word), with a trigram index (pg_trgm) for similarity
searches. Statement-level triggers add the words of the rows each INSERT or
UPDATE writes, in one statement whatever the number of rows (the importer's
chunks included); an UPDATE that leaves a published row's text as it was
adds nothing. Words are never removed here: a word whose articles were all
deleted or unpublished stays, and the search checks each candidate against
the index of published articles before suggesting it.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE articles_article_search_vocabulary "
    "USING fts5vocab(articles_article_search, 'row')",
    "CREATE VIRTUAL TABLE articles_article_search_instances "
    "USING fts5vocab(articles_article_search, 'instance')",
]
SQLITE_BACKWARD = [
    "DROP TABLE IF EXISTS articles_article_search_instances",
    "DROP TABLE IF EXISTS articles_article_search_vocabulary",
]

# The words of a row (a table alias `article`), each once.
WORDS_OF = """
    SELECT DISTINCT word FROM {rows} AS article,
        unnest(tsvector_to_array(to_tsvector('simple'::regconfig,
            coalesce(article.title, '') || ' ' || coalesce(article.question, '')
            || ' ' || coalesce(article.seo_keywords, '') || ' '
            || coalesce(article.answer, '')
        ))) AS word
    WHERE article.status = 'published' AND word ~ '^[[:alpha:]]{{4,40}}$'
"""

# An UPDATE leaves out the rows that were published with the same text before
# (not called `old`: in PL/pgSQL that is the trigger's row variable).
CHANGED = """
    AND NOT EXISTS (
        SELECT 1 FROM old_rows AS earlier WHERE earlier.id = article.id
        AND earlier.status = 'published' AND earlier.title = article.title
        AND earlier.question = article.question
        AND earlier.answer = article.answer
        AND earlier.seo_keywords = article.seo_keywords
    )
"""


def _adding_function(name: str, words: str) -> str:
    # Sorted, so that two writers add the same new words in the same order.
    return f"""
    CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO articles_search_word (word)
        {words} ORDER BY word
        ON CONFLICT (word) DO NOTHING;
        RETURN NULL;
    END
    $$
    """


POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE articles_search_word (word text PRIMARY KEY)",
    "CREATE INDEX articles_search_word_trigrams ON articles_search_word "
    "USING gin (word gin_trgm_ops)",
    f"INSERT INTO articles_search_word (word) "
    f"{WORDS_OF.format(rows='articles_article')} ORDER BY word",
    _adding_function(
        "articles_search_words_inserted", WORDS_OF.format(rows="new_rows")
    ),
    _adding_function(
        "articles_search_words_updated", WORDS_OF.format(rows="new_rows") + CHANGED
    ),
    """
    CREATE TRIGGER articles_search_words_insert AFTER INSERT ON articles_article
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_search_words_inserted()
    """,
    """
    CREATE TRIGGER articles_search_words_update AFTER UPDATE ON articles_article
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION articles_search_words_updated()
    """,
]

POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS articles_search_words_update ON articles_article",
    "DROP TRIGGER IF EXISTS articles_search_words_insert ON articles_article",
    "DROP FUNCTION IF EXISTS articles_search_words_updated()",
    "DROP FUNCTION IF EXISTS articles_search_words_inserted()",
    "DROP TABLE IF EXISTS articles_search_word",
    # The extension stays: other objects may have come to use it.
]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
}


def _run(schema_editor, direction):
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    for sql in statements[direction] if statements else []:
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, 0)


def backward(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("articles", "0015_edit_conflicts")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
