"""The site's settings with one more URL, /bench/trivial/ (bench/trivial_urls.py).

Used as DJANGO_SETTINGS_MODULE=bench.trivial_settings by bench/page_benchmark.py
only, so the benchmark's floor runs through the same middleware as the pages.
"""

from quicktakes.settings import *  # noqa: F403

ROOT_URLCONF = "bench.trivial_urls"
