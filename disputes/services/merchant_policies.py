"""The merchant's own dispute policies (settings): more reasons that need evidence, who pays.

The policies themselves, and how they are applied, are in disputes.policies.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import MERCHANT_MANAGERS
from core.errors import PermissionDenied, ValidationFailed
from disputes.models import CostBearer, CostDefault, EvidenceRequirement, Fault, Reason
from disputes.policies import EVIDENCE_REQUIRED_REASONS


def _merchant_manager(actor: Actor):
    if not actor.is_merchant or actor.role not in MERCHANT_MANAGERS:
        raise PermissionDenied(_("Only the owner or a manager changes the dispute rules."))
    return actor.organization


def evidence_policy_set(*, actor: Actor, reasons: list[str]) -> set[str]:
    """The merchant's required-evidence reasons beyond the defaults, which stay required."""
    merchant = _merchant_manager(actor)
    unknown = set(reasons) - set(Reason.values)
    if unknown:
        raise ValidationFailed(field_errors={"reasons": [_("Unknown reason.")]})
    wanted = set(reasons) - EVIDENCE_REQUIRED_REASONS
    with transaction.atomic():
        rows = EvidenceRequirement.cross_tenant_objects.filter(merchant=merchant)
        rows.exclude(reason__in=wanted).delete()
        EvidenceRequirement.cross_tenant_objects.bulk_create(
            [EvidenceRequirement(merchant=merchant, reason=reason) for reason in sorted(wanted)],
            ignore_conflicts=True,
        )
    return wanted


def cost_default_set(
    *, actor: Actor, fault: str, return_shipping_paid_by: str, restocking_paid_by: str
) -> CostDefault:
    merchant = _merchant_manager(actor)
    errors = {}
    if fault not in Fault.values:
        errors["fault"] = [_("Unknown fault.")]
    for field, value in (
        ("return_shipping_paid_by", return_shipping_paid_by),
        ("restocking_paid_by", restocking_paid_by),
    ):
        if value not in CostBearer.values:
            errors[field] = [_("Choose who pays.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    row, _created = CostDefault.cross_tenant_objects.update_or_create(
        merchant=merchant,
        fault=fault,
        defaults={
            "return_shipping_paid_by": return_shipping_paid_by,
            "restocking_paid_by": restocking_paid_by,
        },
    )
    return row
