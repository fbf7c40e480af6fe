"""Saved replies (merchant only): every member reads them; owner, managers and agents write.

GET|POST             /api/v1/saved-replies/
GET|PUT|PATCH|DELETE /api/v1/saved-replies/{id}/
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import MERCHANT_WORKERS, OrganizationKind
from core.api.views import UUID_PATTERN, ScopedViewSet
from disputes import selectors, services
from disputes.models import SavedReply
from disputes.saved_replies import LANGUAGE_CODES, placeholders_in, unknown_placeholders
from disputes.services.saved_replies import MAX_TEXT_LENGTH, MAX_TITLE_LENGTH


class SavedReplySerializer(serializers.ModelSerializer):
    variants = serializers.DictField(
        child=serializers.CharField(),
        help_text="The text in each language it is written in, by language code.",
    )
    placeholders = serializers.SerializerMethodField()
    unknown_placeholders = serializers.SerializerMethodField(
        help_text="Placeholders the disputes cannot fill: they stay in the text as written."
    )

    class Meta:
        model = SavedReply
        fields = [
            "id",
            "title",
            "default_language",
            "variants",
            "placeholders",
            "unknown_placeholders",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_placeholders(self, reply) -> list[str]:
        names = [name for text in reply.variants.values() for name in placeholders_in(text)]
        return list(dict.fromkeys(names))

    def get_unknown_placeholders(self, reply) -> list[str]:
        return unknown_placeholders(reply.variants)


class SavedReplyWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=MAX_TITLE_LENGTH)
    default_language = serializers.ChoiceField(
        choices=LANGUAGE_CODES,
        required=False,
        help_text="The variant used when the reader's language has none; may be left out "
        "when there is only one.",
    )
    variants = serializers.DictField(
        child=serializers.CharField(max_length=MAX_TEXT_LENGTH, allow_blank=True),
        help_text='Texts by language code, e.g. {"en": "Hello {customer_name}", "es": "Hola…"}.',
    )


@extend_schema_view(
    list=extend_schema(summary="List saved replies"),
    retrieve=extend_schema(summary="A saved reply"),
    create=extend_schema(
        summary="Save a reply",
        request=SavedReplyWriteSerializer,
        responses={201: SavedReplySerializer},
    ),
    update=extend_schema(
        summary="Replace a saved reply",
        request=SavedReplyWriteSerializer,
        responses=SavedReplySerializer,
    ),
    partial_update=extend_schema(
        summary="Change a saved reply",
        request=SavedReplyWriteSerializer(partial=True),
        responses=SavedReplySerializer,
    ),
    destroy=extend_schema(summary="Delete a saved reply", responses={204: None}),
)
class SavedReplyViewSet(ScopedViewSet):
    organization_kinds = (OrganizationKind.MERCHANT,)
    write_roles = MERCHANT_WORKERS
    serializer_class = SavedReplySerializer
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        return selectors.saved_reply_list()

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SavedReplySerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(SavedReplySerializer(selectors.saved_reply_get(reply_id=pk)).data)

    def create(self, request):
        body = SavedReplyWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reply = services.saved_reply_create(actor=self.actor, **body.validated_data)
        return Response(SavedReplySerializer(reply).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        return self._change(request, pk, partial=False)

    def partial_update(self, request, pk=None):
        return self._change(request, pk, partial=True)

    def _change(self, request, pk, *, partial):
        reply = selectors.saved_reply_get(reply_id=pk)
        body = SavedReplyWriteSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if not partial:
            # A replacement that leaves the default out lets the service pick the only one.
            data.setdefault("default_language", "")
        reply = services.saved_reply_update(actor=self.actor, reply=reply, **data)
        return Response(SavedReplySerializer(reply).data)

    def destroy(self, request, pk=None):
        reply = selectors.saved_reply_get(reply_id=pk)
        services.saved_reply_delete(actor=self.actor, reply=reply)
        return Response(status=status.HTTP_204_NO_CONTENT)
