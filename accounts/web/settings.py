"""/app/settings/organization/: the merchant's country and time zone (its local dates).

Every member reads the page; the owner and managers change it.
"""

import zoneinfo

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from accounts import services
from accounts.models import MERCHANT_MANAGERS
from accounts.web.mixins import MerchantPageMixin
from core.errors import DomainError


class OrganizationSettingsForm(forms.Form):
    country = forms.CharField(
        label=gettext_lazy("Country"),
        max_length=2,
        required=False,
        help_text=gettext_lazy("ISO 3166 alpha-2 code, e.g. DE: its public holidays."),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        help_text=gettext_lazy("Your local dates and working days are counted in it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            (zone, zone) for zone in sorted(zoneinfo.available_timezones())
        ]


class OrganizationSettingsView(MerchantPageMixin, FormView):
    template_name = "app/settings/organization.html"
    form_class = OrganizationSettingsForm
    write_roles = MERCHANT_MANAGERS

    def get_initial(self):
        organization = self.request.organization
        return {"country": organization.country, "time_zone": organization.time_zone}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.request.membership.role in MERCHANT_MANAGERS
        return context

    def form_valid(self, form):
        try:
            services.organization_settings_update(
                actor=self.actor,
                organization=self.request.organization,
                country=form.cleaned_data["country"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except DomainError as error:
            for field, errors in error.field_errors.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            return self.form_invalid(form)
        messages.success(self.request, _("The organization's settings are saved."))
        return redirect("settings-organization")
