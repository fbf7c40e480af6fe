"""Every write of the disputes domain; views, admin and tasks call these and nothing else."""

from disputes.services.attachments import (
    dispute_attachment_add,
    dispute_evidence_accept,
    dispute_evidence_request,
)
from disputes.services.closing import dispute_close, dispute_reopen
from disputes.services.escalation import (
    dispute_accept_by_default,
    dispute_arbitrate,
    dispute_cancel_for_missing_evidence,
    dispute_escalate,
)
from disputes.services.ledger import ledger_entry_record, ledger_reminder_send
from disputes.services.merchant_policies import cost_default_set, evidence_policy_set
from disputes.services.opening import (
    dispute_evidence_notice_post,
    dispute_open,
    dispute_open_for_overdue_shipping,
)
from disputes.services.proposals import (
    dispute_fulfil,
    proposal_accept,
    proposal_create,
    proposal_reject,
)
from disputes.services.queue import (
    dispute_assign,
    dispute_seen_record,
    disputes_assign,
    disputes_close,
    saved_view_create,
    saved_view_delete,
)
from disputes.services.reading import dispute_notifications_mark_read
from disputes.services.saved_replies import (
    saved_reply_create,
    saved_reply_delete,
    saved_reply_update,
)
from disputes.services.timeline import dispute_message_post, dispute_notice_post

__all__ = [
    "cost_default_set",
    "dispute_accept_by_default",
    "dispute_arbitrate",
    "dispute_assign",
    "dispute_attachment_add",
    "dispute_cancel_for_missing_evidence",
    "dispute_close",
    "dispute_escalate",
    "dispute_evidence_accept",
    "dispute_evidence_notice_post",
    "dispute_evidence_request",
    "dispute_fulfil",
    "dispute_message_post",
    "dispute_notice_post",
    "dispute_notifications_mark_read",
    "dispute_open",
    "dispute_open_for_overdue_shipping",
    "dispute_reopen",
    "dispute_seen_record",
    "disputes_assign",
    "disputes_close",
    "evidence_policy_set",
    "ledger_entry_record",
    "ledger_reminder_send",
    "proposal_accept",
    "proposal_create",
    "proposal_reject",
    "saved_reply_create",
    "saved_reply_delete",
    "saved_reply_update",
    "saved_view_create",
    "saved_view_delete",
]
