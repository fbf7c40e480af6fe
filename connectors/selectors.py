"""Reads of connectors, mappings and the event log, scoped to the active merchant."""

import uuid

from django.db.models import QuerySet

from connectors.models import Connector, ConnectorEvent, SupplierMapping
from core.tenancy import cross_tenant_scope


def _uuid(value) -> uuid.UUID | None:
    # An id that is not even well-formed is simply not found (404), never a 500.
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def connector_list() -> QuerySet[Connector]:
    return Connector.objects.select_related("default_supplier")


def connector_get(*, connector_id) -> Connector | None:
    connector_id = _uuid(connector_id)
    if connector_id is None:
        return None
    return connector_list().filter(pk=connector_id).first()


def connector_get_for_delivery(*, connector_id) -> Connector | None:
    """The connector a shop's delivery is addressed to, whoever owns it.

    The shop is not a member of any organization: the delivery's signature, checked against
    this connector's secret, is what authenticates it.
    """
    connector_id = _uuid(connector_id)
    if connector_id is None:
        return None
    # No scope yet: the delivery names its connector, read by id under the system context.
    with cross_tenant_scope(reason="a shop's delivery names its connector"):
        return Connector.objects.select_related("merchant").filter(pk=connector_id).first()


def supplier_mapping_list(*, connector: Connector) -> QuerySet[SupplierMapping]:
    return SupplierMapping.objects.filter(connector=connector).select_related("supplier")


def connector_event_list(*, connector: Connector) -> QuerySet[ConnectorEvent]:
    return ConnectorEvent.objects.filter(connector=connector).defer("body")


def connector_event_get(*, connector: Connector, event_id) -> ConnectorEvent | None:
    event_id = _uuid(event_id)
    if event_id is None:
        return None
    return ConnectorEvent.objects.filter(connector=connector, pk=event_id).first()
