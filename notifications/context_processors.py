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
    def unread(self) -> int:
        if not hasattr(self, "_unread"):
            self._unread = selectors.notification_unread_count(
                user=self._request.user, limit=BELL_LIMIT
            )
        return self._unread

    @property
    def unread_text(self) -> str:
        return f"{BELL_LIMIT}+" if self.unread > BELL_LIMIT else str(self.unread)


def notification_bell(request):
    # API pages (the docs) render templates with DRF's request, whose anonymous user is None.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "organization", None) is None:
        return {"notification_bell": None}
    return {"notification_bell": SimpleLazyObject(lambda: Bell(request))}
