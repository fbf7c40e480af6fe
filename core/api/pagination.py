from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination


class InvalidCursor(exceptions.ValidationError):
    """A cursor the server did not write: bad input (400), not a missing page."""

    def __init__(self):
        super().__init__(
            {"cursor": [_("This cursor is invalid. Follow the next or previous link.")]}
        )


class CursorPagination(pagination.CursorPagination):
    """Keyset pages on an indexed column: page 1,000 costs what page 1 costs."""

    # A first page of 25 rows: what a list screen shows at once; a client that wants more
    # asks for up to 100 (API.md, "Lists"). The cost of a page grows with its rows.
    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"
    # Ids are UUIDv7, so "-id" is newest first and unique.
    ordering = "-id"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            message = _("Enter a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        # Larger pages are cut to the largest one served (API.md, "Lists").
        return min(size, self.max_page_size)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as error:
            raise InvalidCursor() from error

    def paginate_queryset(self, queryset, request, view=None):
        cursor = self.decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            # The position lands in a WHERE clause: a forged one must not reach the database.
            self._check_position(queryset, cursor.position)
        return super().paginate_queryset(queryset, request, view)

    def _check_position(self, queryset, position: str) -> None:
        if "\x00" in position:  # PostgreSQL refuses NUL in any string
            raise InvalidCursor()
        ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
        name = ordering.lstrip("-")
        # A list may sort on a computed column (an annotation): check against its type.
        annotation = queryset.query.annotations.get(name)
        try:
            field = (
                annotation.output_field
                if annotation is not None
                else queryset.model._meta.get_field(name)
            )
        except FieldDoesNotExist:
            return
        try:
            field.to_python(position)
        except (DjangoValidationError, ValueError) as error:
            raise InvalidCursor() from error
