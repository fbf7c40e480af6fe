from django.test import Client

from accounts.tests.factories import UserFactory
from connectors.models import ConnectorEvent
from connectors.tests.conftest import SHOPIFY_SECRET, deliver
from connectors.tests.payloads import shopify_order


def test_operators_see_connectors_and_deliveries_but_never_the_secret(shopify):
    deliver(shopify, shopify_order(), topic="orders/create", delivery_id="1")
    event = ConnectorEvent.cross_tenant_objects.get()
    operator = UserFactory(email="ops@redress.test", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    for url in [
        "/admin/connectors/connector/",
        f"/admin/connectors/connector/{shopify.pk}/change/",
        "/admin/connectors/connectorevent/",
        f"/admin/connectors/connectorevent/{event.pk}/change/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SHOPIFY_SECRET not in response.content.decode()
        assert shopify.secret_encrypted not in response.content.decode()
