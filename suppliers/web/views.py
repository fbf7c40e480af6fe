"""The home pages: a merchant's linked suppliers, a supplier's merchants."""

from django.views.generic import TemplateView

from accounts.web.mixins import MerchantPageMixin, SupplierPageMixin
from suppliers import selectors


class AppHomeView(MerchantPageMixin, TemplateView):
    template_name = "app/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["suppliers"] = selectors.supplier_list_for_merchant()
        return context


class PortalHomeView(SupplierPageMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["merchants"] = selectors.merchant_list_for_supplier()
        return context
