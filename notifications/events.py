"""What a domain hands the notification engine: an `Event`, already decided and worded.

The engine never imports a domain. A domain declares the event types it raises when it
starts (they are what webhooks subscribe to and e-mail preferences name)::

    DISPUTE_OPENED = register_event_type("dispute.opened", gettext_lazy("A dispute is opened"))

then builds an Event in its service, inside its transaction, and calls
`notifications.services.notify(event=...)`::

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

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

ALL_EVENTS = "*"

# Event type → its label, in registration order (the domains' start-up order).
_event_types: dict[str, Any] = {}
_lock = threading.Lock()


def register_event_type(name: str, label) -> str:
    """Declare an event type a domain raises; the same name and label again is harmless.

    Two domains may raise one type (orders and disputes both tell of a `deadline.fired`):
    each registers it, with the same label.
    """
    with _lock:
        known = _event_types.get(name)
        if known is not None and str(known) != str(label):
            raise ValueError(f"The event type {name!r} is registered with another label.")
        _event_types.setdefault(name, label)
    return name


def event_types() -> tuple[str, ...]:
    """Every registered event type (the webhook types of API.md once the domains started)."""
    return tuple(_event_types)


def event_label(name: str):
    return _event_types.get(name, name)


def _message_id(value) -> str:
    # A lazy translation evaluated with translations off yields its English message id.
    with translation.override(None):
        return str(value)


# Words a domain stores in English and puts in the reader's language itself (a parcel's
# tracking problem, with numbers of its own): name → function of the stored English.
_word_renderers: dict[str, Any] = {}


def register_words(name: str, render) -> str:
    """Let a Text parameter be stored in English and worded by `render` at reading time."""
    _word_renderers.setdefault(name, render)
    return name


@dataclass(frozen=True)
class Words:
    """A Text parameter in English, worded at reading time by a registered renderer."""

    renderer: str
    value: str


@dataclass(frozen=True)
class Text:
    """An English message id and its parameters, rendered in each reader's language."""

    message: Any
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        params, translated, worded = {}, [], {}
        for name, value in self.params.items():
            if isinstance(value, Promise):
                params[name] = _message_id(value)
                translated.append(name)
            elif isinstance(value, Words):
                params[name] = value.value
                worded[name] = value.renderer
            else:
                params[name] = value
        stored = {"message": _message_id(self.message), "params": params, "translate": translated}
        if worded:
            stored["words"] = worded
        return stored

    @staticmethod
    def render_json(stored: dict, language: str) -> str:
        with translation.override(language):
            translated = set(stored.get("translate", ()))
            worded = stored.get("words", {})
            params = {}
            for name, value in stored.get("params", {}).items():
                if name in translated:
                    value = gettext(value)
                elif name in worded and worded[name] in _word_renderers:
                    value = _word_renderers[worded[name]](value)
                params[name] = value
            text = gettext(stored["message"]) if stored["message"] else ""
            return text % params if params else text


def render_stored(stored, language: str, fallback: str) -> str:
    """A stored Text in `language`; `fallback` (the words written with the row) for a row
    whose stored Text is missing or no longer fits its message (a changed placeholder)."""
    if not isinstance(stored, dict) or "message" not in stored:
        return fallback
    if not stored.get("params") and "%(" in str(stored["message"]):
        return fallback
    try:
        return Text.render_json(stored, language)
    except (KeyError, TypeError, ValueError):
        return fallback


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
    # What the event is about ("dispute:<id>"): opening that thing marks its notices read.
    subject: str = ""
