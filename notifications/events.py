"""What a domain hands the notification engine: an `Event`, already decided and worded.

The engine never imports a domain. A domain builds an Event in its service, inside its
transaction, and calls `notifications.services.notify(event=...)`::

    from django.utils.translation import gettext_noop
    from notifications.events import Event, Recipients, Text
    from notifications.services import notify

    notify(event=Event(
        type="dispute.opened",
        merchant=dispute.merchant,
        dedup_key=f"dispute:{dispute.pk}:opened",
        title=Text(gettext_noop("Dispute #%(number)s opened"), {"number": dispute.number}),
        body=Text(gettext_noop("%(merchant)s opened a dispute on order %(order)s."), {...}),
        url=f"/portal/disputes/{dispute.pk}/",
        data={"dispute": {"id": str(dispute.pk), "number": dispute.number}},
        recipients=(
            Recipients(dispute.supplier),
            Recipients(dispute.merchant, roles=MERCHANT_WORKERS),
        ),
        exclude_users=(actor.user,),
    ))

Words are English message ids marked for translation (gettext_noop, or gettext_lazy), with
%-style parameters; each recipient reads them in their own language (user.language, else
English). `data` is the webhook payload's "data" and must be JSON. `dedup_key` makes the
call idempotent: per recipient and channel, one notification per (merchant, dedup_key).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

# The webhook event types of the HTTP contract (API.md, "Notifications and webhooks").
EVENT_TYPES = (
    "dispute.opened",
    "dispute.message",
    "dispute.status_changed",
    "dispute.escalated",
    "dispute.resolved",
    "dispute.closed",
    "deadline.fired",
    "order.overdue",
    # Beyond API.md's list: parcels the merchant must look at.
    "shipment.tracking_invalid",
    "shipment.returned",
)
ALL_EVENTS = "*"
EVENT_LABELS = {
    "dispute.opened": gettext_lazy("A dispute is opened"),
    "dispute.message": gettext_lazy("A new message in a dispute"),
    "dispute.status_changed": gettext_lazy("A dispute changes status"),
    "dispute.escalated": gettext_lazy("A dispute is escalated"),
    "dispute.resolved": gettext_lazy("A dispute is resolved"),
    "dispute.closed": gettext_lazy("A dispute is closed"),
    "deadline.fired": gettext_lazy("A deadline passes"),
    "order.overdue": gettext_lazy("An order is overdue"),
    "shipment.tracking_invalid": gettext_lazy("A parcel's tracking number looks invalid"),
    "shipment.returned": gettext_lazy("A parcel is returned to its sender"),
}


def _message_id(value) -> str:
    # A lazy translation evaluated with translations off yields its English message id.
    with translation.override(None):
        return str(value)


@dataclass(frozen=True)
class Text:
    """An English message id and its parameters, rendered in each reader's language."""

    message: Any
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        params, translated = {}, []
        for name, value in self.params.items():
            if isinstance(value, Promise):
                params[name] = _message_id(value)
                translated.append(name)
            else:
                params[name] = value
        return {"message": _message_id(self.message), "params": params, "translate": translated}

    @staticmethod
    def render_json(stored: dict, language: str) -> str:
        with translation.override(language):
            translated = set(stored.get("translate", ()))
            params = {
                name: gettext(value) if name in translated else value
                for name, value in stored.get("params", {}).items()
            }
            text = gettext(stored["message"]) if stored["message"] else ""
            return text % params if params else text


def as_text(value) -> Text:
    return value if isinstance(value, Text) else Text(value or "")


@dataclass(frozen=True)
class Recipients:
    """Members of one organization: all, those with `roles`, or the listed `users`."""

    organization: Any
    roles: frozenset[str] | None = None
    users: tuple | None = None


@dataclass(frozen=True)
class Event:
    type: str
    merchant: Any
    dedup_key: str
    title: Any
    body: Any = ""
    url: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    recipients: tuple[Recipients, ...] = ()
    # People who need no notice of what they did themselves (usually the actor).
    exclude_users: tuple = ()
    # An e-mail template pair of the domain's ("<name>.txt" and "<name>.html"), rendered
    # with `email_context` (JSON) plus title, body, url; the engine's generic one if empty.
    email_template: str = ""
    email_context: Mapping[str, Any] = field(default_factory=dict)
    # Merchant-only matters (internal notes): refused if any recipient is not the merchant.
    internal: bool = False
    # Sent to the merchant's webhook endpoints subscribed to `type`.
    webhooks: bool = True
