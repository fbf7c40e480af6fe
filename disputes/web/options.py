"""The `<option>`s of the dispute lists' filters, written in Python as the rows are (rows.py).

Through the template engine each option cost a loop step, a comparison and two or three
variables resolved: about a millisecond for the sixty options of /app/disputes/. The markup
is the one the templates wrote; values and labels are escaped as `{{ }}` escaped them.
"""

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language

from disputes.web.rows import escape


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


# (filter, language, selected value, capitalized) → its options: the choices of a model's
# field are the same on every page, so each language writes them once per selected value.
_written: dict[tuple, SafeString] = {}


def fixed_option_tags(
    name: str, choices, selected: str | None, *, capitalized: bool = False
) -> SafeString:
    """`option_tags` of choices that never change (named `name`), written once and kept."""
    if selected not in {value for value, _label in choices}:
        selected = None  # selects none, as any value that is not a choice
    key = (name, get_language(), selected, capitalized)
    if key not in _written:
        _written[key] = option_tags(choices, selected, capitalized=capitalized)
    return _written[key]
