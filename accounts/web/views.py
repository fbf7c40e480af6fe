from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.middleware import ACTIVE_ORGANIZATION_SESSION_KEY
from accounts.web.forms import ProfileForm


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
            return redirect("home")
    raise Http404


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your preferences are saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})
