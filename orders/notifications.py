"""The notices of the orders domain, worded for the notification engine (see its events.py).

Builders only: each returns the `Event`s of one occurrence and writes nothing; the
services in orders.services.shipping_deadlines hand them to `notify()`.

Event types (registered here with the engine: the webhook types of API.md):

- ship-reminder: `deadline.fired`, twice: the merchant's notice (in-app, e-mail and the
  merchant's `deadline.fired` webhook) and the supplier's (in-app and e-mail only, since
  the merchant's endpoints must not receive a second copy of the same firing);
- ship-overdue: `order.overdue`, to the merchant, with the suggested suppliers in `data`;
- customs-hold: `deadline.fired`, to the merchant.
- a parcel recorded (or corrected) with an invalid tracking number:
  `shipment.tracking_invalid`, to the merchant; once per number.
- a parcel returned to its sender: `shipment.returned`, to the merchant, with the offer to
  have it reshipped to a corrected address.

Every dedup key carries the deadline's id: one notice per firing, whatever the retries.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import MERCHANT_WORKERS, SUPPLIER_WORKERS
from notifications.events import (
    Event,
    Recipients,
    Text,
    Words,
    register_event_type,
    register_words,
)
from orders.tracking import problem_in_words

DEADLINE_FIRED = register_event_type("deadline.fired", gettext_lazy("A deadline passes"))
ORDER_OVERDUE = register_event_type("order.overdue", gettext_lazy("An order is overdue"))
# A tracking problem is stored in English and worded in each reader's language.
TRACKING_PROBLEM = register_words("tracking_problem", problem_in_words)
SHIPMENT_TRACKING_INVALID = register_event_type(
    "shipment.tracking_invalid", gettext_lazy("A parcel's tracking number looks invalid")
)
SHIPMENT_RETURNED = register_event_type(
    "shipment.returned", gettext_lazy("A parcel is returned to its sender")
)


def _merchant_url(order) -> str:
    return reverse("app-order-detail", args=[order.pk])


def _supplier_url(order) -> str:
    # The portal has no page per order: its list of orders to ship, at this order's card.
    return f"{reverse('portal-orders')}#order-{order.pk}"


def _lines_text(lines) -> str:
    return ", ".join(
        f"{line.sku}{f' ({line.variant})' if line.variant else ''} x {line.quantity}"
        for line in lines
    )


def _deadline_data(deadline) -> dict:
    return {"id": str(deadline.pk), "rule": deadline.rule, "due_at": deadline.due_at.isoformat()}


def _order_data(order) -> dict:
    return {
        "id": str(order.pk),
        "external_id": order.external_id,
        "placed_at": order.placed_at.isoformat(),
    }


def _supplier_data(supplier) -> dict:
    return {"id": str(supplier.pk), "slug": supplier.slug, "name": supplier.name}


def _lines_data(lines) -> list[dict]:
    return [
        {"id": str(line.pk), "sku": line.sku, "variant": line.variant, "quantity": line.quantity}
        for line in lines
    ]


def ship_reminder_events(*, deadline, order, supplier, lines) -> list[Event]:
    """Urge the supplier to ship `lines` of `order`; tell the merchant it was urged."""
    params = {
        "order": order.external_id,
        "merchant": order.merchant.name,
        "supplier": supplier.name,
        "placed": order.placed_at.date().isoformat(),
        "lines": _lines_text(lines),
    }
    data = {
        "deadline": _deadline_data(deadline),
        "order": _order_data(order),
        "supplier": _supplier_data(supplier),
        "lines": _lines_data(lines),
    }
    to_supplier = Event(
        type=DEADLINE_FIRED,
        merchant=order.merchant,
        dedup_key=f"deadline:{deadline.pk}:supplier",
        title=Text(gettext_noop("Please ship order %(order)s of %(merchant)s"), params),
        body=Text(
            gettext_noop(
                "Order %(order)s of %(merchant)s, placed on %(placed)s, still has lines to "
                "ship: %(lines)s. Please ship them and add the tracking number, or tell the "
                "merchant now if an item is out of stock."
            ),
            params,
        ),
        url=_supplier_url(order),
        data=data,
        recipients=(Recipients(supplier, roles=SUPPLIER_WORKERS),),
        webhooks=False,
    )
    to_merchant = Event(
        type=DEADLINE_FIRED,
        merchant=order.merchant,
        dedup_key=f"deadline:{deadline.pk}:merchant",
        title=Text(gettext_noop("Order %(order)s is not shipped yet by %(supplier)s"), params),
        body=Text(
            gettext_noop(
                "%(supplier)s has not shipped these lines of order %(order)s, placed on "
                "%(placed)s: %(lines)s. The supplier has been reminded to ship them."
            ),
            params,
        ),
        url=_merchant_url(order),
        data=data,
        recipients=(Recipients(order.merchant, roles=MERCHANT_WORKERS),),
    )
    return [to_supplier, to_merchant]


def ship_overdue_event(
    *, deadline, order, supplier, lines, flagged_at, alternatives: dict[str, list]
) -> Event:
    """Tell the merchant the supplier is late, likely out of stock, and who else sold it."""
    params = {
        "order": order.external_id,
        "supplier": supplier.name,
        "placed": order.placed_at.date().isoformat(),
        "lines": _lines_text(lines),
        "alternatives": "; ".join(
            f"{sku}: {', '.join(other.name for other in others)}"
            for sku, others in alternatives.items()
        ),
    }
    if alternatives:
        body = gettext_noop(
            "%(supplier)s has still not shipped these lines of order %(order)s, placed on "
            "%(placed)s: %(lines)s. The supplier is likely out of stock. Other suppliers "
            "of yours have sold the same items: %(alternatives)s."
        )
    else:
        body = gettext_noop(
            "%(supplier)s has still not shipped these lines of order %(order)s, placed on "
            "%(placed)s: %(lines)s. The supplier is likely out of stock."
        )
    return Event(
        type=ORDER_OVERDUE,
        merchant=order.merchant,
        dedup_key=f"deadline:{deadline.pk}",
        title=Text(gettext_noop("Order %(order)s is overdue at %(supplier)s"), params),
        body=Text(body, params),
        url=_merchant_url(order),
        data={
            "deadline": _deadline_data(deadline),
            "order": _order_data(order),
            "supplier": _supplier_data(supplier),
            "lines": _lines_data(lines),
            "stock_problem_flagged_at": flagged_at.isoformat(),
            "suggested_suppliers": [
                {
                    "sku": sku,
                    "suppliers": [
                        {**_supplier_data(other), "verified": other.verified} for other in others
                    ],
                }
                for sku, others in alternatives.items()
            ],
        },
        recipients=(Recipients(order.merchant, roles=MERCHANT_WORKERS),),
    )


def customs_hold_event(*, deadline, shipment) -> Event:
    """A clearance reminder for the merchant, with a message to forward to the buyer."""
    order = shipment.order
    params = {
        "order": order.external_id,
        "tracking": shipment.tracking_number,
        "customer": order.customer_name,
        "country": order.ship_country,
        "since": (deadline.start_at or deadline.due_at).date().isoformat(),
    }
    return Event(
        type=DEADLINE_FIRED,
        merchant=order.merchant,
        dedup_key=f"deadline:{deadline.pk}",
        title=Text(
            gettext_noop("Parcel %(tracking)s of order %(order)s is held at customs"), params
        ),
        body=Text(
            gettext_noop(
                "The parcel %(tracking)s of order %(order)s has been held at customs since "
                "%(since)s; the buyer may have to clear it. You may forward this message to "
                "%(customer)s:\n\n"
                "Hello %(customer)s, your parcel %(tracking)s is held by customs in "
                "%(country)s. To release it, customs may ask you to confirm its contents "
                "and value, or to pay import duties and taxes. Please contact the carrier "
                "or your local customs office with the tracking number %(tracking)s. A "
                "parcel that is not cleared in time is returned to the sender."
            ),
            params,
        ),
        url=_merchant_url(order),
        data={
            "deadline": _deadline_data(deadline),
            "order": _order_data(order),
            "shipment": {
                "id": str(shipment.pk),
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "status": shipment.status,
            },
        },
        recipients=(Recipients(order.merchant, roles=MERCHANT_WORKERS),),
    )


def _shipment_data(shipment) -> dict:
    return {
        "id": str(shipment.pk),
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "tracking_valid": shipment.tracking_valid,
        "tracking_problem": shipment.tracking_problem or None,
        "status": shipment.status,
        "supplier": str(shipment.supplier_id),
    }


def tracking_invalid_event(*, shipment) -> Event:
    """The merchant's notice of a parcel whose tracking number fails its carrier's check."""
    order = shipment.order
    params = {
        "order": order.external_id,
        "tracking": shipment.tracking_number,
        "problem": Words(TRACKING_PROBLEM, shipment.tracking_problem),
    }
    return Event(
        type=SHIPMENT_TRACKING_INVALID,
        merchant=order.merchant,
        # Once per number: a correction to another bad number tells the merchant again.
        dedup_key=f"shipment:{shipment.pk}:invalid:{shipment.tracking_number}",
        title=Text(
            gettext_noop("Tracking number %(tracking)s of order %(order)s looks invalid"), params
        ),
        body=Text(
            gettext_noop(
                "The parcel recorded on order %(order)s has the tracking number %(tracking)s, "
                "which looks invalid (%(problem)s): nobody can follow it. Correct the number, "
                "void the parcel if it was recorded by mistake, or ask the supplier."
            ),
            params,
        ),
        url=_merchant_url(order),
        data={"order": _order_data(order), "shipment": _shipment_data(shipment)},
        recipients=(Recipients(order.merchant, roles=MERCHANT_WORKERS),),
    )


def parcel_returned_event(*, shipment) -> Event:
    """The merchant's notice of a parcel returned to its sender, offering a reship."""
    order = shipment.order
    params = {
        "order": order.external_id,
        "tracking": shipment.tracking_number,
        "customer": order.customer_name,
    }
    return Event(
        type=SHIPMENT_RETURNED,
        merchant=order.merchant,
        dedup_key=f"shipment:{shipment.pk}:returned",
        title=Text(
            gettext_noop("Parcel %(tracking)s of order %(order)s was returned to the sender"),
            params,
        ),
        body=Text(
            gettext_noop(
                "The parcel %(tracking)s of order %(order)s is on its way back to the sender; "
                "the address may be wrong or incomplete. Check the address with %(customer)s: "
                "on the order page you can correct it and have the lines reshipped."
            ),
            params,
        ),
        url=_merchant_url(order),
        data={"order": _order_data(order), "shipment": _shipment_data(shipment)},
        recipients=(Recipients(order.merchant, roles=MERCHANT_WORKERS),),
    )


def reship_requested_event(*, shipment) -> Event:
    """Ask the supplier to reship a returned parcel's lines to the corrected address."""
    order = shipment.order
    params = {
        "order": order.external_id,
        "merchant": order.merchant.name,
        "tracking": shipment.tracking_number,
        "address": ", ".join(
            part
            for part in (
                order.ship_line1,
                order.ship_line2,
                f"{order.ship_postal_code} {order.ship_city}".strip(),
                order.ship_region,
                order.ship_country,
            )
            if part
        ),
    }
    supplier = shipment.supplier
    return Event(
        type=SHIPMENT_RETURNED,
        merchant=order.merchant,
        dedup_key=f"shipment:{shipment.pk}:reship:{params['address']}",
        title=Text(gettext_noop("Please reship order %(order)s of %(merchant)s"), params),
        body=Text(
            gettext_noop(
                "The parcel %(tracking)s of order %(order)s came back to you. %(merchant)s "
                "corrected the address: %(address)s. Please ship the lines again and add the "
                "new tracking number."
            ),
            params,
        ),
        url=_supplier_url(order),
        data={"order": _order_data(order), "shipment": _shipment_data(shipment)},
        recipients=(Recipients(supplier, roles=SUPPLIER_WORKERS),),
        # The merchant's endpoints already heard of the return; this is the supplier's task.
        webhooks=False,
    )
