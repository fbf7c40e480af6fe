"""Events for the engine's tests: addressed to the `world` organizations, no domain model."""

from django.utils.translation import gettext_noop

from accounts.models import MERCHANT_WORKERS
from notifications.events import Event, Recipients, Text


def event(
    world, *, key="test:1", type="dispute.opened", recipients=None, merchant=None, **fields
) -> Event:
    defaults = {
        "title": Text(gettext_noop("Dispute #%(number)s opened"), {"number": 42}),
        "body": Text(gettext_noop("Nothing"), {}),
        "url": "/app/",
        "data": {"dispute": {"number": 42}},
    }
    if recipients is None:
        recipients = (Recipients(world.acme, roles=MERCHANT_WORKERS), Recipients(world.shenzhen))
    return Event(
        type=type,
        merchant=merchant or world.acme,
        dedup_key=key,
        recipients=recipients,
        **{**defaults, **fields},
    )
