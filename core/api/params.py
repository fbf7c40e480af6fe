"""Query parameters read strictly: a value the schema does not allow is a 400, not a guess."""

from django.utils.translation import gettext as _

from core.errors import ValidationFailed

TRUE = frozenset({"true", "1", "yes"})
FALSE = frozenset({"false", "0", "no", ""})


def boolean_param(request, name: str) -> bool:
    value = request.query_params.get(name, "").strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValidationFailed(field_errors={name: [_("Enter true or false.")]})
