"""Template filters for what a page tells search engines."""

from __future__ import annotations

from django import template

from articles.structured_data import json_ld_script

register = template.Library()


@register.filter
def json_ld(data):
    """`{{ data|json_ld }}`: a JSON-LD script element, safe to embed."""
    return json_ld_script(data)
