"""Text fields whose value makes the round trip through a browser exactly.

A browser does not send back what a form showed: it sends a textarea's line
breaks as CRLF, drops the line breaks of a one-line input, and Django's
CharField strips leading and trailing whitespace (the body `\\n&nbsp;` came
back as `&nbsp;`). So an untouched "Save" changed the article, its history
and its import fingerprint. Here a field tells an edit from the browser's
rewriting of the same text, and a field the editor did not edit keeps its
stored value to the character.
"""

from __future__ import annotations

import re

from django import forms

LINE_BREAKS = re.compile(r"\r\n|\r")


class ExactTextField(forms.CharField):
    """A text field: what the editor typed, kept as typed (line breaks as
    "\\n"); not edited, the stored value as it was (`ExactTextForm`)."""

    def __init__(self, *args, **kwargs):
        kwargs["strip"] = False
        super().__init__(*args, **kwargs)

    def to_python(self, value) -> str:
        return LINE_BREAKS.sub("\n", super().to_python(value))

    def validate(self, value) -> None:
        super().validate(value)
        if self.required and not value.strip():
            raise forms.ValidationError(self.error_messages["required"], "required")

    def has_changed(self, initial, data) -> bool:
        return self.as_sent(initial) != self.as_sent(data)

    def as_sent(self, value) -> str:
        """`value` as a browser sends it back from this field's widget, line
        breaks made "\\n" (a one-line input has none)."""
        text = LINE_BREAKS.sub("\n", "" if value is None else str(value))
        if not isinstance(self.widget, forms.Textarea):
            text = text.replace("\n", "")
        return text


class ExactTextForm(forms.ModelForm):
    """A model form whose text fields are `ExactTextField`s (name them in
    Meta.field_classes) and keep their stored value when not edited."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, ExactTextField) and name not in self.changed_data:
                if name in cleaned and self[name].initial is not None:
                    cleaned[name] = self[name].initial
        return cleaned
