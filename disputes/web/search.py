"""/app/search/ and /portal/search/: the header's search box, results grouped by kind."""

from django.views.generic import TemplateView

from disputes.search import MAX_QUERY_LENGTH, search
from disputes.web.common import MerchantSide, SupplierSide


class SearchMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            results=search(text=self.request.GET.get("q", "")),
            side=self.side,
            max_length=MAX_QUERY_LENGTH,
        )
        return context


class MerchantSearchView(MerchantSide, SearchMixin, TemplateView):
    template_name = "app/search.html"


class SupplierSearchView(SupplierSide, SearchMixin, TemplateView):
    template_name = "portal/search.html"
