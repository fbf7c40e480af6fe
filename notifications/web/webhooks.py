"""/app/settings/webhooks/: the owner's endpoints, deliveries with attempts, re-send."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.web.mixins import MerchantOwnerPageMixin
from core.errors import DomainError
from notifications import selectors, services
from notifications.events import ALL_EVENTS, event_label, event_types

SECRET_SESSION_KEY = "webhook_secret_once"  # noqa: S105 — a session key name
DELIVERIES_SHOWN = 50


class OwnerPageMixin(MerchantOwnerPageMixin):
    """Webhooks carry the shop's data out: only the owner sees or changes them."""

    def endpoint(self, pk):
        endpoint = selectors.webhook_endpoint_get(endpoint_id=pk)
        if endpoint is None:
            raise Http404
        return endpoint


def _event_choices():
    return [(ALL_EVENTS, _("All events")), *((name, event_label(name)) for name in event_types())]


class WebhookListView(OwnerPageMixin, TemplateView):
    template_name = "app/settings/webhooks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["endpoints"] = selectors.webhook_endpoint_list().order_by("-id")
        context["event_choices"] = _event_choices()
        context.setdefault("form", {"url": "", "events": [ALL_EVENTS], "description": ""})
        return context

    def post(self, request):
        form = {
            "url": request.POST.get("url", "").strip(),
            "events": request.POST.getlist("events"),
            "description": request.POST.get("description", "").strip()[:200],
        }
        try:
            endpoint, secret = services.webhook_endpoint_create(actor=self.actor, **form)
        except DomainError as error:
            context = self.get_context_data(form=form, errors=error.field_errors)
            messages.error(request, str(error.message))
            return self.render_to_response(context, status=400)
        request.session[SECRET_SESSION_KEY] = {"id": str(endpoint.pk), "secret": secret}
        return redirect("settings-webhook", pk=endpoint.pk)


class WebhookDetailView(OwnerPageMixin, TemplateView):
    template_name = "app/settings/webhook_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        endpoint = self.endpoint(self.kwargs["pk"])
        shown_once = self.request.session.pop(SECRET_SESSION_KEY, None)
        if shown_once and shown_once.get("id") == str(endpoint.pk):
            context["secret"] = shown_once["secret"]
        context["endpoint"] = endpoint
        context["deliveries"] = selectors.webhook_delivery_list(endpoint=endpoint).order_by("-id")[
            :DELIVERIES_SHOWN
        ]
        context["event_labels"] = dict(_event_choices())
        return context


class WebhookDeleteView(OwnerPageMixin, View):
    def post(self, request, pk):
        services.webhook_endpoint_delete(actor=self.actor, endpoint=self.endpoint(pk))
        messages.success(request, _("The endpoint is deleted; it receives nothing more."))
        return redirect("settings-webhooks")


class WebhookResendView(OwnerPageMixin, View):
    def post(self, request, pk, delivery_id):
        delivery = selectors.webhook_delivery_get(
            endpoint=self.endpoint(pk), delivery_id=delivery_id
        )
        if delivery is None:
            raise Http404
        try:
            services.webhook_delivery_resend(actor=self.actor, delivery=delivery)
            messages.success(request, _("The delivery is being sent again."))
        except DomainError as error:
            messages.error(request, str(error.message))
        return redirect("settings-webhook", pk=pk)
