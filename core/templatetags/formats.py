"""`{{ amount|money:currency }}` and `{% shipping_address order %}`: every page shows money
and addresses through core.formats, in the reader's language."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core import formats

register = template.Library()


@register.filter
def money(amount, currency):
    return formats.money(amount, currency)


@register.simple_tag
def shipping_address(order, with_name=False):
    """An order's shipping address (its `ship_*` fields) as an <address>, one line per line."""
    lines = formats.postal_address_lines(
        country=order.ship_country,
        street="\n".join(filter(None, (order.ship_line1, order.ship_line2))),
        city=order.ship_city,
        region=order.ship_region,
        postal_code=order.ship_postal_code,
        name=order.customer_name if with_name else "",
    )
    return format_html(
        "<address>{}</address>",
        format_html_join(
            mark_safe("<br>"),
            "{}",
            ((line,) for line in lines),
        ),
    )
