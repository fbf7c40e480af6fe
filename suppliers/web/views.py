"""The supplier's home page: its merchants (the merchant's home is disputes.web.home)."""

from django.views.generic import TemplateView

from accounts.web.mixins import SupplierPageMixin
from suppliers import selectors


class PortalHomeView(SupplierPageMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["merchants"] = selectors.merchant_list_for_supplier()
        return context
