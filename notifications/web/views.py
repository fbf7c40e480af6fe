"""The bell, the notification list and e-mail preferences: the same views serve the
dashboard (/app/notifications/) and the portal (/portal/notifications/)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import OrganizationKind, Role
from accounts.web.mixins import OrganizationPageMixin
from notifications import selectors, services
from notifications.events import event_label, event_types

PAGE_SIZE = 50
# htmx stops polling on this status: a signed-out or switched-away page stops asking.
STOP_POLLING = 286


class NotificationPageMixin(OrganizationPageMixin):
    # Marking one's own notifications read is open to every member, viewers included.
    write_roles = frozenset(Role.values)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        namespace = request.resolver_match.namespace if request.resolver_match else ""
        is_portal = namespace.startswith("portal")
        self.organization_kind = (
            OrganizationKind.SUPPLIER if is_portal else OrganizationKind.MERCHANT
        )
        self.base_template = "portal/base.html" if is_portal else "app/base.html"
        self.namespace = namespace

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["base_template"] = self.base_template
        return context


def bell(request):
    """The header's unread count, polled by htmx every few seconds."""
    if not request.user.is_authenticated or getattr(request, "organization", None) is None:
        return HttpResponse(status=STOP_POLLING)
    return render(request, "notifications/bell.html")


class NotificationListView(NotificationPageMixin, TemplateView):
    template_name = "notifications/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notifications = selectors.notification_list_for_user(user=self.request.user).order_by("-id")
        before = selectors._uuid(self.request.GET.get("before", ""))
        if before is not None:
            notifications = notifications.filter(id__lt=before)
        page = list(notifications[: PAGE_SIZE + 1])
        context["notifications"] = page[:PAGE_SIZE]
        context["older"] = page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None
        return context


class NotificationReadView(NotificationPageMixin, View):
    """Marks one read and follows its link (a click on a notification does both)."""

    def post(self, request, pk):
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
        if notification is None:
            raise Http404
        if notification.url and url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}
        ):
            return redirect(notification.url)
        return redirect(f"{self.namespace}:list")


class NotificationReadAllView(NotificationPageMixin, View):
    def post(self, request):
        count = services.notification_mark_all_read(user=request.user)
        messages.success(request, _("%(count)d notification(s) marked read.") % {"count": count})
        return redirect(f"{self.namespace}:list")


class EmailPreferencesView(NotificationPageMixin, TemplateView):
    template_name = "notifications/preferences.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enabled = selectors.email_preference_types_for_user(user=self.request.user)
        context["event_types"] = [
            (event_type, event_label(event_type), event_type in enabled)
            for event_type in event_types()
        ]
        return context

    def post(self, request):
        chosen = {name for name in request.POST.getlist("email") if name in event_types()}
        services.email_preferences_update(user=request.user, enabled_types=chosen)
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect(f"{self.namespace}:preferences")
