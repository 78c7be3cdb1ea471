"""What a browser sends when a form is submitted: the fields of its HTML, as
Chromium would post them, for tests that must not trust the view's context.

A textarea loses the one line break after its opening tag; a one-line input
loses every line break of its value; every line break is sent as CRLF; an
unchecked box, a disabled field and the buttons not pressed are not sent; a
select sends its selected option, or its first without one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BUTTONS = {"submit", "button", "reset", "image"}


class _FormFields(HTMLParser):
    def __init__(self, form_id: str, pressed: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.pressed = form_id, pressed
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.textarea: dict | None = None
        self.select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        self._start_option(tag, attrs)
        if not self.inside or "disabled" in attrs or not attrs.get("name"):
            return
        if tag == "input":
            self._input(attrs)
        elif tag == "textarea":
            self.textarea = {"name": attrs["name"], "text": ""}
        elif tag == "select":
            self.select = {"name": attrs["name"], "first": None, "chosen": None}

    def _start_option(self, tag, attrs):
        if tag == "option" and self.inside and self.select is not None:
            self._option(dict(attrs))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def _input(self, attrs):
        kind = attrs.get("type", "text").lower()
        if kind in BUTTONS:
            if attrs["name"] == self.pressed:
                self.fields.append((attrs["name"], attrs.get("value") or ""))
            return
        if kind in {"checkbox", "radio"}:
            if "checked" in attrs:
                self.fields.append((attrs["name"], attrs.get("value") or "on"))
            return
        value = attrs.get("value") or ""
        if kind != "hidden":
            value = re.sub(r"[\r\n]", "", value)  # a one-line value has none
        self.fields.append((attrs["name"], value))

    def _option(self, attrs):
        value = attrs.get("value") or ""
        if self.select["first"] is None:
            self.select["first"] = value
        if "selected" in attrs:
            self.select["chosen"] = value

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            text = text[1:] if text.startswith("\n") else text
            self.fields.append((self.textarea["name"], text))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            value = chosen if chosen is not None else self.select["first"]
            if value is not None:
                self.fields.append((self.select["name"], value))
            self.select = None


def submitted_form(
    html: str, form_id: str = "article_form", pressed: str | None = "_continue"
) -> dict[str, list[str]]:
    """The fields of the form `form_id` of `html` as a browser submits it with
    the button named `pressed`: name -> values, line breaks as CRLF."""
    parser = _FormFields(form_id, pressed)
    parser.feed(html)
    parser.close()
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        value = re.sub(r"\r\n|\r|\n", "\r\n", value)
        data.setdefault(name, []).append(value)
    return data
