import uuid

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from accounts import selectors, services
from accounts.middleware import ACTIVE_ORGANIZATION_SESSION_KEY
from accounts.web.forms import ProfileForm
from accounts.web.mixins import MerchantOwnerPageMixin
from core.clients import client_address
from core.errors import TooManyRequests


@login_required
def home(request):
    """Where a signed-in person belongs: dashboard, portal, or the platform admin."""
    organization = request.organization
    if organization is not None:
        return redirect("app-home" if organization.is_merchant else "portal-home")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "accounts/no_organization.html", status=403)


@require_POST
@login_required
def organization_switch(request):
    slug = request.POST.get("organization", "")
    for membership in request.memberships:
        if membership.organization.slug == slug:
            request.session[ACTIVE_ORGANIZATION_SESSION_KEY] = str(membership.organization_id)
            messages.success(
                request, _("You are now working in %(name)s.") % {"name": membership.organization}
            )
            return redirect(_safe_next(request) or "home")
    raise Http404


def _safe_next(request) -> str | None:
    # Where the person was going (an error page's "switch" form); only this site's paths.
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your preferences are saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


class AuditLogView(MerchantOwnerPageMixin, TemplateView):
    """/app/settings/audit-log/: sign-ins, tokens, members, webhooks, rules, arbitration."""

    template_name = "app/settings/audit_log.html"
    page_size = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = selectors.audit_entry_list()
        try:
            before = uuid.UUID(self.request.GET["before"])
        except (KeyError, ValueError):
            before = None
        if before is not None:
            entries = entries.filter(id__lt=before)
        page = list(entries[: self.page_size + 1])
        context["entries"] = page[: self.page_size]
        context["older"] = page[self.page_size - 1].pk if len(page) > self.page_size else None
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, with the number of e-mails it sends limited."""

    def form_valid(self, form):
        try:
            services.password_reset_count_request(
                address=client_address(self.request), email=form.cleaned_data["email"]
            )
        except TooManyRequests as error:
            context = {"message": error.message}
            return render(
                self.request, "registration/password_reset_limited.html", context, status=429
            )
        return super().form_valid(form)
