"""What every admin page over a large table shares."""

from functools import cached_property

from django.core.paginator import Paginator


class CappedCountPaginator(Paginator):
    """Counts up to a cap: beyond it the page links stop, and the database never scans it all.

    Tables here grow to millions of rows (orders, deadlines, deliveries); a COUNT(*) over
    them, filtered or not, would cost more than the page itself.
    """

    COUNT_CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.COUNT_CAP + 1].count()
