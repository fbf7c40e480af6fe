"""The dispute list writes its filters' options in Python (disputes.web.options): they must
read exactly as the template loops they replaced wrote them, escaping and language included."""

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.utils import translation

from disputes.web.forms import FilterForm
from disputes.web.options import fixed_option_tags, option_tags

# The loops of templates/app/disputes/list.html before the options were written in Python.
FIXED_LOOP = (
    '{% for value, label in choices %}<option value="{{ value }}"{% if filters.NAME == value %}'
    " selected{% endif %}>{{ label|capfirst }}</option>{% endfor %}"
)
PLAIN_LOOP = FIXED_LOOP.replace("{{ label|capfirst }}", "{{ label }}")


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    "query", ["", "status=&kind=refund", "status=open&reason=damaged", "status=nothing&kind=x"]
)
@pytest.mark.parametrize(
    ("name", "capitalized"),
    [("status", True), ("kind", True), ("reason", False), ("waiting_on", False)],
)
def test_fixed_options_read_as_the_template_wrote_them(language, query, name, capitalized):
    filters = QueryDict(query)
    loop = (FIXED_LOOP if capitalized else PLAIN_LOOP).replace("NAME", name)
    choices = FilterForm.base_fields[name].choices
    with translation.override(language):
        expected = Template(loop).render(Context({"choices": choices, "filters": filters}))
        # Twice: the second one is the options kept from the first.
        for _ in range(2):
            written = fixed_option_tags(name, choices, filters.get(name), capitalized=capitalized)
            assert written == expected


def test_options_escape_values_and_labels_as_the_template_did():
    people = [("1", 'Ann <b>"&" O\'Neil</b>'), ('"2"', "Bob")]
    loop = (
        '{% for value, label in choices %}<option value="{{ value }}"{% if chosen == value %}'
        " selected{% endif %}>{{ label }}</option>{% endfor %}"
    )
    for chosen in ("1", '"2"', None):
        expected = Template(loop).render(Context({"choices": people, "chosen": chosen}))
        assert option_tags(people, chosen) == expected
