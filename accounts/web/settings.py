"""/app/settings/: the index of every settings page, and the organization's own settings.

/app/settings/organization/ holds the merchant's country and time zone (its local dates);
every member reads it, the owner and managers change it.
"""

import zoneinfo
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from accounts import services
from accounts.models import MERCHANT_MANAGERS, MERCHANT_OWNERS, MERCHANT_WORKERS, Role
from accounts.web.mixins import MerchantPageMixin
from core.errors import DomainError

EVERY_MEMBER = frozenset(Role)


@dataclass(frozen=True)
class SettingsPage:
    url_name: str
    title: str
    description: str
    readers: frozenset  # who may open the page
    writers: frozenset  # who may change what it shows


# The order people look for them in: how deadlines work first, the plumbing last.
SETTINGS_PAGES = (
    SettingsPage(
        "settings-rules",
        gettext_lazy("Deadline rules"),
        gettext_lazy("How long each side has to answer, remind and escalate."),
        EVERY_MEMBER,
        MERCHANT_MANAGERS,
    ),
    SettingsPage(
        "app-dispute-policy",
        gettext_lazy("Evidence and cost policies"),
        gettext_lazy("Which reasons need a photo, and who pays return shipping and restocking."),
        EVERY_MEMBER,
        MERCHANT_MANAGERS,
    ),
    SettingsPage(
        "settings-saved-replies",
        gettext_lazy("Saved replies"),
        gettext_lazy("Ready answers in several languages, filled from the dispute."),
        EVERY_MEMBER,
        MERCHANT_WORKERS,
    ),
    SettingsPage(
        "settings-organization",
        gettext_lazy("Organization"),
        gettext_lazy("Country and time zone: the working days your deadlines count."),
        EVERY_MEMBER,
        MERCHANT_MANAGERS,
    ),
    SettingsPage(
        "app-notifications:preferences",
        gettext_lazy("Notification preferences"),
        gettext_lazy("Which e-mails you receive."),
        EVERY_MEMBER,
        EVERY_MEMBER,
    ),
    SettingsPage(
        "profile",
        gettext_lazy("Profile"),
        gettext_lazy("Your name, language and time zone."),
        EVERY_MEMBER,
        EVERY_MEMBER,
    ),
    SettingsPage(
        "settings-webhooks",
        gettext_lazy("Webhooks"),
        gettext_lazy("Send the shop's events to your own systems."),
        MERCHANT_OWNERS,
        MERCHANT_OWNERS,
    ),
    SettingsPage(
        "settings-connectors",
        gettext_lazy("Connectors"),
        gettext_lazy("Orders that arrive from your shop platform."),
        MERCHANT_OWNERS,
        MERCHANT_OWNERS,
    ),
    SettingsPage(
        "settings-audit-log",
        gettext_lazy("Audit log"),
        gettext_lazy("Sign-ins, tokens, members, webhooks, rules and arbitration, by whom."),
        MERCHANT_OWNERS,
        MERCHANT_OWNERS,
    ),
)


class SettingsIndexView(MerchantPageMixin, TemplateView):
    """/app/settings/: the settings pages the member's role may open."""

    template_name = "app/settings/index.html"
    write_roles = frozenset()  # nothing to submit here

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        role = self.request.membership.role
        context["pages"] = [
            {"page": page, "url": reverse(page.url_name), "read_only": role not in page.writers}
            for page in SETTINGS_PAGES
            if role in page.readers
        ]
        context["read_only_role"] = role not in MERCHANT_WORKERS
        return context


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
