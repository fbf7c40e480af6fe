"""A person opening a dispute: what they have now read."""

from accounts.actors import Actor
from disputes.models import Dispute
from disputes.notifications import subject_of
from notifications.services import notification_mark_read_about


def dispute_notifications_mark_read(*, actor: Actor, dispute: Dispute) -> int:
    """Opening a dispute reads every notification about it, in the organization it is
    opened in (the page, or the API's detail); answers how many were unread."""
    return notification_mark_read_about(user=actor.user, subject=subject_of(dispute))
