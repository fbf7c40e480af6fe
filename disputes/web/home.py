"""The merchant's home (/app/): what needs them now, the team's queue, then the figures."""

from django.views.generic import TemplateView

from disputes.attention import attention_for_merchant
from disputes.web.common import MerchantSide
from suppliers.selectors import supplier_list_for_merchant


class AppHomeView(MerchantSide, TemplateView):
    template_name = "app/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attention, team = attention_for_merchant(
            organization=self.request.organization, user=self.request.user
        )
        context.update(
            attention=attention,
            team=team,
            suppliers=supplier_list_for_merchant(),
        )
        return context
