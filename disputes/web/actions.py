"""What the dispute pages post to: one form, one service, back to the dispute.

htmx swaps just the dispute workspace from the answer; without JavaScript the same forms
work as plain posts. Every answer is a message tagged with the area of the page the person
acted in (the composer, the proposal, closing...), so the workspace shows it right there.
Files come with the composer's form (dropped, pasted or chosen) or, over fetch, from the API.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from core.errors import DomainError, NotFound
from disputes import selectors, services
from disputes.downloads import attachment_response
from disputes.files import check_declared_size
from disputes.web import forms
from disputes.web.common import MerchantSide, SupplierSide, dispute_or_404, error_text

# Where on the workspace each action's answer is shown (disputes/_panel.html).
AREA_OF_ACTION = {
    "messages": "composer",
    "proposals": "proposal",
    "accept": "proposal",
    "reject": "proposal",
    "accept_evidence": "evidence",
    "request_evidence": "evidence",
    "fulfil": "fulfil",
    "escalate": "escalate",
    "close": "close",
    "reopen": "close",
    "ledger": "ledger",
}


def draft_session_key(dispute_id) -> str:
    return f"dispute-draft-{dispute_id}"


class DisputeActionView(View):
    """POST /<id>/<action>/: one form, one service, back to the dispute with a message."""

    def post(self, request, pk, action, proposal_pk=None):
        answers_proposal = action in ("accept", "reject")
        handler = getattr(self, f"do_{action}", None)
        if handler is None or answers_proposal != (proposal_pk is not None):
            raise Http404
        dispute = dispute_or_404(pk)
        self.area = AREA_OF_ACTION.get(action, "")
        try:
            handler(dispute, proposal_pk)
        except ValidationError as error:
            self.refused(" ".join(error.messages))
        except DomainError as error:
            if isinstance(error, NotFound):
                raise Http404 from error
            self.refused(error_text(error))
        return redirect(self.url("-detail", dispute.pk))

    def done(self, text: str) -> None:
        messages.success(self.request, text, extra_tags=self.area)

    def refused(self, text: str) -> None:
        messages.error(self.request, text, extra_tags=self.area)

    def _form(self, form_class):
        form = form_class(self.request.POST)
        if not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[name].label or name}: {' '.join(errors)}"
                    if name in form.fields
                    else " ".join(errors)
                    for name, errors in form.errors.items()
                ]
            )
        return form.cleaned_data

    def do_messages(self, dispute, _proposal_pk):
        """The composer: a reply or an internal note, with the files dropped or pasted in it.

        Files are stored first; if one is refused nothing is sent, and what was written
        waits in the composer (the session keeps the draft) next to the reason.
        """
        body = self.request.POST.get("body", "")
        try:
            self._post_message(dispute, self._form(forms.MessageForm))
        except (DomainError, ValidationError):
            self.request.session[draft_session_key(dispute.pk)] = body[:10_000]
            raise

    def _post_message(self, dispute, data):
        uploads = self.request.FILES.getlist("files")
        if uploads:
            check_declared_size(int(self.request.META.get("CONTENT_LENGTH") or 0))
        stored = []
        for upload in uploads:
            try:
                stored.append(
                    services.dispute_attachment_add(
                        actor=self.actor,
                        dispute=dispute_or_404(dispute.pk),
                        upload=upload,
                        internal=data["internal"],
                    )
                )
            except NotFound:
                raise
            except DomainError as error:
                raise ValidationError(f"{upload.name}: {error_text(error)}") from error
        if stored and not data["body"].strip():
            names = ", ".join(attachment.filename for attachment in stored)
            self.done(_("Attached: %(names)s.") % {"names": names})
            return
        services.dispute_message_post(
            actor=self.actor,
            dispute=dispute_or_404(dispute.pk),
            body=data["body"],
            internal=data["internal"],
            attachments=stored,
        )
        self.done(_("Internal note saved.") if data["internal"] else _("Message sent."))

    def do_proposals(self, dispute, _proposal_pk):
        data = self._form(forms.ProposalForm)
        services.proposal_create(actor=self.actor, dispute=dispute, **data)
        self.done(_("Proposal sent."))

    def do_accept(self, dispute, proposal_pk):
        data = self._form(forms.AcceptForm)
        proposal = selectors.proposal_get(dispute=dispute, proposal_id=proposal_pk)
        services.proposal_accept(actor=self.actor, dispute=dispute, proposal=proposal, **data)
        self.done(_("Proposal accepted."))

    def do_reject(self, dispute, proposal_pk):
        data = self._form(forms.NoteForm)
        proposal = selectors.proposal_get(dispute=dispute, proposal_id=proposal_pk)
        services.proposal_reject(
            actor=self.actor, dispute=dispute, proposal=proposal, note=data["note"]
        )
        self.done(_("Proposal rejected."))

    def do_accept_evidence(self, dispute, _proposal_pk):
        services.dispute_evidence_accept(actor=self.actor, dispute=dispute)
        self.done(_("Evidence accepted."))

    def do_request_evidence(self, dispute, _proposal_pk):
        data = self._form(forms.EvidenceRequestForm)
        services.dispute_evidence_request(
            actor=self.actor, dispute=dispute, message=data["message"]
        )
        self.done(_("The merchant is asked for more evidence."))

    def do_fulfil(self, dispute, _proposal_pk):
        data = self._form(forms.FulfilForm)
        services.dispute_fulfil(actor=self.actor, dispute=dispute, **data)
        self.done(_("Marked as carried out."))

    def do_escalate(self, dispute, _proposal_pk):
        data = self._form(forms.EscalateForm)
        services.dispute_escalate(actor=self.actor, dispute=dispute, **data)
        self.done(_("Escalated."))

    def do_close(self, dispute, _proposal_pk):
        data = self._form(forms.NoteForm)
        services.dispute_close(actor=self.actor, dispute=dispute, note=data["note"])
        self.done(_("Dispute closed."))

    def do_reopen(self, dispute, _proposal_pk):
        data = self._form(forms.NoteForm)
        services.dispute_reopen(actor=self.actor, dispute=dispute, note=data["note"])
        self.done(_("Dispute reopened."))


class MerchantDisputeActionView(MerchantSide, DisputeActionView):
    def do_assign(self, dispute, _proposal_pk):
        value = self.request.POST.get("assignee", "")
        if value == "me":
            assignee = self.request.user
        elif value == selectors.UNASSIGNED:
            assignee = None
        else:
            assignee = selectors.assignee_get(user_id=value)
            if assignee is None:
                raise ValidationError(_("Choose who to assign it to."))
        services.dispute_assign(actor=self.actor, dispute=dispute, assignee=assignee)
        if assignee is None:
            messages.success(self.request, _("Nobody is assigned now."))
        else:
            messages.success(
                self.request,
                _("Assigned to %(name)s.") % {"name": assignee.get_short_name()},
            )

    def do_ledger(self, dispute, _proposal_pk):
        data = self._form(forms.LedgerEntryForm)
        services.ledger_entry_record(
            actor=self.actor,
            dispute=dispute,
            side="customer",
            kind=data["kind"],
            amount=data["amount"],
            note=data["note"],
        )
        self.done(_("Recorded in the ledger."))


class SupplierDisputeActionView(SupplierSide, DisputeActionView):
    pass


class AttachmentUploadView(View):
    """Files dropped on the dispute page (fetch, answers JSON) or sent by the plain form."""

    def post(self, request, pk):
        wants_json = "application/json" in request.headers.get("Accept", "")
        try:
            check_declared_size(int(request.META.get("CONTENT_LENGTH") or 0))
        except (DomainError, ValueError) as error:
            return self._answer(request, pk, wants_json, error=error)
        dispute = dispute_or_404(pk)
        internal = request.POST.get("internal") == "on" and self.actor.is_merchant
        uploads = request.FILES.getlist("file")
        if not uploads:
            error = DomainError(_("Choose a file."))
            return self._answer(request, pk, wants_json, error=error)
        stored = []
        for upload in uploads:
            try:
                attachment = services.dispute_attachment_add(
                    actor=self.actor, dispute=dispute, upload=upload, internal=internal
                )
            except DomainError as error:
                return self._answer(request, pk, wants_json, error=error, stored=stored)
            stored.append(attachment)
            dispute = dispute_or_404(pk)
        return self._answer(request, pk, wants_json, stored=stored)

    def _answer(self, request, pk, wants_json, *, error=None, stored=()):
        files = [{"id": str(a.pk), "filename": a.filename} for a in stored]
        if wants_json:
            if error is not None:
                status = getattr(error, "status_code", 400)
                return JsonResponse({"detail": error_text(error), "stored": files}, status=status)
            return JsonResponse({"stored": files}, status=201)
        if stored:
            messages.success(
                request,
                _("Attached: %(names)s.") % {"names": ", ".join(a.filename for a in stored)},
                extra_tags="composer",
            )
        if error is not None:
            messages.error(request, error_text(error), extra_tags="composer")
        return redirect(self.url("-detail", pk))


class MerchantAttachmentUploadView(MerchantSide, AttachmentUploadView):
    pass


class SupplierAttachmentUploadView(SupplierSide, AttachmentUploadView):
    pass


class AttachmentFileView(View):
    """An image preview (inline, only images this server re-encoded) or a download."""

    inline = True

    def get(self, request, attachment_pk):
        try:
            attachment = selectors.attachment_get(
                attachment_id=attachment_pk, organization=request.organization
            )
        except NotFound as error:
            raise Http404 from error
        if self.inline and not attachment.is_previewable:
            raise Http404
        return attachment_response(attachment, inline=self.inline)


class MerchantAttachmentPreviewView(MerchantSide, AttachmentFileView):
    pass


class SupplierAttachmentPreviewView(SupplierSide, AttachmentFileView):
    pass


class MerchantAttachmentDownloadView(MerchantSide, AttachmentFileView):
    inline = False


class SupplierAttachmentDownloadView(SupplierSide, AttachmentFileView):
    inline = False
