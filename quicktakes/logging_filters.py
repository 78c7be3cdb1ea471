"""Logging filters: what is not an error gets one line, not a traceback."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class PermissionDeniedInOneLine(logging.Filter):
    """A 403 is a refusal working as meant, not a fault to debug: Django logs
    it ("Forbidden (Permission denied): /path") with the PermissionDenied's
    traceback; keep the line, drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
