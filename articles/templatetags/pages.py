"""`{% page_url n %}`: the current page's query string, at page n."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """`?q=…&subject=…&page=n`: the request's parameters kept, the page replaced."""
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()
