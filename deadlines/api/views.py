"""Merchants' rule settings over the API (paths of our own; API.md is silent on them).

GET  /api/v1/rules/                  every rule with the merchant's setting and bounds
GET  /api/v1/rules/{code}/           one rule
PUT  /api/v1/rules/{code}/           {"enabled", "numbers", "options"}: the whole setting;
                                     omitted numbers/options go back to the defaults
PATCH /api/v1/rules/{code}/          the same keys, each optional; omitted ones are kept
GET  /api/v1/rules/{code}/history/   the changes, newest first (who, when, before, after)

Any merchant member reads; the owner and managers write; suppliers get 403.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import MERCHANT_MANAGERS, OrganizationKind
from core.api.pagination import CursorPagination
from core.api.parsers import JSONParser
from core.api.views import ScopedViewSet
from core.errors import NotFound
from deadlines import selectors, services
from deadlines.api.serializers import (
    RuleSettingChangeSerializer,
    RuleSettingSerializer,
    RuleSettingUpdateSerializer,
)
from deadlines.models import RuleSetting


def _row(rule, values, setting) -> dict:
    return {"rule": rule, "values": values, "setting": setting}


class RuleSettingViewSet(ScopedViewSet):
    organization_kinds = (OrganizationKind.MERCHANT,)
    # JSON only: in a form body a missing boolean reads as false, and PUT would switch the
    # rule off whenever "enabled" is left out.
    parser_classes = [JSONParser]
    write_roles = MERCHANT_MANAGERS
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9][a-z0-9.\-]*"
    serializer_class = RuleSettingSerializer
    pagination_class = CursorPagination

    def get_queryset(self):
        # Asked only by the schema generator (for the type of {code}): rules come from the
        # registry and the merchant's settings, through the selectors below.
        return RuleSetting.cross_tenant_objects.none()

    def _get(self, code: str) -> dict:
        found = selectors.rule_setting_get_for_merchant(merchant=self.organization, code=code)
        if found is None:
            raise NotFound()
        return _row(*found)

    @extend_schema(responses=RuleSettingSerializer(many=True))
    def list(self, request):
        # One page holds every rule; its parameters are still checked as on every list.
        self.paginator.get_page_size(request)
        rows = selectors.rule_setting_list_for_merchant(merchant=self.organization)
        # A short fixed list: one page, in the shape of every other list.
        data = RuleSettingSerializer([_row(*row) for row in rows], many=True).data
        return Response({"results": data, "next": None, "previous": None})

    def retrieve(self, request, code=None):
        return Response(RuleSettingSerializer(self._get(code)).data)

    @extend_schema(request=RuleSettingUpdateSerializer, responses=RuleSettingSerializer)
    def update(self, request, code=None):
        return self._update(request, code, partial=False)

    @extend_schema(request=RuleSettingUpdateSerializer, responses=RuleSettingSerializer)
    def partial_update(self, request, code=None):
        return self._update(request, code, partial=True)

    def _update(self, request, code, *, partial: bool):
        self._get(code)
        body = RuleSettingUpdateSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        services.rule_setting_update(
            actor=self.actor, code=code, partial=partial, **body.validated_data
        )
        return Response(RuleSettingSerializer(self._get(code)).data)

    @extend_schema(responses=RuleSettingChangeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, code=None):
        self._get(code)
        changes = selectors.rule_setting_change_list(merchant=self.organization, rule=code)
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(RuleSettingChangeSerializer(page, many=True).data)
