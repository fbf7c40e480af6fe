"""/app/settings/rules/: every deadline rule with the merchant's numbers and options.

Every merchant member reads the page; the owner and managers change it.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.models import MERCHANT_MANAGERS
from accounts.web.mixins import MerchantPageMixin
from core.errors import DomainError
from deadlines import registry, selectors, services
from deadlines.rule_definitions import Unit

HISTORY_SHOWN = 20


class RuleSettingsView(MerchantPageMixin, TemplateView):
    template_name = "app/settings/rules.html"
    write_roles = MERCHANT_MANAGERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        merchant = self.request.organization
        context["rules"] = [
            {
                "rule": rule,
                "values": values,
                "setting": setting,
                "numbers": [
                    {
                        "field": number,
                        "value": values.numbers[number.name],
                        "unit": Unit.LABELS[number.unit],
                    }
                    for number in rule.numbers
                ],
                "options": [
                    {"field": option, "value": values.options[option.name]}
                    for option in rule.options
                ],
            }
            for rule, values, setting in selectors.rule_setting_list_for_merchant(merchant=merchant)
        ]
        context["can_edit"] = self.request.membership.role in MERCHANT_MANAGERS
        context["history"] = selectors.rule_setting_change_list(merchant=merchant)[:HISTORY_SHOWN]
        context["errors"] = kwargs.get("errors", {})
        return context

    def post(self, request, code):
        if not registry.rule_exists(code):
            raise Http404
        rule = registry.rule_get(code)
        numbers, options, errors = {}, {}, {}
        for number in rule.numbers:
            raw = request.POST.get(f"numbers.{number.name}", "").strip()
            try:
                numbers[number.name] = int(raw)
            except ValueError:
                errors[f"numbers.{number.name}"] = [_("Must be a whole number.")]
        for option in rule.options:
            if option.is_switch:
                options[option.name] = request.POST.get(f"options.{option.name}") == "on"
            else:
                options[option.name] = request.POST.get(f"options.{option.name}", "")
        try:
            if errors:
                raise DomainError(_("Invalid input."), field_errors=errors)
            services.rule_setting_update(
                actor=self.actor,
                code=code,
                enabled=request.POST.get("enabled") == "on",
                numbers=numbers,
                options=options,
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            context = self.get_context_data(errors={code: error.field_errors})
            return self.render_to_response(context, status=400)
        messages.success(request, _("“%(rule)s” is saved.") % {"rule": rule.label})
        return redirect("settings-rules")
