from rest_framework import mixins

from accounts.models import OrganizationKind
from core.api.pagination import CursorPagination
from core.api.views import ScopedViewSet
from suppliers import selectors
from suppliers.api.serializers import SupplierSerializer


class SupplierPagination(CursorPagination):
    ordering = "slug"


class SupplierViewSet(mixins.ListModelMixin, ScopedViewSet):
    """The suppliers linked to the calling merchant."""

    organization_kinds = (OrganizationKind.MERCHANT,)
    serializer_class = SupplierSerializer
    pagination_class = SupplierPagination

    def get_queryset(self):
        return selectors.supplier_list_for_merchant()
