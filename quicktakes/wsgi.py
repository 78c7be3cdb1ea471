"""WSGI entry point: `gunicorn quicktakes.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quicktakes.settings")

application = get_wsgi_application()
