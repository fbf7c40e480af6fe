"""/app/settings/connectors/: the owner connects shops, maps suppliers, reads the event log."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.web.mixins import MerchantOwnerPageMixin
from connectors import selectors
from connectors.api.serializers import webhook_url
from connectors.models import MatchKind, Platform
from connectors.services import connectors as services
from core.errors import DomainError
from suppliers.selectors import supplier_list_for_merchant

EVENTS_SHOWN = 100


class OwnerPageMixin(MerchantOwnerPageMixin):
    """A connector writes the shop's orders: only the owner sees or changes it."""

    def connector(self, pk):
        connector = selectors.connector_get(connector_id=pk)
        if connector is None:
            raise Http404
        return connector


class ConnectorListView(OwnerPageMixin, TemplateView):
    template_name = "app/settings/connectors.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["connectors"] = selectors.connector_list().order_by("-id")
        context["platforms"] = Platform.choices
        context["suppliers"] = supplier_list_for_merchant().order_by("name")
        context.setdefault("form", {"platform": Platform.SHOPIFY})
        return context

    def post(self, request):
        form = {
            "platform": request.POST.get("platform", ""),
            "shop": request.POST.get("shop", ""),
            "secret": request.POST.get("secret", ""),
            "default_supplier": request.POST.get("default_supplier") or None,
        }
        try:
            connector = services.connector_create(actor=self.actor, **form)
        except DomainError as error:
            form.pop("secret")  # never echoed back into the page
            context = self.get_context_data(form=form, errors=error.field_errors)
            messages.error(request, str(error.message))
            return self.render_to_response(context, status=400)
        messages.success(request, _("The shop is connected. Paste the webhook URL into it now."))
        return redirect("settings-connector", pk=connector.pk)


class ConnectorDetailView(OwnerPageMixin, TemplateView):
    template_name = "app/settings/connector_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        connector = self.connector(self.kwargs["pk"])
        context["connector"] = connector
        context["webhook_url"] = webhook_url(connector)
        context["mappings"] = selectors.supplier_mapping_list(connector=connector).order_by("-id")
        context["events"] = (
            selectors.connector_event_list(connector=connector)
            .select_related("order")
            .order_by("-received_at")[:EVENTS_SHOWN]
        )
        context["match_kinds"] = MatchKind.choices
        context["suppliers"] = supplier_list_for_merchant().order_by("name")
        context.setdefault("mapping_form", {"match": MatchKind.SKU})
        return context


class MappingCreateView(ConnectorDetailView):
    """Adds a mapping; a refused one re-renders the connector's page with the errors."""

    http_method_names = ["post"]

    def post(self, request, pk):
        connector = self.connector(pk)
        try:
            services.supplier_mapping_create(
                actor=self.actor,
                connector=connector,
                match=request.POST.get("match", ""),
                value=request.POST.get("value", ""),
                supplier=request.POST.get("supplier", ""),
            )
        except DomainError as error:
            context = self.get_context_data(
                mapping_form=request.POST, mapping_errors=error.field_errors
            )
            messages.error(request, str(error.message))
            return self.render_to_response(context, status=400)
        messages.success(
            request, _("The mapping is added; deliveries waiting for it are processed again.")
        )
        return redirect("settings-connector", pk=pk)


class SecretRotateView(OwnerPageMixin, View):
    def post(self, request, pk):
        try:
            services.connector_secret_rotate(
                actor=self.actor,
                connector=self.connector(pk),
                secret=request.POST.get("secret", ""),
            )
            messages.success(request, _("The new signing secret is saved."))
        except DomainError as error:
            messages.error(request, " ".join(error.field_errors.get("secret", [error.message])))
        return redirect("settings-connector", pk=pk)


class EventRetryView(OwnerPageMixin, View):
    def post(self, request, pk, event_id):
        event = selectors.connector_event_get(connector=self.connector(pk), event_id=event_id)
        if event is None:
            raise Http404
        try:
            services.connector_event_retry(actor=self.actor, event=event)
            messages.success(request, _("The delivery is being processed again."))
        except DomainError as error:
            messages.error(request, str(error.message))
        return redirect("settings-connector", pk=pk)
