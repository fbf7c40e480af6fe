from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.ids import new_id
from core.tenancy import TenantModel


class DeadlineState(models.TextChoices):
    PENDING = "pending", _("pending")  # waiting for its time; the sweep will run it
    FIRED = "fired", _("fired")  # its action ran and committed, exactly once
    CANCELLED = "cancelled", _("cancelled")  # the domain withdrew it: the state moved on
    FAILED = "failed", _("failed")  # its action kept failing; given up, left for operators


class Deadline(TenantModel):
    """A durable timer: when `due_at` passes, the sweep runs its rule's action once."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    rule = models.CharField(_("rule"), max_length=64)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject type")
    )
    # A string, so that a subject with a UUID or an integer key fits alike.
    subject_id = models.CharField(_("subject id"), max_length=64)
    # Tells apart two deadlines of one rule on one subject (e.g. "remind" and "escalate").
    key = models.CharField(_("key"), max_length=64, blank=True, default="")
    state = models.CharField(
        _("state"), max_length=16, choices=DeadlineState.choices, default=DeadlineState.PENDING
    )
    start_at = models.DateTimeField(_("counted from"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))
    # When the sweep may next pick the row: due_at at first, later after a failure's backoff.
    run_at = models.DateTimeField(_("runs at"))
    # The country whose business days were counted.
    country = models.CharField(_("calendar country"), max_length=2, blank=True)
    # The merchant's rule setting when the deadline was made: a later change of the
    # setting applies to deadlines created afterwards, never to this one.
    settings = models.JSONField(_("rule setting"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    fired_at = models.DateTimeField(_("fired at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            # Scheduling the same deadline twice is harmless: one pending row per
            # (subject, rule, key). Fired and cancelled rows do not count, so the same
            # timer can run again when the subject comes back to the same state.
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "rule", "key", "merchant"],
                condition=Q(state=DeadlineState.PENDING),
                name="deadline_one_pending_per_subject_rule_key",
            ),
        ]
        indexes = [
            # The sweep's only question: which pending rows are due, oldest first.
            models.Index(
                fields=["run_at"],
                condition=Q(state=DeadlineState.PENDING),
                name="deadline_pending_run_at",
            ),
            models.Index(fields=["merchant", "state", "due_at"], name="deadline_merchant_state"),
        ]

    def __str__(self):
        return (
            f"{self.rule} · {self.subject_type_id}:{self.subject_id} · {self.due_at:%Y-%m-%d %H:%M}"
        )

    @property
    def subject(self):
        """The subject row, read without a tenant filter (None when it is gone)."""
        model = ContentType.objects.get_for_id(self.subject_type_id).model_class()
        if model is None:
            return None
        return model._base_manager.filter(pk=self.subject_id).first()


class RuleSetting(TenantModel):
    """A merchant's choices for one rule; absent means the rule's defaults."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    rule = models.CharField(_("rule"), max_length=64)
    enabled = models.BooleanField(_("enabled"), default=True)
    numbers = models.JSONField(_("numbers"), default=dict, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "rule"], name="rule_setting_unique")
        ]

    def __str__(self):
        return f"{self.merchant_id} · {self.rule}"


class RuleSettingChange(TenantModel):
    """The record of one change of a rule setting: who, when, before and after."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    rule = models.CharField(_("rule"), max_length=64)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"))

    class Meta:
        verbose_name = _("rule setting change")
        verbose_name_plural = _("rule setting changes")
        indexes = [models.Index(fields=["merchant", "rule", "-id"], name="rule_change_history")]

    def __str__(self):
        return f"{self.rule} · {self.changed_at:%Y-%m-%d %H:%M}"
