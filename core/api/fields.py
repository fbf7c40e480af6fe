"""Input fields that take only the type the schema states.

DRF's own read 0 as "0" for text and "0" or 1 as a boolean: handy for HTML forms, but a JSON
client sending the wrong type has a bug it should hear about (400), not a guess.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class TextField(serializers.CharField):
    default_error_messages = {"invalid": _("Must be a string.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JSONBooleanField(serializers.BooleanField):
    """true or false, as JSON writes them."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class FormBooleanField(serializers.BooleanField):
    """ "true" or "false" in a multipart form, where every value is text."""

    def to_internal_value(self, data):
        value = str(data).lower()
        if value not in ("true", "false"):
            self.fail("invalid")
        return value == "true"
