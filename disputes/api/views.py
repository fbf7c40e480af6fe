"""The disputes endpoints of API.md: parse, resolve ids inside the scope, call ONE service."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import MERCHANT_WORKERS, SUPPLIER_WORKERS
from core.api.pagination import CursorPagination
from core.api.params import boolean_param
from core.api.schema import ErrorSerializer
from core.api.views import UUID_PATTERN, ScopedAPIView, ScopedGenericAPIView, ScopedViewSet
from core.errors import NotFound, PermissionDenied, ValidationFailed
from disputes import selectors, services
from disputes.api import serializers as s
from disputes.downloads import attachment_response
from disputes.files import check_declared_size
from disputes.models import DisputeKind, DisputeStatus, Reason
from orders.selectors import order_line_list_for_order


class DisputePagination(CursorPagination):
    ordering = "-id"


class TimelinePagination(CursorPagination):
    # Oldest first, in the order events were appended under the dispute's lock.
    ordering = "position"
    page_size = 100


LIST_FILTERS = [
    OpenApiParameter("status", str, description="One status, or several separated by commas."),
    OpenApiParameter("kind", str, enum=["problem", "refund"]),
    OpenApiParameter("reason", str),
    OpenApiParameter("supplier", str, description="Supplier slug or id."),
    OpenApiParameter("merchant", str, description="Merchant slug or id (suppliers)."),
    OpenApiParameter("order", str, description="Order id or external id."),
    OpenApiParameter("q", str, description="Number, order id, customer, description."),
    OpenApiParameter("overdue", bool),
    OpenApiParameter(
        "assignee",
        str,
        description="Merchants: `me`, `none` (unassigned) or a member's user id.",
    ),
    OpenApiParameter("waiting_on", str, enum=["merchant", "supplier"], description="Whose turn."),
    OpenApiParameter("due_today", bool, description="Due from now to the end of today."),
    OpenApiParameter(
        "sort",
        str,
        enum=list(selectors.SORTS),
        description="Sort order; `-opened` (newest first) by default.",
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="List disputes",
        parameters=LIST_FILTERS,
        responses=s.DisputeListItemSerializer(many=True),
    ),
    retrieve=extend_schema(summary="A dispute", responses=s.DisputeSerializer),
)
class DisputeViewSet(ScopedViewSet):
    """Disputes: merchants see their own, suppliers those addressed to them."""

    write_roles = MERCHANT_WORKERS | SUPPLIER_WORKERS
    lookup_value_regex = UUID_PATTERN
    serializer_class = s.DisputeSerializer
    pagination_class = DisputePagination
    filter_backends: list = []

    def get_queryset(self):
        param = self._query_param
        filters = selectors.DisputeFilters(
            status=self._choices_param("status", DisputeStatus),
            kind=self._choices_param("kind", DisputeKind),
            reason=self._choices_param("reason", Reason),
            supplier=param("supplier"),
            merchant=param("merchant"),
            order=param("order"),
            q=param("q")[:200],
            overdue=boolean_param(self.request, "overdue"),
            assignee=self._assignee_param(),
            waiting_on=self._waiting_on_param(),
            due_today=boolean_param(self.request, "due_today"),
        )
        rows_of = (
            selectors.dispute_rows_for_merchant
            if self.organization.is_merchant
            else selectors.dispute_rows_for_supplier
        )
        return rows_of(filters=filters, reader=self.request.user, sort=self._sort_param())

    def _waiting_on_param(self) -> str:
        value = self._query_param("waiting_on")
        if value and value not in selectors.WAITING_ON:
            raise ValidationFailed(
                field_errors={"waiting_on": [_("Unknown value: %(value)s.") % {"value": value}]}
            )
        return value

    def _sort_param(self) -> str:
        sort = self._query_param("sort")
        if sort and sort not in selectors.SORTS:
            raise ValidationFailed(
                field_errors={"sort": [_("Unknown value: %(value)s.") % {"value": sort}]}
            )
        return sort

    def _assignee_param(self) -> str:
        value = self._query_param("assignee")
        if not value:
            return ""
        if not self.organization.is_merchant:
            # Who works a dispute is the merchant's business: a supplier cannot probe it.
            raise ValidationFailed(
                field_errors={"assignee": [_("Only a merchant's disputes have assignees.")]}
            )
        if value == "me":
            return str(self.request.user.pk)
        if value == selectors.UNASSIGNED or selectors.parse_uuid(value) is not None:
            return value
        raise ValidationFailed(field_errors={"assignee": [_("Enter me, none or a user id.")]})

    def paginate_queryset(self, queryset):
        if self.action == "list":
            self.paginator.ordering = selectors.dispute_ordering(self._sort_param())
        return super().paginate_queryset(queryset)

    def _query_param(self, name: str) -> str:
        value = self.request.query_params.get(name, "")
        if "\x00" in value:
            # Postgres refuses NUL in a string: bad input, not a server error (API.md).
            raise ValidationFailed(field_errors={name: [_("Null characters are not allowed.")]})
        return value

    def _choices_param(self, name: str, choices) -> str:
        # An unknown status, kind or reason is a client's typo: say so (400), as the orders
        # list does, rather than answering an empty list that looks like "none".
        value = self._query_param(name)
        unknown = [item for item in value.split(",") if item and item not in choices.values]
        if unknown:
            raise ValidationFailed(
                field_errors={name: [_("Unknown value: %(value)s.") % {"value": unknown[0]}]}
            )
        return value

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "actor": self.actor}

    def _dispute(self):
        return selectors.dispute_get(dispute_id=self.kwargs["pk"])

    def _answer(self, dispute_id, status_code=status.HTTP_200_OK):
        """The dispute as it is now, with what the caller may do next."""
        dispute = selectors.dispute_get(dispute_id=dispute_id)
        return Response(self.get_serializer(dispute).data, status=status_code)

    def list(self, request):
        page = selectors.dispute_rows_complete(self.paginate_queryset(self.get_queryset()))
        rows = s.DisputeListItemSerializer(page, many=True, context={"actor": self.actor})
        return self.get_paginated_response(rows.data)

    def retrieve(self, request, pk=None):
        dispute = selectors.dispute_detail_get(dispute_id=pk, reader=request.user)
        # Reading it through the API counts as opening it: its activity is no longer new.
        services.dispute_seen_record(
            user=request.user, dispute=dispute, last_seen_at=dispute.reader_seen_at
        )
        services.dispute_notifications_mark_read(actor=self.actor, dispute=dispute)
        return Response(self.get_serializer(dispute).data)

    @extend_schema(
        summary="Assign to a member of the merchant, or to nobody (merchant)",
        description=(
            "`assignee`: the user id of an owner, manager or agent of the merchant, or null "
            "to unassign. Viewers may not assign (403); a supplier gets 404. The new "
            "assignee is notified."
        ),
        request=s.AssignSerializer,
        responses=s.DisputeSerializer,
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        if not self.organization.is_merchant:
            # Assignment is the merchant's own matter: for a supplier it does not exist.
            raise NotFound()
        dispute = self._dispute()
        data = _valid(s.AssignSerializer, request)
        assignee = None
        if data["assignee"] is not None:
            assignee = selectors.assignee_get(user_id=data["assignee"])
            if assignee is None:
                raise ValidationFailed(
                    field_errors={"assignee": [_("Choose a member of this merchant.")]}
                )
        services.dispute_assign(actor=self.actor, dispute=dispute, assignee=assignee)
        return self._answer(dispute.pk)

    @extend_schema(
        summary="Open a dispute",
        request=s.DisputeCreateSerializer,
        responses={201: s.DisputeSerializer},
    )
    def create(self, request):
        if not self.organization.is_merchant:
            # Before the body is read: a supplier learns nothing about the order it names.
            raise PermissionDenied(_("Only a merchant opens disputes."))
        data = _valid(s.DisputeCreateSerializer, request)
        order = selectors.order_for_dispute(order_id=data["order"])
        if order is None:
            raise ValidationFailed(field_errors={"order": [_("Unknown order.")]})
        lines = order_line_list_for_order(order=order, line_ids=data["lines"])
        if lines is None:
            raise ValidationFailed(field_errors={"lines": [_("Unknown line of this order.")]})
        dispute = services.dispute_open(
            actor=self.actor,
            order=order,
            lines=lines,
            kind=data["kind"],
            reason=data["reason"],
            description=data.get("description", ""),
            requested_amount=data.get("requested_amount"),
        )
        return self._answer(dispute.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="The timeline, oldest first", responses=s.TimelineEventSerializer(many=True)
    )
    @action(detail=True, methods=["get"], pagination_class=TimelinePagination)
    def timeline(self, request, pk=None):
        events = selectors.timeline_rows_for(dispute_id=pk, organization=self.organization)
        page = selectors.timeline_rows_complete(
            self.paginate_queryset(events), dispute_id=pk, organization=self.organization
        )
        serializer = s.TimelineEventSerializer(
            page, many=True, context={"viewer": self.organization}
        )
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        summary="Post a message or an internal note",
        request=s.MessageCreateSerializer,
        responses={201: s.TimelineEventSerializer},
    )
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        dispute = selectors.dispute_row_get(dispute_id=pk)
        data = _valid(s.MessageCreateSerializer, request)
        attachments = selectors.attachments_for_message(
            dispute=dispute, attachment_ids=data["attachments"]
        )
        if attachments is None:
            raise ValidationFailed(
                field_errors={"attachments": [_("Unknown attachment of this dispute.")]}
            )
        event = services.dispute_message_post(
            actor=self.actor,
            dispute=dispute,
            body=data.get("body", ""),
            internal=data["internal"],
            attachments=attachments,
        )
        event = selectors.timeline_event_as_posted(event=event, attachments=attachments)
        body = s.TimelineEventSerializer(event, context={"viewer": self.organization}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Upload evidence",
        request={"multipart/form-data": s.AttachmentCreateSerializer},
        responses={201: s.AttachmentSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        dispute = self._dispute()
        data = _valid(s.AttachmentCreateSerializer, request)
        attachment = services.dispute_attachment_add(
            actor=self.actor, dispute=dispute, upload=data["file"], internal=data["internal"]
        )
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    def initial(self, request, *args, **kwargs):
        # Refuse an oversized upload from its declared length, before it is read at all.
        if request.method == "POST" and self.action == "attachments":
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = None
            check_declared_size(declared)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        methods=["GET"],
        summary="Proposals, oldest first",
        request=None,
        responses=s.ProposalSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Propose a resolution (or counter the open one)",
        request=s.ProposalCreateSerializer,
        responses={201: s.ProposalSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def proposals(self, request, pk=None):
        if request.method == "GET":
            proposals = selectors.proposal_list_for(dispute=self._dispute())
            return Response(s.ProposalSerializer(proposals, many=True).data)
        return self._proposal_create(request)

    def _proposal_create(self, request):
        dispute = self._dispute()
        data = _valid(s.ProposalCreateSerializer, request)
        proposal = services.proposal_create(actor=self.actor, dispute=dispute, **data)
        return Response(s.ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept the open proposal",
        request=s.ProposalAcceptSerializer,
        responses=s.DisputeSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"proposals/(?P<proposal_id>{UUID_PATTERN})/accept",
    )
    def accept(self, request, pk=None, proposal_id=None):
        data = _valid(s.ProposalAcceptSerializer, request)
        # By id: the service reads both under the dispute's lock (unknown or foreign: 404).
        proposal = services.proposal_accept(
            actor=self.actor, dispute=pk, proposal=proposal_id, **data
        )
        dispute = selectors.dispute_with_lines(dispute=proposal.dispute)
        return Response(self.get_serializer(dispute).data)

    @extend_schema(
        summary="Reject the open proposal", request=s.NoteSerializer, responses=s.DisputeSerializer
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"proposals/(?P<proposal_id>{UUID_PATTERN})/reject",
    )
    def reject(self, request, pk=None, proposal_id=None):
        dispute = self._dispute()
        proposal = selectors.proposal_get(dispute=dispute, proposal_id=proposal_id)
        data = _valid(s.NoteSerializer, request)
        services.proposal_reject(
            actor=self.actor, dispute=dispute, proposal=proposal, note=data.get("note", "")
        )
        return self._answer(dispute.pk)

    @extend_schema(
        summary="Carry out the accepted resolution (supplier)",
        request=s.FulfilSerializer,
        responses=s.DisputeSerializer,
    )
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        dispute = self._dispute()
        data = _valid(s.FulfilSerializer, request)
        services.dispute_fulfil(actor=self.actor, dispute=dispute, **data)
        return self._answer(dispute.pk)

    @extend_schema(
        summary="Accept the merchant's evidence (supplier)",
        description=(
            "The supplier reviewed the photos or videos and accepts them: the claim is "
            "verified and the verified-claim deadline (reship or refund) starts. Listed in "
            "`allowed_actions` as `accept_evidence` while evidence awaits review; 409 otherwise."
        ),
        request=None,
        responses=s.DisputeSerializer,
    )
    @action(detail=True, methods=["post"], url_path="evidence/accept")
    def accept_evidence(self, request, pk=None):
        dispute = self._dispute()
        services.dispute_evidence_accept(actor=self.actor, dispute=dispute)
        return self._answer(dispute.pk)

    @extend_schema(
        summary="Ask the merchant for more evidence (supplier)",
        description=(
            "The supplier says what is missing or unclear; the dispute awaits evidence again, "
            "the merchant is told, and the evidence deadline starts afresh. Listed in "
            "`allowed_actions` as `request_evidence` while evidence awaits review; 409 otherwise."
        ),
        request=s.EvidenceRequestSerializer,
        responses=s.DisputeSerializer,
    )
    @action(detail=True, methods=["post"], url_path="evidence/request")
    def request_evidence(self, request, pk=None):
        dispute = self._dispute()
        data = _valid(s.EvidenceRequestSerializer, request)
        services.dispute_evidence_request(
            actor=self.actor, dispute=dispute, message=data["message"]
        )
        return self._answer(dispute.pk)

    @extend_schema(
        summary="Escalate to a refund request or to arbitration",
        request=s.EscalateSerializer,
        responses=s.DisputeSerializer,
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        dispute = self._dispute()
        data = _valid(s.EscalateSerializer, request)
        services.dispute_escalate(actor=self.actor, dispute=dispute, **data)
        return self._answer(dispute.pk)

    @extend_schema(
        summary="Close (merchant)", request=s.NoteSerializer, responses=s.DisputeSerializer
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        dispute = self._dispute()
        data = _valid(s.NoteSerializer, request)
        services.dispute_close(actor=self.actor, dispute=dispute, note=data.get("note", ""))
        return self._answer(dispute.pk)

    @extend_schema(
        summary="Reopen within 30 days of closing (merchant)",
        request=s.NoteSerializer,
        responses=s.DisputeSerializer,
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        dispute = self._dispute()
        data = _valid(s.NoteSerializer, request)
        services.dispute_reopen(actor=self.actor, dispute=dispute, note=data.get("note", ""))
        return self._answer(dispute.pk)

    @extend_schema(
        methods=["GET"],
        summary="The recovery ledger with its totals (merchant)",
        request=None,
        responses=s.LedgerSerializer,
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a ledger entry (merchant agent and up)",
        request=s.LedgerEntryCreateSerializer,
        responses={201: s.LedgerEntrySerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def ledger(self, request, pk=None):
        if not self.organization.is_merchant:
            # The ledger does not exist for a supplier: the merchant's money is not its business.
            raise NotFound()
        dispute = self._dispute()
        context = {"viewer": self.organization}
        if request.method == "GET":
            body = {
                "entries": s.LedgerEntrySerializer(
                    selectors.ledger_entry_list_for(dispute=dispute), many=True, context=context
                ).data,
                "totals": s.LedgerTotalsSerializer(
                    selectors.ledger_totals_for(dispute=dispute)
                ).data,
            }
            return Response(body)
        data = _valid(s.LedgerEntryCreateSerializer, request)
        entry = services.ledger_entry_record(actor=self.actor, dispute=dispute, **data)
        body = s.LedgerEntrySerializer(entry, context=context).data
        return Response(body, status=status.HTTP_201_CREATED)


class OwedPagination(CursorPagination):
    ordering = ("agreed_at", "id")


class LedgerOwedView(ScopedGenericAPIView):
    """Money suppliers agreed to pay and have not paid yet (merchant; suppliers 404)."""

    pagination_class = OwedPagination
    serializer_class = s.OwedSerializer

    def get_queryset(self):
        return selectors.ledger_owed_list()

    @extend_schema(
        summary="Money owed by suppliers, oldest first",
        responses={
            200: s.OwedSerializer(many=True),
            # A supplier's answer: the ledger is the merchant's alone (API.md).
            404: OpenApiResponse(ErrorSerializer, description="Not found."),
        },
    )
    def get(self, request):
        if not self.organization.is_merchant:
            raise NotFound()
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.OwedSerializer(page, many=True).data)


class AnyContentNegotiation(BaseContentNegotiation):
    """A download answers with the file whatever the client's Accept header says."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AttachmentDownloadView(ScopedAPIView):
    """The file, to a party of its dispute; to anyone else, 404."""

    content_negotiation_class = AnyContentNegotiation

    @extend_schema(
        summary="Download an attachment",
        description="The file itself, with the content type judged from its content when it "
        "was uploaded (the `content_type` of the attachment): any type, so `*/*`.",
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            302: OpenApiResponse(
                description="With S3-compatible storage: a redirect to a signed URL that "
                "serves the file for a minute."
            ),
        },
    )
    def get(self, request, pk):
        attachment = selectors.attachment_get(attachment_id=pk, organization=self.organization)
        return attachment_response(attachment)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
