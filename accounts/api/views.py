from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import (
    AuditEntrySerializer,
    MeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from accounts.models import MERCHANT_OWNERS, OrganizationKind
from core.api.schema import ErrorSerializer
from core.api.throttling import ScopedRateThrottle
from core.api.views import UUID_PATTERN, ScopedAPIView, ScopedViewSet


class TokenView(ScopedAPIView):
    """POST trades e-mail and password for a token (public); DELETE revokes the caller's."""

    throttle_scope = "auth"

    def initialize_request(self, request, *args, **kwargs):
        drf_request = super().initialize_request(request, *args, **kwargs)
        if request.method == "POST":
            # Issuing a token is the way in: a stale Authorization header must not block it.
            drf_request.authenticators = ()
        return drf_request

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return super().get_permissions()

    def get_throttles(self):
        if self.request.method == "POST":
            return [ScopedRateThrottle()]
        return super().get_throttles()

    def initial(self, request, *args, **kwargs):
        if request.method == "POST":
            # No organization yet, so no tenant scope to set.
            return APIView.initial(self, request, *args, **kwargs)
        return super().initial(request, *args, **kwargs)

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            201: TokenSerializer,
            401: OpenApiResponse(ErrorSerializer, description="E-mail or password is wrong."),
            429: OpenApiResponse(
                ErrorSerializer, description="Too many failed logins, or too many requests."
            ),
        },
        auth=[],
    )
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token, key, role = services.api_token_issue(
            request=request._request,
            email=body.validated_data["email"],
            password=body.validated_data["password"],
            organization_slug=body.validated_data.get("organization") or None,
        )
        answer = {
            "token": key,
            "organization": token.organization,
            "role": role,
            "expires_at": token.expires_at,
        }
        return Response(TokenSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        services.api_token_revoke(token=request.auth, actor=self.actor, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(ScopedAPIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        answer = {
            "user": request.user,
            "organization": self.organization,
            "role": request.auth.role,
        }
        return Response(MeSerializer(answer).data)


class AuditLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The organization's audit log, newest first: for the owner only."""

    organization_kinds = (OrganizationKind.MERCHANT,)
    read_roles = MERCHANT_OWNERS
    write_roles = MERCHANT_OWNERS
    serializer_class = AuditEntrySerializer
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        return selectors.audit_entry_list()
