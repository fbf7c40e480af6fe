"""The `<option>`s of the dispute lists' filters, written in Python as the rows are (rows.py).

Through the template engine each option cost a loop step, a comparison and two or three
variables resolved: about a millisecond for the sixty options of /app/disputes/. The markup
is the one the templates wrote; values and labels are escaped as `{{ }}` escaped them.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst


def option_tags(choices, selected: str | None, *, capitalized: bool = False) -> SafeString:
    """`<option>`s of (value, label) pairs; the one whose value is `selected` is selected
    (None, a filter absent from the address, selects none, not even the empty one)."""
    return mark_safe(  # noqa: S308 (every value and label is escaped)
        "".join(
            '<option value="{}"{}>{}</option>'.format(
                escape(value),
                " selected" if value == selected else "",
                escape(capfirst(label) if capitalized else label),
            )
            for value, label in choices
            for label in (str(label),)
        )
    )
