"""Importing: article files -> outcomes -> rows.

Owns finding and reading a batch's files (`files`, in worker processes),
deciding each file's outcome, refusals included (`outcomes`, the one place),
turning records into rows and back (`rows`), writing a chunk's rows in bulk
(`plan`, `bulk_writes`, `revisions`), the run itself (`importer`), import
batches kept with every file's outcome (`batches`), admin uploads and their
staging (`uploads`), the upload page's guard, which refuses an upload before
its body is read (`upload_guard`, a middleware), and the dry run's diffs
(`diffs`).

May import the file format, the models, search's index and the page cache;
never the views or the admin (import-linter checks this).
"""
