"""The admin, for editors and import staff: one module per area.

- `articles`: the article change list and form, live preview, bulk publishing;
- `related_links`: the related links inline, its autocomplete and validation;
- `edit_conflicts`: stale forms refused and merged, untouched saves writing
  nothing, who else has the form open;
- `exact_fields`: text fields whose value makes the browser's round trip;
- `history`: an article's revisions, compared and restored;
- `imports`: import batches, uploads, their dry runs and confirmation;
- `worklists`: links to articles not written yet, articles short of links;
- `subjects`: subjects and their names.

Everything is registered here, where Django's admin looks. May import every
other room; nothing imports the admin (import-linter checks this).
"""

from django.contrib import admin

from articles.models import Article, ImportBatch, Subject

from .articles import ArticleAdmin
from .imports import ImportBatchAdmin
from .subjects import SubjectAdmin

admin.site.register(Subject, SubjectAdmin)
admin.site.register(Article, ArticleAdmin)
admin.site.register(ImportBatch, ImportBatchAdmin)
