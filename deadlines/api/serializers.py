from rest_framework import serializers

from deadlines.models import RuleSettingChange
from deadlines.rule_definitions import Unit


class NumberFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.ChoiceField(choices=list(Unit.LABELS))
    default = serializers.IntegerField()
    minimum = serializers.IntegerField(source="lower_bound")
    maximum = serializers.IntegerField(source="upper_bound")


class OptionFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    default = serializers.JSONField()
    choices = serializers.SerializerMethodField()

    def get_choices(self, option) -> list[dict]:
        return [{"value": value, "label": str(label)} for value, label in option.choices]


class RuleFieldsSerializer(serializers.Serializer):
    numbers = NumberFieldSerializer(many=True)
    options = OptionFieldSerializer(many=True)


class RuleSettingSerializer(serializers.Serializer):
    """A rule with the merchant's effective setting and the bounds of each number."""

    code = serializers.CharField(source="rule.code")
    label = serializers.CharField(source="rule.label")
    description = serializers.CharField(source="rule.description")
    enabled = serializers.BooleanField(source="values.enabled")
    numbers = serializers.DictField(child=serializers.IntegerField(), source="values.numbers")
    options = serializers.DictField(child=serializers.JSONField(), source="values.options")
    fields = RuleFieldsSerializer(source="rule")
    updated_at = serializers.DateTimeField(source="setting.updated_at", allow_null=True)
    updated_by = serializers.EmailField(source="setting.updated_by.email", allow_null=True)


class RuleSettingUpdateSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    # Values are checked by the rule itself (whole numbers, bounds, choices).
    numbers = serializers.DictField(required=False)
    options = serializers.DictField(required=False)


class RuleSettingChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.EmailField(source="changed_by.email", allow_null=True, default=None)

    class Meta:
        model = RuleSettingChange
        fields = ["id", "rule", "changed_at", "changed_by", "before", "after"]
