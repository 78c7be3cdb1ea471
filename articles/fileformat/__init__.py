"""The article file format: YAML front matter between `---` lines, then a body.

Owns reading a file's bytes into an `ArticleFile` (`reading`), writing one back
in the seeds' style (`writing`), the answer's `\\n` line breaks and where its
math and code are (`answer_text`), dates in the files' notation (`dates`), and
the format's limits: field lengths, the slug and URL patterns (`limits`).

Pure Python: it imports no Django and nothing else of the project (an
import-linter contract in pyproject.toml checks this), so the import's worker
processes, the exporter and any other tool can read and write files with it.
"""
