"""JSON bodies that every view can trust: shallow, storable text, finite numbers.

Python's parser accepts what the rest of the stack cannot: nesting deep enough to exhaust
the recursion limit later (or while parsing), lone UTF-16 surrogates ("\\ud800") that
PostgreSQL cannot store, and 1e309, read as infinity. Each is refused here, as a 400.
"""

import math

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# The deepest body of the API (bulk orders → order → lines → line → field) is 5 levels.
MAX_JSON_DEPTH = 32


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("The JSON body is nested too deeply.")) from error
        check_json_value(data)
        return data


def check_json_value(data) -> None:
    """Raises ParseError for what the JSON grammar allows and the application cannot hold."""
    # Iterative, so that checking a deep document cannot itself exhaust the stack.
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ParseError(
                    _("The JSON body is nested too deeply (at most %(depth)d levels).")
                    % {"depth": MAX_JSON_DEPTH}
                )
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_text(key)
                    pending.append((item, depth + 1))
            else:
                pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_text(value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise ParseError(_("Numbers must be finite."))


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ParseError(_("The JSON body contains an unpaired UTF-16 surrogate.")) from error
