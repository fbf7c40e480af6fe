"""{% home_summary %}: the merchant home's compact figures (the home template includes
insights/_home_summary.html, so the accounts app never imports insights)."""

from django import template

from insights import selectors
from insights.period import DEFAULT_DAYS, period_parse

register = template.Library()


@register.simple_tag(takes_context=True)
def home_summary(context) -> dict:
    organization = context["request"].organization
    period = period_parse(organization=organization, first=None, last=None)
    return {"days": DEFAULT_DAYS, "overview": selectors.overview_for_merchant(period=period)}
