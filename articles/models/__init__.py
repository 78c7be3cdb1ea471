"""The app's models, re-exported here, where Django and the rest of the code
look for them.

Owns the tables and the rules that live on rows and querysets: `content` (subjects,
articles, related links, redirects, the versions of what pages show), `editing` (who has
an article's form open), `import_batches` (each import run, every file's
outcome) and `reviews` (review before publish). May import the file format
(`articles.fileformat`) and the renderer (`articles.rendering`: a save stores
the answer rendered) and nothing else of the project: no views, admin,
importing or search (import-linter checks this).
"""

from .content import (
    LISTED_INDEX,
    NEWEST_FIRST_SQL,
    RENDERED_FIELDS,
    SOURCE_ONLY_FIELDS,
    Article,
    ArticleQuerySet,
    Redirect,
    RelatedLink,
    ShownVersion,
    Status,
    Subject,
    SubjectQuerySet,
)
from .editing import Editing
from .import_batches import ImportBatch, ImportedFile, Outcome
from .reviews import Review, ReviewQuerySet

__all__ = [
    "LISTED_INDEX",
    "NEWEST_FIRST_SQL",
    "RENDERED_FIELDS",
    "SOURCE_ONLY_FIELDS",
    "Article",
    "ArticleQuerySet",
    "Editing",
    "ImportBatch",
    "ImportedFile",
    "Outcome",
    "Redirect",
    "RelatedLink",
    "Review",
    "ReviewQuerySet",
    "ShownVersion",
    "Status",
    "Subject",
    "SubjectQuerySet",
]
