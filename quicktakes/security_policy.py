"""The Content-Security-Policy headers, built once from the settings.

django-csp's middleware builds the policy text from the settings again for
every response (about 5 % of a page rendered afresh). A response that asks
for nothing of its own (no `csp_update`, `csp_replace` or `csp_exempt`
decorator, no nonce used by its template) gets the settings' policy, which
this middleware builds once and sets as django-csp would. Any other
response, a policy with EXCLUDE_URL_PREFIXES, and django-csp's own exemption
of 404 and 500 pages under DEBUG take django-csp's way, unchanged.
"""

from __future__ import annotations

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What a view or its template may leave on the response or request to ask for
# a policy of its own (django-csp's decorators and nonce).
_OWN_POLICY_ATTRIBUTES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class PolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        headers = settings_headers()
        if (
            headers is None
            or settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _OWN_POLICY_ATTRIBUTES)
        ):
            return super().process_response(request, response)
        for header, value in headers:
            if header not in response:
                response[header] = value
        # As django-csp: a nonce asked for after this would be in no header.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def settings_headers() -> tuple[tuple[str, str], ...] | None:
    """The headers of the settings' policy, or None where some path is
    excluded from it (django-csp then decides, request by request)."""
    policies = (
        (HEADER, getattr(settings, "CONTENT_SECURITY_POLICY", None), False),
        (
            HEADER_REPORT_ONLY,
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None),
            True,
        ),
    )
    headers = []
    for header, policy, report_only in policies:
        if policy and policy.get("EXCLUDE_URL_PREFIXES"):
            return None
        if text := build_policy(report_only=report_only):
            headers.append((header, text))
    return tuple(headers)


@receiver(setting_changed)
def _policy_changed(setting: str, **_signal) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        settings_headers.cache_clear()
