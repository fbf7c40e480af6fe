from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from notifications import selectors

# The bell says "99+" past this: every page shows it, and counting a forgotten inbox of
# thousands on each one would cost more than the page.
BELL_LIMIT = 99


class Bell:
    """What the header's bell needs; the count is read only when a template shows it."""

    def __init__(self, request):
        self._request = request
        prefix = "app" if request.organization.is_merchant else "portal"
        self.namespace = f"{prefix}-notifications"
        self.list_url = reverse(f"{self.namespace}:list")
        self.count_url = reverse(f"{self.namespace}:bell")
        self.poll_seconds = settings.NOTIFICATION_BELL_POLL_SECONDS

    @property
    def counts(self) -> dict:
        """Organization id → unread there, for each organization the user belongs to."""
        if not hasattr(self, "_counts"):
            self._counts = selectors.notification_unread_counts_by_organization(
                user=self._request.user, limit=BELL_LIMIT
            )
        return self._counts

    @property
    def unread(self) -> int:
        return self.counts.get(self._request.organization.pk, 0)

    @property
    def unread_text(self) -> str:
        return count_text(self.unread)

    @property
    def per_membership(self) -> list[tuple]:
        """(membership, unread, its text) for every organization the user belongs to."""
        return [
            (membership, count, count_text(count))
            for membership in self._request.memberships
            for count in (self.counts.get(membership.organization_id, 0),)
        ]

    @property
    def summary(self) -> str:
        """ "Acme 3, Globex 1": where the unread notifications are, for someone in several
        organizations; empty for someone in one."""
        if len(self._request.memberships) < 2:
            return ""
        return ", ".join(
            f"{membership.organization.name} {text}"
            for membership, count, text in self.per_membership
            if count
        )


def count_text(count: int) -> str:
    return f"{BELL_LIMIT}+" if count > BELL_LIMIT else str(count)


def notification_bell(request):
    # API pages (the docs) render templates with DRF's request, whose anonymous user is None.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "organization", None) is None:
        return {"notification_bell": None}
    return {"notification_bell": SimpleLazyObject(lambda: Bell(request))}
