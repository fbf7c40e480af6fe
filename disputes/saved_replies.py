"""Saved replies filled from a dispute: the variant in the reader's language, placeholders
replaced by the dispute's facts.

A placeholder nobody knows ({order_id}) or one the dispute has no value for (no parcel yet,
so no {tracking_number}) stays in the text as written and is reported, so the person sees
what to complete before sending; nothing here raises on a text people wrote.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "customer_name": _("the customer's name"),
    "order_number": _("the shop's order number"),
    "tracking_number": _("the tracking number of the latest parcel"),
    "amount": _("the amount of the open proposal, the agreement or the request"),
}
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


@dataclass(frozen=True)
class FilledReply:
    text: str
    language: str
    unfilled: tuple[str, ...]  # the placeholders left as written, "{name}" each


def placeholders_in(text: str) -> list[str]:
    return list(dict.fromkeys(PLACEHOLDER.findall(text or "")))


def unknown_placeholders(variants: dict) -> list[str]:
    names = [name for text in variants.values() for name in placeholders_in(text)]
    return [name for name in dict.fromkeys(names) if name not in PLACEHOLDERS]


def variant_for(reply, language: str) -> tuple[str, str]:
    """(language, text): the reader's language when the merchant wrote it, else the default."""
    if language and reply.variants.get(language):
        return language, reply.variants[language]
    return reply.default_language, reply.default_text


def reply_fill(reply, *, language: str, values: dict[str, str]) -> FilledReply:
    chosen, text = variant_for(reply, language)
    unfilled = []

    def replace(match):
        value = values.get(match.group(1)) if match.group(1) in PLACEHOLDERS else None
        if value:
            return value
        unfilled.append(match.group(0))
        return match.group(0)

    filled = PLACEHOLDER.sub(replace, text)
    return FilledReply(text=filled, language=chosen, unfilled=tuple(dict.fromkeys(unfilled)))


def placeholder_values(dispute, *, parcels=()) -> dict[str, str]:
    """What a dispute knows for each placeholder; empty where it has nothing (yet)."""
    order = dispute.order
    resolution = dispute.resolution
    shipment = resolution.shipment if resolution is not None else None
    tracking = shipment.tracking_number if shipment is not None else ""
    if not tracking and parcels:
        tracking = parcels[-1].tracking_number
    amount = None
    for source in (dispute.open_proposal, resolution):
        if source is not None and source.amount is not None:
            amount = source.amount
            break
    if amount is None:
        amount = dispute.requested_amount
    return {
        "customer_name": order.customer_name,
        "order_number": order.external_id,
        "tracking_number": tracking,
        "amount": f"{amount} {dispute.currency}" if amount is not None else "",
    }
