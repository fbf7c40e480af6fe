from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Keyset pages on an indexed column: page 1,000 costs what page 1 costs."""

    page_size = 50
    max_page_size = 100
    page_size_query_param = "page_size"
    # Ids are UUIDv7, so "-id" is newest first and unique.
    ordering = "-id"
