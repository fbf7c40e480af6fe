import uuid

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.pagination import Cursor

from core.api.pagination import CursorPagination, InvalidCursor


class OrderCursorPagination(CursorPagination):
    """Keyset pages on (placed_at, id), newest first: exact at any depth, whatever the ties.

    DRF's cursor keeps only the first ordering column and steps over equal values with an
    offset capped at 1,000, which a CSV of orders all placed in the same second defeats. Here
    the cursor holds both columns, and the index (merchant, -placed_at, -id) serves the page.
    """

    ordering = ("-placed_at", "-id")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        position = self.cursor.position if self.cursor else None
        newest_first = self.ordering[0].startswith("-")
        flipped = ("placed_at", "id") if newest_first else ("-placed_at", "-id")
        queryset = queryset.order_by(*(flipped if reverse else self.ordering))
        if position is not None:
            placed_at, pk = self._parse(position)
            beyond = "gt" if reverse == newest_first else "lt"
            queryset = queryset.filter(
                Q(**{f"placed_at__{beyond}": placed_at})
                | Q(placed_at=placed_at, **{f"id__{beyond}": pk})
            )
        results = list(queryset[: self.page_size + 1])
        more = len(results) > self.page_size
        self.page = results[: self.page_size]
        if reverse:
            self.page.reverse()
        self.has_next = position is not None if reverse else more
        self.has_previous = more if reverse else position is not None
        return self.page

    def get_next_link(self):
        if not self.has_next:
            return None
        position = self._position(self.page[-1]) if self.page else self.cursor.position
        return self.encode_cursor(Cursor(offset=0, reverse=False, position=position))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        position = self._position(self.page[0]) if self.page else self.cursor.position
        return self.encode_cursor(Cursor(offset=0, reverse=True, position=position))

    @staticmethod
    def _position(order) -> str:
        # An order, or a row of its values (the API's list reads rows).
        if isinstance(order, dict):
            return f"{order['placed_at'].isoformat()}|{order['id']}"
        return f"{order.placed_at.isoformat()}|{order.pk}"

    def _parse(self, position: str):
        placed_at, _, pk = position.partition("|")
        try:
            moment = parse_datetime(placed_at)
            key = uuid.UUID(pk)
        except ValueError:
            moment = None
        if moment is None or timezone.is_naive(moment):
            raise InvalidCursor()
        return moment, key


class OldestOrderCursorPagination(OrderCursorPagination):
    """The same keyset, oldest first: what has waited longest comes first."""

    ordering = ("placed_at", "id")
