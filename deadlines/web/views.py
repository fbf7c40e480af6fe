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
from deadlines.rule_definitions import Rule, Unit

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
        context["history"] = [
            change_in_words(change)
            for change in selectors.rule_setting_change_list(merchant=merchant)[:HISTORY_SHOWN]
        ]
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


def change_in_words(change) -> dict:
    """A rule change as people read it: the rule's label, and each value that changed."""
    if not registry.rule_exists(change.rule):
        # A rule since removed from the code: its stored names are all there is.
        return {"change": change, "rule": change.rule, "lines": []}
    rule = registry.rule_get(change.rule)
    before, after = change.before, change.after
    lines = []
    if before.get("enabled") != after.get("enabled"):
        lines.append((_("On"), _switch(before.get("enabled")), _switch(after.get("enabled"))))
    for number in rule.numbers:
        old, new = _value(before, "numbers", number.name), _value(after, "numbers", number.name)
        if old != new:
            unit = Unit.LABELS[number.unit]
            lines.append((number.label, _amount(old, unit), _amount(new, unit)))
    for option in rule.options:
        old, new = _value(before, "options", option.name), _value(after, "options", option.name)
        if old != new:
            lines.append(
                (option.label, _choice(rule, option.name, old), _choice(rule, option.name, new))
            )
    return {"change": change, "rule": rule.label, "lines": lines}


def _value(values: dict, group: str, name: str):
    return (values.get(group) or {}).get(name)


def _switch(value) -> str:
    return _("on") if value else _("off")


def _amount(value, unit) -> str:
    return "—" if value is None else f"{value} {unit}"


def _choice(rule: Rule, name: str, value) -> str:
    option = rule.option(name)
    if option.is_switch:
        return _switch(value)
    return str(dict(option.choices).get(value, "—" if value is None else value))
