"""The static site: the public pages written as files any static host or CDN
can serve (`manage.py build_site OUT_DIR`), and rebuilt by the worker after
imports and edits when the settings ask for it.

- `addresses.py`: which pages the site has, the file each is written to, and
  the few links a static host cannot follow as the dynamic site writes them
  (query strings, feeds without an extension, the search form).
- `rendering.py`: a page rendered through the project's own URLconf and views,
  so the built page is the page the dynamic site serves.
- `output.py`: the output folder: a manifest of content digests, atomic
  writes, files of pages no longer on the site removed.
- `building.py`: the build, in worker processes when it pays.
- `rebuilds.py`: the worker's rebuild job, requests coalesced.

May import `models`, the public site (views through the URLconf, `sitemaps`,
`views.PAGE_SIZE`) and Django. The admin and importing never import it (an
import-linter contract): they reach it through signals (an article or subject
saved, a background job finished), connected in `apps.py`.
"""
