"""The dispute lists write their rows in Python (disputes.web.rows): the rows must read
exactly as the row templates they replaced wrote them, escaping and translations included."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from accounts.models import Organization
from core.tenancy import cross_tenant_scope
from disputes.models import Dispute
from orders.models import Order

# The row markup of templates/app/disputes/_results.html and portal/disputes/inbox.html
# before the rows were written in Python.
MERCHANT_ROWS = """{% load i18n due_times %}{% for dispute in disputes %}
        <tr{% if dispute.unread %} class="unread"{% endif %}>
          <td><input type="checkbox" name="disputes" value="{{ dispute.pk }}" id="pick-{{ dispute.pk }}" aria-label="{% blocktranslate with number=dispute.number %}Pick dispute #{{ number }}{% endblocktranslate %}"></td>
          <td><a href="{% url 'app-dispute-detail' dispute.pk %}">#{{ dispute.number }}</a>{% include "disputes/_unread.html" %}</td>
          <td>{{ dispute.order.external_id }}<br><span class="muted">{{ dispute.order.customer_name }}</span></td>
          <td>{{ dispute.supplier.name }}</td>
          <td>{{ dispute.kind_label|capfirst }}: {{ dispute.reason_label }}</td>
          <td>{% include "disputes/_status.html" %}</td>
          <td>{% if dispute.assignee %}{{ dispute.assignee.get_short_name }}{% else %}<span class="muted">{% translate "Unassigned" %}</span>{% endif %}</td>
          <td>{% if dispute.respond_by %}{% due dispute.respond_by %}{% else %}{% due dispute.resolve_by %}{% endif %}</td>
          <td>{{ dispute.last_activity_at|date:"SHORT_DATETIME_FORMAT" }}</td>
          <td>{{ dispute.opened_at|date:"SHORT_DATE_FORMAT" }}</td>
        </tr>
      {% endfor %}"""  # noqa: E501

SUPPLIER_ROWS = """{% load i18n due_times %}{% for dispute in disputes %}
            <tr class="{% if dispute.my_turn %}my-turn{% endif %}{% if dispute.unread %} unread{% endif %}">
              <td data-label="#"><div class="cell"><a href="{% url 'portal-dispute-detail' dispute.pk %}">#{{ dispute.number }}</a>{% include "disputes/_unread.html" %}</div></td>
              <td data-label="{% translate 'Merchant' %}"><div class="cell">{{ dispute.merchant.name }}</div></td>
              <td data-label="{% translate 'Order' %}"><div class="cell">{{ dispute.order.external_id }}</div></td>
              <td data-label="{% translate 'Reason' %}"><div class="cell">{{ dispute.kind_label|capfirst }}: {{ dispute.reason_label }}</div></td>
              <td data-label="{% translate 'Status' %}"><div class="cell">{% include "disputes/_status.html" %}{% if dispute.my_turn %} <span class="badge">{% translate "Your turn" %}</span>{% endif %}</div></td>
              <td data-label="{% translate 'Respond by' %}"><div class="cell">{% due dispute.respond_by %}</div></td>
              <td data-label="{% translate 'Resolve by' %}"><div class="cell">{% due dispute.resolve_by %}</div></td>
            </tr>
          {% endfor %}"""  # noqa: E501  # noqa: E501


@pytest.fixture
def varied(world, disputes):
    """Rows that differ in every marker: overdue, assigned, seen, names to escape."""
    first, second, third = disputes.open(), disputes.open(), disputes.open()
    with cross_tenant_scope(reason="test"):
        Dispute.cross_tenant_objects.filter(pk=first.pk).update(
            respond_by=timezone.now() - timedelta(hours=3),
            assignee=world.users["acme_agent"],
        )
        Dispute.cross_tenant_objects.filter(pk=second.pk).update(respond_by=None)
        Order.cross_tenant_objects.filter(pk=third.order_id).update(
            customer_name='Ann <b>"&" O\'Neil</b>'
        )
    Organization.objects.filter(pk=world.shenzhen.pk).update(name="Shen & <Zhen>")
    return first, second, third


@pytest.mark.parametrize("language", ["en", "it", "ru"])
@pytest.mark.parametrize(
    ("caller", "url", "rows"),
    [
        ("acme_owner", "/app/disputes/", MERCHANT_ROWS),
        ("shenzhen_agent", "/portal/disputes/", SUPPLIER_ROWS),
    ],
)
def test_rows_read_as_the_row_templates_wrote_them(
    client, world, varied, language, caller, url, rows
):
    client.force_login(world.users[caller])
    client.get(f"{url}{varied[0].pk}/")  # seen: the row loses its unread marker
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    shown = page.context["disputes"]
    assert len(shown) == 3
    with translation.override(language):
        expected = Template(rows).render(Context({"disputes": shown}))
    html = page.content.decode()
    assert expected in html
    assert "&lt;Zhen&gt;" in html or "&lt;b&gt;" in html
    assert "<Zhen>" not in html
    assert "<b>" not in html
