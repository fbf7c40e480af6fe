"""Choice labels by value, translated once per language rather than once per row.

`Model.get_FOO_display()` rebuilds the field's choice list and translates its label on
every call; a list of 100 rows with three such columns did it 300 times per page.
"""

from functools import cache

from django.db.models import Choices
from django.utils.translation import get_language, override


@cache
def _labels(choices: type[Choices], language: str | None) -> dict[str, str]:
    with override(language):
        return {value: str(label) for value, label in choices.choices}


def choice_label(choices: type[Choices], value: str) -> str:
    """The label of `value` in the active language; the value itself when unknown."""
    return _labels(choices, get_language()).get(value, value)
