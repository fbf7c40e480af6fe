from rest_framework import serializers

from accounts.models import AuditEntry


class OrganizationSerializer(serializers.Serializer):
    kind = serializers.CharField()
    slug = serializers.CharField()
    name = serializers.CharField()


class OrganizationDetailSerializer(OrganizationSerializer):
    country = serializers.CharField(help_text="ISO 3166 alpha-2; its holidays.")
    time_zone = serializers.CharField(help_text="Where its local dates and business days run.")


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    organization = serializers.SlugField(max_length=64, required=False, allow_blank=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    organization = OrganizationSerializer()
    role = serializers.CharField()
    expires_at = serializers.DateTimeField()


class UserSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField()
    language = serializers.CharField()
    time_zone = serializers.CharField()


class MeSerializer(serializers.Serializer):
    user = UserSerializer()
    organization = OrganizationDetailSerializer()
    role = serializers.CharField()


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_email", help_text="E-mail of who acted, if known.")

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "action", "actor", "actor_party", "ip_address", "target", "data"]
        read_only_fields = fields
